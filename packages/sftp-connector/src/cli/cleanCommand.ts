// `sftp-connector clean --older-than 1h`: removes the upload temporary files killed processes left behind, one line each.
import { parseOlderThan, type CleanedTemporaryFile } from "@sftp-connector/delete";
import type { CommandSpec } from "./CommandSpec.js";
import { formatTable } from "./formatTable.js";
import { UsageError } from "./UsageError.js";

function outcome(file: CleanedTemporaryFile, dryRun: boolean): string {
  if (file.removed) return "removed";
  if (file.error) return `failed (${file.error.reason})`;
  return dryRun ? "would remove" : "kept";
}

/** `clean`. */
export const cleanCommand: CommandSpec = {
  name: "clean",
  summary: "Remove orphaned upload temporary files (.NAME.UUID.sftp-tmp)",
  usage: "clean --older-than DURATION [--dry-run] [--recursive] [options]",
  description: [
    "Removes, from the remote directory (--remote-dir, else the config's, else the home directory), the temporary files",
    "uploads write before renaming into place (.NAME.UUID.sftp-tmp) that were not modified for --older-than: what a killed",
    "process leaves behind. Only that exact pattern is touched, never other files. An upload in progress keeps its file fresh.",
    "With --json one object per file {path, size, modifiedDate, removed} (plus reason when it could not be removed).",
  ],
  options: {
    "older-than": { type: "string" },
    "dry-run": { type: "boolean" },
    recursive: { type: "boolean" },
  },
  optionHelp: [
    ["--older-than DURATION", "required: only files unmodified for this long, e.g. 30m, 1h, 2d (units ms, s, m, h, d)"],
    ["--dry-run", "only list what would be removed"],
    ["--recursive", "every sub-directory too, at any depth"],
  ],
  maxPositionals: 0,
  abortable: true,
  examples: ["sftp-connector clean --remote-dir inbox --older-than 1h --dry-run"],
  async run({ args, connector, out, signal }) {
    const text = args.string("older-than");
    if (text === undefined)
      throw new UsageError("--older-than is required (e.g. --older-than 1h), so that uploads in progress are never removed", "clean", "--older-than");
    let olderThan: number;
    try {
      olderThan = parseOlderThan(text);
    } catch {
      throw new UsageError(`--older-than: expected a duration such as 30m, 1h or 2d, got ${JSON.stringify(text)}`, "clean", "--older-than");
    }
    const dryRun = args.flag("dry-run");
    const files = await connector.cleanTemporaryFiles({ olderThan, dryRun, recursive: args.flag("recursive"), signal });
    if (out.json) {
      for (const file of files) {
        await out.record({
          path: file.path,
          size: file.size,
          modifiedDate: file.modifiedDate,
          removed: file.removed,
          ...(file.error ? { reason: file.error.reason } : {}),
        });
      }
    } else if (files.length === 0) {
      out.note("no orphaned temporary files");
    } else {
      const columns = [
        { header: "PATH", value: (f: CleanedTemporaryFile) => f.path },
        { header: "SIZE", value: (f: CleanedTemporaryFile) => f.size, align: "right" as const },
        { header: "MODIFIED", value: (f: CleanedTemporaryFile) => f.modifiedDate },
        { header: "RESULT", value: (f: CleanedTemporaryFile) => outcome(f, dryRun) },
      ];
      for (const line of formatTable(columns, files)) await out.line(line);
    }
    const failed = files.filter((f) => f.error !== undefined);
    for (const { error, path } of failed) {
      // With --json, errors are JSON on stderr too, as every command's are.
      if (out.json) await out.record({ error: { reason: error!.reason, message: error!.message, path } }, true);
      else out.error(error!.reason, error!.message);
    }
    return failed.length === 0 ? 0 : 1;
  },
};
