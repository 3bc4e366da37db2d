// `sftp-connector list`: a remote directory's entries, streamed as JSON lines or a table.
import { posix } from "node:path";
import type { ListEntry } from "@sftp-connector/list";
import type { CommandSpec } from "./CommandSpec.js";
import type { OptionSpecs, ParsedArgv } from "./parseArgv.js";
import { TableWriter, type Column } from "./formatTable.js";
import { UsageError } from "./UsageError.js";

/** The options LIST and QUERY share. */
export const SCAN_OPTIONS = {
  count: { type: "string" },
  recursive: { type: "boolean" },
  depth: { type: "string" },
  filter: { type: "string" },
  "follow-symlinks": { type: "boolean" },
  "include-temporary-files": { type: "boolean" },
} as const satisfies OptionSpecs;

/** Help for {@link SCAN_OPTIONS}. */
export const SCAN_OPTION_HELP: ReadonlyArray<readonly [string, string]> = [
  ["--count N", "return at most N (default: all; -1 means all)"],
  ["--recursive", "one level of sub-directories too (same as --depth 1)"],
  ["--depth N|all", "levels of sub-directories to read"],
  [
    "--filter EXPR",
    `which entries: e.g. 'fileName ~ "*.csv" and fileSize > 0' (fields fileName, fileSize, modifiedDate; operators = != < > ~ =~; and, or, parentheses)`,
  ],
  ["--follow-symlinks", "follow symbolic links (else they are skipped)"],
  ["--include-temporary-files", "include uploads' temporary files (.NAME.UUID.sftp-tmp; else they are skipped; see clean)"],
];

/** Reads {@link SCAN_OPTIONS} into LIST/QUERY options. */
export function scanOptions(
  args: ParsedArgv,
  command: string,
): { count?: number; recursive: boolean; depth?: number; filter?: string; followSymlinks: boolean; includeTemporaryFiles: boolean } {
  const depthText = args.string("depth");
  let depth: number | undefined;
  if (depthText !== undefined) {
    depth = depthText === "all" || depthText === "inf" || depthText === "infinity" ? Number.POSITIVE_INFINITY : args.integer("depth", 0);
  }
  const count = args.integer("count", -1);
  const filter = args.string("filter");
  if (filter !== undefined && filter.trim() === "") throw new UsageError("--filter: expected a filter expression such as 'fileName ~ \"*.csv\"'", command);
  return {
    ...(count === undefined ? {} : { count }),
    recursive: args.flag("recursive"),
    ...(depth === undefined ? {} : { depth }),
    ...(filter === undefined ? {} : { filter }),
    followSymlinks: args.flag("follow-symlinks"),
    includeTemporaryFiles: args.flag("include-temporary-files"),
  };
}

/** The readable columns of a listing; with sub-directories, the NAME column holds the entry's full path. */
export function listColumns(deep: boolean): Column<ListEntry>[] {
  return [
    { header: "MODE", value: (e) => `${e.isDirectory ? "d" : e.isSymbolicLink ? "l" : "-"}${e.permissions}` },
    { header: "SIZE", value: (e) => e.fileSize, align: "right", minWidth: 8 },
    { header: "MODIFIED", value: (e) => e.modifiedDate },
    { header: "NAME", value: (e) => (deep ? posix.join(e.directory, e.fileName) : e.fileName) + (e.isDirectory ? "/" : "") },
  ];
}

/** `list`. */
export const listCommand: CommandSpec = {
  name: "list",
  summary: "List a remote directory (LIST)",
  usage: "list [options]",
  description: [
    "Lists the remote directory (--remote-dir, else the config's, else the home directory), streamed:",
    "with --json one object per entry {fileName, directory, modifiedDate, fileSize, isDirectory, permissions, isSymbolicLink}.",
  ],
  options: {
    ...SCAN_OPTIONS,
    "recurse-into": { type: "string" },
    "on-error": { type: "string" },
  },
  optionHelp: [
    ...SCAN_OPTION_HELP,
    ["--recurse-into matching|all", "descend into sub-directories that pass the filter (default), or all of them"],
    ["--on-error skip|fail", "an unreadable sub-directory or broken link: skip it with a warning (default), or fail"],
  ],
  maxPositionals: 0,
  abortable: true,
  examples: ["sftp-connector list --remote-dir in --filter 'fileName ~ \"*.csv\"' --json"],
  async run({ args, connector, out, signal }) {
    const scan = scanOptions(args, "list");
    const recurseInto = args.string("recurse-into");
    if (recurseInto !== undefined && recurseInto !== "matching" && recurseInto !== "all")
      throw new UsageError(`--recurse-into: expected matching or all, got ${JSON.stringify(recurseInto)}`, "list");
    const onError = args.string("on-error");
    if (onError !== undefined && onError !== "skip" && onError !== "fail")
      throw new UsageError(`--on-error: expected skip or fail, got ${JSON.stringify(onError)}`, "list");
    const entries = connector.list(
      {},
      { ...scan, ...(recurseInto === undefined ? {} : { recurseInto }), ...(onError === undefined ? {} : { onError }), signal },
    );
    const deep = (scan.depth ?? (scan.recursive ? 1 : 0)) > 0;
    const table = out.json ? undefined : new TableWriter(listColumns(deep), (line) => out.line(line));
    for await (const entry of entries) {
      if (table) await table.add(entry);
      else await out.record(entry);
    }
    await table?.end();
    return 0;
  },
};
