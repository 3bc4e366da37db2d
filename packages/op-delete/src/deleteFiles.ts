// DELETE: removes one or many remote files by ID, Boomi's way (not found is success), processing every ID and reporting each.
import { SftpConnectorError, abortedError, isSftpConnectorError, quotePath, resolveRemoteFile, throwIfAborted, type ErrorReason } from "@sftp-connector/core";
import { isRetryable, isSessionProvider, withSessionTarget, type SessionTarget, type SftpSession } from "@sftp-connector/transport";
import {
  invalidInput,
  normalizeDeleteInput,
  type DeleteFileOptions,
  type DeleteFilesInput,
  type DeleteFilesOptions,
  type NormalizedDeleteOptions,
} from "./DeleteFilesOptions.js";

const OPERATION = "delete";

/** What DELETE runs on: one open session, or a provider (a pool) that lends sessions. @deprecated Use `SessionTarget` from `@sftp-connector/transport`. */
export type SessionSource = SessionTarget;

/** What happened to one ID. */
export interface DeleteResult {
  /** The name as given (trimmed): Boomi's object ID. */
  fileName: string;
  /** The absolute path it resolved to. */
  path: string;
  /** True when this call removed the file. */
  deleted: boolean;
  /** Why it was not deleted: `NO_SUCH_FILE` for a missing file, else the failure's reason. */
  reason?: ErrorReason;
  /** The failure, when this ID failed (a missing file fails only with `failIfNotFound`). */
  error?: SftpConnectorError;
}

/**
 * The error of a DELETE in which some IDs failed. Every ID was still attempted (unless the
 * connection was lost for good); `results` has one entry per
 * ID, in input order, and `failures` those that failed. With one failure, its reason, message and
 * path are the error's; with several, the reason is theirs when they share it (else `FAILURE`)
 * and the message lists each.
 */
export class DeleteFilesError extends SftpConnectorError {
  /** One result per ID, in input order. */
  readonly results: readonly DeleteResult[];

  constructor(reason: ErrorReason, message: string, results: readonly DeleteResult[], options: { path?: string; cause?: unknown; retryable?: boolean } = {}) {
    super(reason, message, { operation: OPERATION, path: options.path, cause: options.cause, retryable: options.retryable ?? false });
    this.name = "DeleteFilesError";
    this.results = Object.freeze([...results]);
  }

  /** The results that failed. */
  get failures(): DeleteResult[] {
    return this.results.filter((result) => result.error !== undefined);
  }
}

const reasonOf = (error: unknown): ErrorReason => (isSftpConnectorError(error) ? error.reason : "FAILURE");
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

interface Target {
  fileName: string;
  field: string;
  path: string;
}

/**
 * DELETE (Boomi SFTP V2): removes each file named in `ids` (or the one `fileName`) from the
 * effective remote directory and resolves with one {@link DeleteResult} per ID, in order.
 *
 * - A missing file is success with `deleted: false, reason: "NO_SUCH_FILE"` (Boomi), or a failure
 *   with `failIfNotFound` (`NO_SUCH_FILE` "File Not Found: '<path>'"). A file in a remote directory
 *   that does not exist is just as missing: Boomi answers success for a file that is not there.
 * - A directory is an `INVALID_INPUT` failure naming it (DELETE removes files only); permission
 *   denied is `PERMISSION_DENIED` with Boomi's "An error occurred while removing the file at path '<p>'".
 * - One failing ID does not stop the others: every ID is attempted, then, if any failed, the
 *   call rejects with a {@link DeleteFilesError} listing the failures and carrying every result.
 * - Blank, absolute or escaping names, and bad options, are `INVALID_INPUT` for the whole call
 *   before any file is touched (a blank one with Boomi's message for blank file names).
 * - With a `SessionProvider`, a lost connection is retried on a fresh session (`retry.attempts`),
 *   going on with the first ID not yet done; an ID whose delete was in flight when the connection
 *   dropped and that is gone on the retry counts as deleted.
 *
 * A symbolic link is removed itself, not its target.
 *
 * @example
 * ```ts
 * const results = await deleteFiles(session, { ids: ["a.csv", "in/b.csv"], remoteDirectory: "/data" });
 * // [{ fileName: "a.csv", path: "/data/a.csv", deleted: true }, { fileName: "in/b.csv", path: "/data/in/b.csv", deleted: false, reason: "NO_SUCH_FILE" }]
 * ```
 */
