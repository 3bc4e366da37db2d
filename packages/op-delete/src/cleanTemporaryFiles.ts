// Removes the temporary files our uploads leave behind when their process is killed (`.<name>.<uuid>.sftp-tmp`), once they are old enough.
import {
  type SftpConnectorError,
  checkLoggerOption,
  checkOptions,
  checkRetryOption,
  checkSignalOption,
  describeValue,
  formatIsoSeconds,
  invalidInputError,
  isSftpConnectorError,
  quotePath,
  throwIfAborted,
  type RetryOptions,
} from "@sftp-connector/core";
import { withSessionTarget, type Logger, type SessionTarget } from "@sftp-connector/transport";
import { isTemporaryFileName } from "@sftp-connector/transport/upload";
import { walkDirectory } from "@sftp-connector/transport/scan";

const OPERATION = "cleanTemporaryFiles";

/** Options of {@link cleanTemporaryFiles}. */
export interface CleanTemporaryFilesOptions {
  /**
   * The directory to clean (relative paths resolve against the home directory).
   * @default the connection's `remoteDirectory`, else the home directory
   */
  remoteDirectory?: string;
  /**
   * Required, no default: how long a temporary file must have gone unmodified before it counts as
   * orphaned. A number of milliseconds, or a duration with its unit: `"90s"`, `"30m"`, `"1h"`, `"2d"`
   * (`ms`, `s`, `m`, `h`, `d`). Must be more than 0. An upload in progress writes to its temporary file
   * all the time, so its modification time stays fresh: pick more than the longest stall an upload may
   * have (an hour is a sound choice). The age is measured against this machine's clock.
   */
  olderThan: number | string;
  /** Only report what would be removed; touch nothing. @default false */
  dryRun?: boolean;
  /** Clean every sub-directory too, at any depth (symbolic links are not followed). @default false */
  recursive?: boolean;
  /** With a `SessionProvider`: after a lost connection, a fresh session goes on with the files not yet removed. @default { attempts: 1, backoffMs: 1000 } */
  retry?: RetryOptions;
  /** Told about each file removed and each that could not be (info; the result carries the error), and retries (warn). @default silent */
  logger?: Logger;
  /** Stops the clean-up before the next file (rejects with `ABORTED`). @default none */
  signal?: AbortSignal;
}

