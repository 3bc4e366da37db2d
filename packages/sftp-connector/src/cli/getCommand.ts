// `sftp-connector get NAME [-o FILE|DIR|-]`: downloads one file (streamed, with a progress bar on a terminal).
import { stat } from "node:fs/promises";
import { posix, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { MAX_CONNECTIONS, SftpConnectorError, quotePath, type DocumentProperties } from "@sftp-connector/core";
import type { CommandSpec } from "./CommandSpec.js";
import { formatTable, type Column } from "./formatTable.js";
import { resolveLocalTarget } from "./resolveLocalTarget.js";
import { UsageError } from "./UsageError.js";
import { writeLocalFile } from "./writeLocalFile.js";

/** A downloaded document's record: its properties and where it was saved. */
export interface SavedDocument extends DocumentProperties {
  /** The local file written (absent for `-o -`). */
  localPath?: string;
}

/** The readable columns of downloaded documents (get, query). */
export const SAVED_DOCUMENT_COLUMNS: readonly Column<SavedDocument>[] = [
  { header: "NAME", value: (doc) => doc.fileName },
  { header: "SIZE", value: (doc) => doc.size, align: "right" },
  { header: "MODIFIED", value: (doc) => doc.timestamp },
  { header: "SAVED AS", value: (doc) => doc.localPath ?? "-" },
];

/** Where `-o` points: stdout, a directory (the file keeps its base name), or a file path. */
export type OutputTarget = { kind: "stdout" } | { kind: "directory"; path: string } | { kind: "file"; path: string };

/** Reads `-o` for get: `-` is stdout; an existing directory or a path ending in a separator is a directory; else a file. Default: the current directory. */
export async function outputTarget(output: string | undefined, cwd: string): Promise<OutputTarget> {
  if (output === "-") return { kind: "stdout" };
  const given = output ?? ".";
  const path = resolve(cwd, given);
  if (given.endsWith("/") || given.endsWith(sep)) return { kind: "directory", path };
  const stats = await stat(path).catch(() => undefined);
  return stats?.isDirectory() ? { kind: "directory", path } : { kind: "file", path };
}

/** `get`. */
export const getCommand: CommandSpec = {
  name: "get",
  summary: "Download one file (GET)",
  usage: "get NAME [-o FILE|DIR|-] [options]",
  description: [
    "Downloads the remote file NAME (relative to the remote directory; a sub-path such as in/a.csv is fine).",
    "-o FILE writes it there; -o DIR (an existing directory, or a path ending in /) writes DIR/<base name>;",
    "-o - writes the content to stdout. Default: the current directory. A file is written under a",
    "temporary name and renamed when complete, so a failed download leaves nothing behind.",
    "A missing file is an error (NO_SUCH_FILE). With -o - and --json the properties line goes to stderr.",
  ],
  options: {
    output: { type: "string", short: "o" },
    "delete-after": { type: "boolean" },
    "fail-delete-after": { type: "boolean" },
    "move-after": { type: "string" },
    "create-directories": { type: "boolean" },
    overwrite: { type: "boolean" },
    "include-all-metadata": { type: "boolean" },
    "allow-absolute-paths": { type: "boolean" },
    connections: { type: "string" },
  },
  optionHelp: [
    ["-o, --output FILE|DIR|-", "where the content goes (default: the current directory)"],
    ["--delete-after", "delete the remote file once it was read completely"],
    ["--fail-delete-after", "with --delete-after: fail when the file cannot be deleted (else a warning)"],
    ["--move-after DIR", "move the remote file into DIR (relative to the remote directory) once read"],
    ["--create-directories", "with --move-after: create DIR when it is missing"],
    ["--overwrite", "with --move-after: replace a file of the same name in DIR"],
    ["--include-all-metadata", 'write {"fileContent": "…", "modifiedDate": "…"} instead of the raw content'],
    ["--allow-absolute-paths", "let NAME and --move-after be absolute or leave the remote directory"],
    ["--connections N", "read a file larger than 8 MiB as ranges over N sessions at once, 1 to 64 (default 1)"],
  ],
  maxPositionals: 1,
  abortable: true,
  examples: [
    "sftp-connector get in/orders.csv -o ./downloads/ --delete-after",
    "sftp-connector get report.txt -o - | less",
    "sftp-connector get backups/db.dump -o ./db.dump --connections 4",
  ],
  async run({ args, connector, out, cwd, signal }) {
    const name = args.positionals[0];
    if (name === undefined || name.trim() === "") throw new UsageError("get needs the NAME of the remote file", "get");
    const connections = args.integer("connections", 1, MAX_CONNECTIONS);
    const target = await outputTarget(args.string("output"), cwd);
    const localPath =
      target.kind === "file" ? target.path : target.kind === "directory" ? resolveLocalTarget(target.path, posix.basename(name.trim())) : undefined;

    const bar = out.progress(posix.basename(name));
    try {
      const moveAfter = args.string("move-after");
      const document = await connector.get(
        { fileName: name },
        {
          as: "stream",
          failIfNotFound: true,
          deleteAfter: args.flag("delete-after"),
          failDeleteAfter: args.flag("fail-delete-after"),
          ...(moveAfter === undefined ? {} : { moveAfter }),
          createDirectories: args.flag("create-directories"),
          overwrite: args.flag("overwrite"),
          includeAllMetadata: args.flag("include-all-metadata"),
          allowAbsolutePaths: args.flag("allow-absolute-paths"),
          ...(connections === undefined ? {} : { connections }),
          onProgress: (bytes) => bar.update(bytes),
          signal,
        },
      );
      if (document === undefined) throw new SftpConnectorError("NO_SUCH_FILE", `File Not Found: ${quotePath(name)}`, { operation: "get", path: name }); // not reached: failIfNotFound
      if (document.properties.size !== undefined) bar.configure({ total: document.properties.size });
      const content = document.content as Readable;
      if (localPath === undefined) await out.content(content);
      else await writeLocalFile(localPath, content, { createDirectories: target.kind === "directory" });
      bar.done();
      const record: SavedDocument = { ...document.properties, ...(localPath === undefined ? {} : { localPath }) };
      if (out.json) await out.record(record, localPath === undefined);
      else if (localPath !== undefined) for (const line of formatRows([record])) await out.line(line);
      return 0;
    } finally {
      bar.done();
    }
  },
};

/** The readable lines of saved documents. */
function formatRows(records: readonly SavedDocument[]): string[] {
  return formatTable(SAVED_DOCUMENT_COLUMNS, records);
}
