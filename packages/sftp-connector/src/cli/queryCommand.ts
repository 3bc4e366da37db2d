// `sftp-connector query [-o DIR|-]`: downloads every file that passes a filter into a local directory, never outside it.
import { mkdir, rmdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Readable } from "node:stream";
import { isSftpConnectorError, throwIfAborted } from "@sftp-connector/core";
import type { CommandSpec } from "./CommandSpec.js";
import { TableWriter } from "./formatTable.js";
import { SAVED_DOCUMENT_COLUMNS, type SavedDocument } from "./getCommand.js";
import { SCAN_OPTIONS, SCAN_OPTION_HELP, scanOptions } from "./listCommand.js";
import { resolveLocalTarget } from "./resolveLocalTarget.js";
import { UsageError } from "./UsageError.js";
import { localFileError, writeLocalFile } from "./writeLocalFile.js";

/**
 * Removes `directory` and its parents up to `created` (the first one this run created), each only
 * while it is empty: a failed query leaves no empty directory of its own behind, and never
 * touches one that was there before or that holds anything.
 */
async function removeEmptyDirectories(directory: string, created: string): Promise<void> {
  const top = resolve(created);
  for (let current = resolve(directory); ; current = dirname(current)) {
    if (
      !(await rmdir(current).then(
        () => true,
        () => false,
      ))
    )
      return;
    if (current === top || dirname(current) === current) return;
  }
}

/** `query`. */
export const queryCommand: CommandSpec = {
  name: "query",
  summary: "Download the files that pass a filter (QUERY)",
  usage: "query [-o DIR|-] [options]",
  description: [
    "Downloads the files of the remote directory that pass --filter into DIR (default: the current",
    "directory; created when missing), sub-directories (with --recursive/--depth) as sub-directories of DIR.",
    "A server-provided name that would land outside DIR (an absolute name or a '..' component) is refused.",
    "-o - writes every file's content to stdout, one after the other (with --json the property lines go to",
    "stderr). Files that fail are reported on",
    "stderr and the others still downloaded; the exit code is then 1.",
  ],
  options: {
    output: { type: "string", short: "o" },
    ...SCAN_OPTIONS,
    "include-all-metadata": { type: "boolean" },
    concurrency: { type: "string" },
    "on-error": { type: "string" },
  },
  optionHelp: [
    ["-o, --output DIR|-", "where the files go (default: the current directory)"],
    ...SCAN_OPTION_HELP,
    ["--include-all-metadata", 'write {"fileContent": "…", "modifiedDate": "…"} instead of each raw content'],
    ["--concurrency N", "files downloading at once (default 4)"],
    ["--on-error report|skip|fail", "a file that cannot be fetched: report it and go on (default), skip it with a warning, or stop"],
  ],
  maxPositionals: 0,
  abortable: true,
  examples: ["sftp-connector query --remote-dir out --filter 'fileName ~ \"*.xml\" and fileSize > 0' -o ./inbox"],
  async run({ args, connector, out, cwd, signal }) {
    const scan = scanOptions(args, "query");
    const concurrency = args.integer("concurrency", 1, 64);
    const onError = args.string("on-error");
    if (onError !== undefined && onError !== "report" && onError !== "skip" && onError !== "fail") {
      throw new UsageError(`--on-error: expected report, skip or fail, got ${JSON.stringify(onError)}`, "query");
    }
    const output = args.string("output");
    const toStdout = output === "-";
    const directory = toStdout ? undefined : resolve(cwd, output ?? ".");
    const created =
      directory === undefined
        ? undefined
        : await mkdir(directory, { recursive: true }).catch((error: unknown) => Promise.reject(localFileError(error, "create the directory", directory)));

    const moved = new Map<string, number>();
    let done = 0;
    const bar = out.progress("query");
    const progress = () => {
      let bytes = 0;
      for (const value of moved.values()) bytes += value;
      bar.update(bytes);
    };
    const table = out.json || toStdout ? undefined : new TableWriter(SAVED_DOCUMENT_COLUMNS, (line) => out.line(line), { bufferRows: 0 });
    let failures = 0;
    const fail = (reason: string, message: string) => {
      failures++;
      out.error(reason, message);
    };
    let failed = true;
    try {
      const items = connector.query(
        {},
        {
          ...scan,
          as: "stream",
          includeAllMetadata: args.flag("include-all-metadata"),
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(onError === undefined ? {} : { onError }),
          signal,
          onProgress: (bytes, properties) => {
            moved.set(`${properties.remoteDirectory}/${properties.fileName}`, bytes);
            progress();
          },
        },
      );
      for await (const item of items) {
        if ("error" in item) {
          // Interrupted: one "interrupted" line, not an error line per file cut short.
          throwIfAborted(signal, "query");
          fail(item.error.reason, item.error.message);
          continue;
        }
        const content = item.content as Readable;
        const record: SavedDocument = { ...item.properties };
        try {
          if (directory === undefined) {
            await out.content(content);
          } else {
            record.localPath = resolveLocalTarget(directory, item.properties.fileName);
            await writeLocalFile(record.localPath, content, { createDirectories: true });
          }
        } catch (error) {
          content.destroy();
          if (!isSftpConnectorError(error)) throw error;
          throwIfAborted(signal, "query", item.properties.fileName);
          fail(error.reason, error.message);
          continue;
        }
        bar.configure({ label: `query: ${++done} file${done === 1 ? "" : "s"}` });
        if (out.json) await out.record(record, toStdout);
        else await table?.add(record);
      }
      await table?.end();
      failed = failures > 0;
    } finally {
      bar.done();
      if (failed && done === 0 && directory !== undefined && created !== undefined) await removeEmptyDirectories(directory, created);
    }
    return failures > 0 ? 1 : 0;
  },
};
