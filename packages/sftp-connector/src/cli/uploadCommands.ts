// `sftp-connector create` and `upsert`: upload a local file (or stdin) through a temporary name, with a progress bar on a terminal.
import { stat } from "node:fs/promises";
import { basename, posix, resolve } from "node:path";
import type { Readable } from "node:stream";
import { ACTIONS_IF_FILE_EXISTS, type ActionIfFileExists, type CreateFileOptions } from "@sftp-connector/create";
import { MAX_CONNECTIONS, type UploadFileResult } from "@sftp-connector/core";
import type { CommandContext, CommandSpec } from "./CommandSpec.js";
import { formatTable } from "./formatTable.js";
import { UsageError } from "./UsageError.js";

/** `--if-exists` words → CREATE's `actionIfFileExists`. */
export const IF_EXISTS: Readonly<Record<string, ActionIfFileExists>> = {
  error: "ERROR",
  overwrite: "OVERWRITE",
  append: "APPEND",
  unique: "FORCE_UNIQUE_NAMES",
};

/** What to upload: a local file or stdin, and the remote name. */
interface UploadSource {
  content: { path: string } | Readable;
  fileName: string;
  /** The size, when it is a local file that could be read. */
  total: number | undefined;
}

/** LOCAL (a path, or `-`/nothing for stdin) and `--name` → the content and the remote name. */
async function uploadSource({ args, io, cwd }: CommandContext, command: string): Promise<UploadSource> {
  const local = args.positionals[0];
  const name = args.string("name");
  if (name !== undefined && name.trim() === "") throw new UsageError("--name: expected a non-blank remote file name", command);
  if (local === undefined || local === "-") {
    if (name === undefined) throw new UsageError(`${command} needs a LOCAL file, or --name NAME to upload stdin`, command);
    return { content: io.stdin, fileName: name, total: undefined };
  }
  const path = resolve(cwd, local);
  const stats = await stat(path).catch(() => undefined);
  return { content: { path }, fileName: name ?? basename(local), total: stats?.isFile() ? stats.size : undefined };
}

/**
 * An upload's response in the convention of GET and QUERY's document properties: `fileName` with
 * the sub-path it was given (`inbox/a.txt`), `remoteDirectory` the directory that sub-path is
 * relative to. CREATE and UPSERT answer as Boomi does (the sub-path moved into `remoteDirectory`);
 * a name given with an absolute path, or one that left the directory, is kept as answered.
 */
export function documentStyleResponse(response: UploadFileResult["response"], givenName: string): UploadFileResult["response"] {
  const subPath = posix.dirname(posix.normalize(givenName.trim()));
  if (subPath === "." || subPath.startsWith("/") || subPath === ".." || subPath.startsWith("../")) return response;
  const suffix = `/${subPath}`;
  if (!response.remoteDirectory.endsWith(suffix)) return response;
  const base = response.remoteDirectory.slice(0, -suffix.length) || "/";
  return { ...response, fileName: `${subPath}/${response.fileName}`, remoteDirectory: base };
}

/** Prints an upload's response: JSON (`fileName`, `remoteDirectory`, `bytes`, `timestamp` with the metadata option), or a table row. */
async function printUpload({ out }: CommandContext, result: UploadFileResult, givenName: string): Promise<void> {
  const response = documentStyleResponse(result.response, givenName);
  if (out.json) {
    await out.record({ ...response, bytes: result.bytesWritten });
    return;
  }
  const row = { ...response, bytes: result.bytesWritten };
  const columns = [
    { header: "FILE NAME", value: (r: typeof row) => r.fileName },
    { header: "REMOTE DIRECTORY", value: (r: typeof row) => r.remoteDirectory },
    { header: "BYTES", value: (r: typeof row) => r.bytes, align: "right" as const },
    ...(row.timestamp === undefined ? [] : [{ header: "MODIFIED", value: (r: typeof row) => r.timestamp }]),
  ];
  for (const line of formatTable(columns, [row])) await out.line(line);
}

/** `--connections N`'s help line (create, upsert). */
const CONNECTIONS_HELP: [string, string] = [
  "--connections N",
  "write content larger than 8 MiB as ranges over N sessions at once (into the temporary file, then the same rename), 1 to 64 (default 1)",
];

/** `--connections N` as the operation's `connections` option (nothing when not given); a bad value is a usage error naming the flag. */
function connectionsOption({ args }: CommandContext): { connections?: number } {
  const connections = args.integer("connections", 1, MAX_CONNECTIONS);
  return connections === undefined ? {} : { connections };
}

