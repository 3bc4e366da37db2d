// `sftp-connector delete NAME…`: deletes remote files, every one attempted, one result line each.
import { isSftpConnectorError, quotePath, type SftpConnectorError } from "@sftp-connector/core";
import type { DeleteResult } from "@sftp-connector/delete";
import type { CommandSpec } from "./CommandSpec.js";
import { formatTable } from "./formatTable.js";
import { UsageError } from "./UsageError.js";

/** A delete result as printed: Boomi's ID, the path, whether it was deleted, and why not. */
function recordOf(result: DeleteResult): Record<string, unknown> {
  return { fileName: result.fileName, path: result.path, deleted: result.deleted, ...(result.reason === undefined ? {} : { reason: result.reason }) };
}

function outcome(result: DeleteResult): string {
  if (result.deleted) return "deleted";
  if (result.error) return `failed (${result.error.reason})`;
  return result.reason === "NO_SUCH_FILE" ? "not found" : `not deleted (${result.reason ?? "unknown"})`;
}

/** `delete`. */
export const deleteCommand: CommandSpec = {
  name: "delete",
  summary: "Delete remote files (DELETE)",
  usage: "delete NAME... [options]",
  description: [
    "Deletes each NAME (relative to the remote directory). Every NAME is attempted even when one fails.",
    "A missing file is reported as not found and is not an error, unless --fail-if-not-found.",
  ],
  options: {
    "fail-if-not-found": { type: "boolean" },
    "allow-absolute-paths": { type: "boolean" },
  },
  optionHelp: [
    ["--fail-if-not-found", "a missing file is an error (NO_SUCH_FILE)"],
    ["--allow-absolute-paths", "let NAMEs be absolute or leave the remote directory"],
  ],
  maxPositionals: Number.MAX_SAFE_INTEGER,
  abortable: true,
  examples: ["sftp-connector delete in/a.csv in/b.csv --fail-if-not-found"],
  async run({ args, connector, out, signal }) {
    if (args.positionals.length === 0) throw new UsageError("delete needs at least one NAME", "delete");
    let results: readonly DeleteResult[];
    let failed: SftpConnectorError | undefined;
    try {
      results = await connector.delete(
        { ids: args.positionals },
        { failIfNotFound: args.flag("fail-if-not-found"), allowAbsolutePaths: args.flag("allow-absolute-paths"), signal },
      );
    } catch (error) {
      // A DeleteFilesError: some IDs failed, every one was attempted, and it carries each result.
      const carried = (error as { results?: unknown }).results;
      if (!isSftpConnectorError(error) || !Array.isArray(carried)) throw error;
      failed = error;
      results = carried as DeleteResult[];
    }
    // Interrupted: what was done is printed, the IDs not attempted are not, and the command reports one "interrupted" line.
    const interrupted = failed?.reason === "ABORTED";
    if (interrupted) {
      results = results.filter((result) => result.error?.reason !== "ABORTED");
      if (results.length === 0) throw failed;
    }
    if (out.json) {
      for (const result of results) await out.record(recordOf(result));
    } else {
      const columns = [
        { header: "NAME", value: (r: DeleteResult) => r.fileName },
        { header: "PATH", value: (r: DeleteResult) => r.path },
        { header: "RESULT", value: outcome },
      ];
      for (const line of formatTable(columns, results)) await out.line(line);
    }
    if (interrupted) throw failed;
    if (!failed) return 0;
    for (const result of results.filter((r) => r.error !== undefined))
      out.error(result.error?.reason ?? "FAILURE", result.error?.message ?? `cannot delete ${quotePath(result.path)}`);
    return 1;
  },
};