/** One orphaned temporary file {@link cleanTemporaryFiles} found. */
export interface CleanedTemporaryFile {
  /** Its absolute path. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Its modification time, `2026-03-23T12:08:56Z`. */
  modifiedDate: string;
  /** True when this call removed it; false in a dry run, or when removing it failed (see `error`). */
  removed: boolean;
  /** Why it could not be removed (a file that vanished meanwhile is not listed at all). */
  error?: SftpConnectorError;
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `olderThan` in milliseconds: a number of ms, or a duration with its unit (`"90s"`, `"30m"`, `"1h"`, `"2d"`).
 * @throws SftpConnectorError INVALID_INPUT naming `olderThan` when it is missing, not more than 0, or has no unit.
 *
 * @example
 * ```ts
 * parseOlderThan("1h"); // 3600000
 * ```
 */
export function parseOlderThan(value: unknown): number {
  const problem = olderThanProblem(value);
  if (problem !== undefined) throw invalidInputError([problem], OPERATION);
  return toMs(value as number | string);
}

function toMs(value: number | string): number {
  if (typeof value === "number") return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/u.exec(value)!;
  return Number(match[1]) * UNITS[match[2]!]!;
}

function olderThanProblem(value: unknown): string | undefined {
  const expected = 'olderThan: expected a number of ms or a duration such as "30m", "1h" or "2d" (more than 0)';
  if (value === undefined) return `${expected}; it is required, so that uploads in progress are never removed`;
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? undefined : `${expected}, got ${describeValue(value)}`;
  if (typeof value !== "string") return `${expected}, got ${describeValue(value)}`;
  if (/^\s*\d+(?:\.\d+)?\s*$/u.test(value)) return `${expected}, got ${JSON.stringify(value)}: give the unit ("${value.trim()}s"? "${value.trim()}m"?)`;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/u.exec(value);
  if (!match || Number(match[1]) <= 0) return `${expected}, got ${JSON.stringify(value)}`;
  return undefined;
}

/**
 * Removes the orphaned temporary files of our uploads from a remote directory: files named as
 * uploads name them before renaming into place (`.<name>.<uuid>.sftp-tmp`, see `isTemporaryFileName`)
 * whose modification time is more than `olderThan` ago. A process killed mid-upload (SIGKILL, a
 * crash, a power cut) leaves one behind; LIST, QUERY and LISTEN skip them, so nothing else does.
 *
 * Only that exact pattern is touched, never a user's file that merely looks like it, nor a
 * directory, nor the target of a symbolic link; names chosen with `tempFileName`/`tempExtension`
 * are not recognised. Resolves with every orphan found, oldest first, then by path (`removed: false` with
 * `dryRun`). With a `SessionProvider`, a lost connection is retried on a fresh session that goes on
 * with the files not yet removed (one whose removal was cut and is gone counts as removed). A file that cannot be removed (permission denied) is reported with its `error`
 * and the others are still removed; one that vanished meanwhile (its upload finished) is left out.
 *
 * @throws SftpConnectorError INVALID_INPUT (before any request) for a missing or bad `olderThan` or
 * another bad option; NO_SUCH_FILE when the directory does not exist; `ABORTED` on `signal`; the
 * connection's error once retries are used up.
 *
 * @example
 * ```ts
 * const cleaned = await cleanTemporaryFiles(session, { remoteDirectory: "inbox", olderThan: "1h" });
 * for (const file of cleaned) console.log(file.path, file.size, file.removed);
 * ```
 */
export async function cleanTemporaryFiles(target: SessionTarget, options: CleanTemporaryFilesOptions): Promise<CleanedTemporaryFile[]> {
  const problems: string[] = [];
  const known = ["remoteDirectory", "olderThan", "dryRun", "recursive", "retry", "logger", "signal"];
  const opts = checkOptions(options as CleanTemporaryFilesOptions | undefined, { known, operation: OPERATION }, problems);
  const olderThanIssue = olderThanProblem(opts.olderThan);
  if (olderThanIssue !== undefined) problems.push(olderThanIssue);
  if (opts.remoteDirectory !== undefined && (typeof opts.remoteDirectory !== "string" || opts.remoteDirectory.includes("\0"))) {
    problems.push(`remoteDirectory: expected a path without NUL characters, got ${describeValue(opts.remoteDirectory)}`);
  }
  for (const key of ["dryRun", "recursive"] as const) {
    if (opts[key] !== undefined && typeof opts[key] !== "boolean") problems.push(`${key}: expected true or false, got ${describeValue(opts[key])}`);
  }
  const retry = checkRetryOption(opts.retry, problems);
  const logger = checkLoggerOption(opts.logger, problems);
  if (problems.length > 0) throw invalidInputError(problems, OPERATION);
  const signal = checkSignalOption(opts.signal, OPERATION);
  throwIfAborted(signal, OPERATION);
  const cutoff = Date.now() - toMs(opts.olderThan);

  const found = new Map<string, CleanedTemporaryFile>();
  /** The file whose removal a lost connection cut (its outcome unknown until the next session looks). */
  let cut: CleanedTemporaryFile | undefined;
  await withSessionTarget(
    target,
    async (s) => {
      if (cut !== undefined) {
        const gone = await s.lstat(cut.path).then(
          () => false,
          (error: unknown) => {
            if (isSftpConnectorError(error) && error.reason === "NO_SUCH_FILE") return true;
            throw error;
          },
        );
        if (gone) found.set(cut.path, { ...cut, removed: true });
        cut = undefined;
      }
      const directory = s.resolveDirectory(opts.remoteDirectory);
      const walk = walkDirectory(s, directory, {
        depth: opts.recursive ? Number.POSITIVE_INFINITY : 0,
        filter: (entry) => entry.stats.isFile && isTemporaryFileName(entry.name) && entry.stats.modifiedAt.getTime() < cutoff,
        descend: () => true,
        includeDirectories: false,
        logger,
        operation: OPERATION,
      });
      const orphans = [];
      for await (const entry of walk) if (!found.has(entry.path)) orphans.push(entry);
      orphans.sort((a, b) => a.stats.modifiedAt.getTime() - b.stats.modifiedAt.getTime() || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const entry of orphans) {
        throwIfAborted(signal, OPERATION, entry.path);
        const file: CleanedTemporaryFile = { path: entry.path, size: entry.stats.size, modifiedDate: formatIsoSeconds(entry.stats.modifiedAt), removed: false };
        if (opts.dryRun) {
          found.set(file.path, file);
          continue;
        }
        try {
          await s.unlink(entry.path);
          file.removed = true;
          logger.info(`removed the orphaned temporary file ${quotePath(entry.path)} (${file.modifiedDate})`, { path: entry.path });
        } catch (error) {
          if (!isSftpConnectorError(error) || error.retryable) {
            cut = file;
            throw error;
          }
          if (error.reason === "NO_SUCH_FILE") continue; // renamed into place or removed by someone else meanwhile
          file.error = error;
          logger.info(`cannot remove the temporary file ${quotePath(entry.path)}: ${error.message}`, { path: entry.path, reason: error.reason });
        }
        found.set(file.path, file);
      }
    },
    { ...retry, logger, operation: OPERATION },
  );
  return [...found.values()];
}