export async function deleteFiles(target: SessionTarget, input: DeleteFilesInput, options: DeleteFilesOptions = {}): Promise<DeleteResult[]> {
  // With a session, names are checked against its directory here too, so every problem is listed at once.
  const resolveDirectory = isSessionProvider(target) ? undefined : (perCall: string | undefined) => target.resolveDirectory(perCall);
  const { input: checked, options: opts } = normalizeDeleteInput(input, options, resolveDirectory);
  if (checked.names.length === 0) return [];
  throwIfAborted(opts.signal, OPERATION, checked.names[0]?.name);
  let targets: Target[] | undefined;
  const results: DeleteResult[] = [];
  /** The ID whose unlink was cut by a lost connection (its outcome is unknown). */
  const cut = { index: -1 };

  try {
    await withSessionTarget(
      target,
      async (s, attempt) => {
        const directory = s.resolveDirectory(checked.remoteDirectory);
        targets ??= resolveTargets(directory, checked.names, opts);
        for (let index = results.length; index < targets.length; index += 1) {
          const file = targets[index]!;
          if (opts.signal?.aborted) throw abortedError(OPERATION, file.path, opts.signal);
          const resumed = attempt > 0 && index === cut.index;
          const onCut = () => void (cut.index = index);
          results.push(await deleteOne(s, file, { resumed, onCut }, opts));
        }
      },
      { ...opts.retry, logger: opts.logger, operation: OPERATION, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  } catch (error) {
    if (targets === undefined) throw error; // bad input: nothing was attempted
    const cause = isSftpConnectorError(error) ? error : new SftpConnectorError("FAILURE", messageOf(error), { operation: OPERATION, cause: error });
    const done = results.length;
    for (const file of targets.slice(done)) {
      results.push({ fileName: file.fileName, path: file.path, deleted: false, reason: cause.reason, error: cause });
    }
    const suffix = targets.length > 1 ? ` (${done} of ${targets.length} IDs were processed before it)` : "";
    throw new DeleteFilesError(cause.reason, `${cause.message}${suffix}`, results, { path: cause.path, cause, retryable: cause.retryable });
  }

  const failures = results.filter((result) => result.error !== undefined);
  if (failures.length === 0) return results;
  if (failures.length === 1) {
    const error = failures[0]!.error!;
    throw new DeleteFilesError(error.reason, error.message, results, { path: error.path, cause: error });
  }
  const reasons = new Set(failures.map((failure) => failure.reason));
  const reason = reasons.size === 1 ? failures[0]!.reason! : "FAILURE";
  const lines = failures.map((failure) => `  - ${failure.error!.message}`).join("\n");
  throw new DeleteFilesError(reason, `${failures.length} of ${results.length} files could not be deleted:\n${lines}`, results);
}

/**
 * DELETE of one file: resolves with its {@link DeleteResult} (`deleted: false` when it did not
 * exist), or rejects with a {@link DeleteFilesError} whose reason and message are the failure's.
 *
 * @example
 * ```ts
 * const { deleted } = await deleteFile(session, "out/report.csv", { failIfNotFound: true });
 * ```
 */
export async function deleteFile(target: SessionTarget, fileName: string, options: DeleteFileOptions = {}): Promise<DeleteResult> {
  const { remoteDirectory, ...rest } = options ?? {};
  const [result] = await deleteFiles(target, { fileName, remoteDirectory }, rest);
  return result!;
}

/** Resolves every name, reporting every blank, absolute or escaping one at once. */
function resolveTargets(directory: string, names: { name: string; field: string }[], opts: NormalizedDeleteOptions): Target[] {
  const problems: string[] = [];
  const targets: Target[] = [];
  for (const { name, field } of names) {
    try {
      const { path } = resolveRemoteFile(directory, name, { allowAbsolutePaths: opts.allowAbsolutePaths, operation: OPERATION, field });
      targets.push({ fileName: name, field, path });
    } catch (error) {
      problems.push(messageOf(error));
    }
  }
  if (problems.length > 0) throw invalidInput(problems, directory);
  return targets;
}

/**
 * Deletes one file. Failures of this file become its result; a lost connection or a timeout is
 * thrown (to reconnect and retry). A file that is not there (in a remote directory that is missing
 * too, or that is a file) is "not found", as in Boomi.
 */
async function deleteOne(
  session: SftpSession,
  target: Target,
  progress: { resumed: boolean; onCut: () => void },
  opts: NormalizedDeleteOptions,
): Promise<DeleteResult> {
  const { fileName, path } = target;
  const fail = (error: SftpConnectorError): DeleteResult => ({ fileName, path, deleted: false, reason: error.reason, error });
  try {
    await session.unlink(path);
    opts.logger.debug(`deleted ${quotePath(path)}`, { path });
    return { fileName, path, deleted: true };
  } catch (error) {
    if (isRetryable(error)) {
      progress.onCut();
      throw error;
    }
    const reason = reasonOf(error);
    if (reason === "NO_SUCH_FILE") {
      // The delete in flight when the connection dropped may have run before its answer was lost.
      if (progress.resumed) return { fileName, path, deleted: true };
      if (opts.failIfNotFound) {
        return fail(new SftpConnectorError("NO_SUCH_FILE", `File Not Found: ${quotePath(path)}`, { operation: OPERATION, path, cause: error }));
      }
      opts.logger.info(`${quotePath(path)} does not exist; nothing to delete`, { path });
      return { fileName, path, deleted: false, reason: "NO_SUCH_FILE" };
    }
    if (reason === "FAILURE" || reason === "PERMISSION_DENIED") {
      const stats = await session.lstat(path).catch((statError: unknown) => {
        if (isRetryable(statError)) throw statError;
        return undefined;
      });
      if (stats?.isDirectory) {
        return fail(
          new SftpConnectorError("INVALID_INPUT", `${target.field}: ${quotePath(path)} is a directory; DELETE removes files only`, {
            operation: OPERATION,
            path,
            cause: error,
          }),
        );
      }
    }
    return fail(
      new SftpConnectorError(reason, `An error occurred while removing the file at path ${quotePath(path)} Cause: ${messageOf(error)}`, {
        operation: OPERATION,
        path,
        cause: error,
        retryable: false,
      }),
    );
  }
}