/** `create`. */
export const createCommand: CommandSpec = {
  name: "create",
  summary: "Upload a file as a new remote file (CREATE)",
  usage: "create LOCAL [--name NAME] [options]   |   create --name NAME [options] < DATA",
  description: [
    "Uploads LOCAL (or stdin, with --name and no LOCAL or LOCAL '-') as NAME (default: LOCAL's base name)",
    "in the remote directory: to a temporary name first, renamed into place when complete.",
    "An existing file is an error (ALREADY_EXISTS) unless --if-exists says otherwise.",
  ],
  options: {
    name: { type: "string" },
    "if-exists": { type: "string" },
    "staging-dir": { type: "string" },
    "temp-extension": { type: "string" },
    "target-file-name": { type: "string" },
    "temp-file-name": { type: "string" },
    "create-directories": { type: "boolean" },
    "include-all-metadata": { type: "boolean" },
    "allow-absolute-paths": { type: "boolean" },
    connections: { type: "string" },
  },
  optionHelp: [
    ["--name NAME", "the remote file name (a sub-path such as out/a.csv is fine)"],
    ["--if-exists error|overwrite|append|unique", "when NAME exists: fail (default), replace it, append to it, or pick a1.txt, a2.txt, …"],
    ["--staging-dir DIR", "upload into DIR first (same file system), then rename into place"],
    ["--temp-extension EXT", "temporary name <NAME><UUID>.<EXT> instead of .<NAME>.<uuid>.sftp-tmp"],
    ["--target-file-name TEMPLATE", "with --if-exists unique: name template ($BASE, $EXTENSION, $UUID, $DATE, $TIME)"],
    ["--temp-file-name TEMPLATE", "with --if-exists unique: template for the temporary name"],
    ["--create-directories", "create the remote directory when it is missing"],
    ["--include-all-metadata", "add the new file's timestamp to the output"],
    ["--allow-absolute-paths", "let NAME be absolute or leave the remote directory"],
    CONNECTIONS_HELP,
  ],
  maxPositionals: 1,
  abortable: true,
  examples: [
    "sftp-connector create ./orders.csv --name in/orders.csv --if-exists unique",
    "pg_dump db | sftp-connector create --name backup.sql",
    "sftp-connector create ./db.dump --name backups/db.dump --connections 4",
  ],
  async run(context) {
    const { args, connector } = context;
    const ifExists = args.string("if-exists");
    const action: ActionIfFileExists | undefined =
      ifExists === undefined ? undefined : (IF_EXISTS[ifExists.toLowerCase()] ?? ACTIONS_IF_FILE_EXISTS.find((name) => name === ifExists));
    if (ifExists !== undefined && action === undefined)
      throw new UsageError(`--if-exists: expected error, overwrite, append or unique, got ${JSON.stringify(ifExists)}`, "create");
    const connections = connectionsOption(context);
    const source = await uploadSource(context, "create");
    const bar = context.out.progress(source.fileName, source.total);
    try {
      const text = (flag: string, option: "stagingDirectory" | "tempExtension" | "targetFileName" | "tempFileName"): Partial<CreateFileOptions> => {
        const value = args.string(flag);
        return value === undefined ? {} : { [option]: value };
      };
      const result = await connector.create(
        { content: source.content, fileName: source.fileName },
        {
          ...(action === undefined ? {} : { actionIfFileExists: action }),
          ...text("staging-dir", "stagingDirectory"),
          ...text("temp-extension", "tempExtension"),
          ...text("target-file-name", "targetFileName"),
          ...text("temp-file-name", "tempFileName"),
          createDirectories: args.flag("create-directories"),
          includeAllMetadata: args.flag("include-all-metadata"),
          allowAbsolutePaths: args.flag("allow-absolute-paths"),
          ...connections,
          onProgress: (bytes) => bar.update(bytes),
          signal: context.signal,
        },
      );
      bar.done();
      await printUpload(context, result, source.fileName);
      return 0;
    } finally {
      bar.done();
    }
  },
};

/** `upsert`. */
export const upsertCommand: CommandSpec = {
  name: "upsert",
  summary: "Upload a file, replacing or appending to an existing one (UPSERT)",
  usage: "upsert LOCAL [--name NAME] [options]   |   upsert --name NAME [options] < DATA",
  description: [
    "Uploads LOCAL (or stdin, with --name and no LOCAL or LOCAL '-') as NAME (default: LOCAL's base name),",
    "replacing an existing file atomically (temporary name, then rename), or appending to it with --append.",
  ],
  options: {
    name: { type: "string" },
    append: { type: "boolean" },
    "create-dir": { type: "boolean" },
    "create-directories": { type: "boolean" },
    "include-all": { type: "boolean" },
    "include-all-metadata": { type: "boolean" },
    "allow-absolute-paths": { type: "boolean" },
    connections: { type: "string" },
  },
  optionHelp: [
    ["--name NAME", "the remote file name (a sub-path such as out/a.csv is fine)"],
    ["--append", "append to the file (created when missing) instead of replacing it"],
    ["--create-dir", "create the remote directory when it is missing (also --create-directories)"],
    ["--include-all", "add the file's timestamp to the output (also --include-all-metadata)"],
    ["--allow-absolute-paths", "let NAME be absolute or leave the remote directory"],
    CONNECTIONS_HELP,
  ],
  maxPositionals: 1,
  abortable: true,
  examples: ["sftp-connector upsert ./status.json --name status/latest.json", "date | sftp-connector upsert --name log.txt --append"],
  async run(context) {
    const { args, connector } = context;
    const connections = connectionsOption(context);
    const source = await uploadSource(context, "upsert");
    const bar = context.out.progress(source.fileName, source.total);
    try {
      const result = await connector.upsert(
        { content: source.content, fileName: source.fileName },
        {
          append: args.flag("append"),
          createDirectories: args.flag("create-dir") || args.flag("create-directories"),
          includeAllMetadata: args.flag("include-all") || args.flag("include-all-metadata"),
          allowAbsolutePaths: args.flag("allow-absolute-paths"),
          ...connections,
          onProgress: (bytes) => bar.update(bytes),
          signal: context.signal,
        },
      );
      bar.done();
      await printUpload(context, result, source.fileName);
      return 0;
    } finally {
      bar.done();
    }
  },
};
