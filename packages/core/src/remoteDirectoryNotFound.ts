// The errors of a remote directory that is missing or is not a directory: one factory each, one reason (NO_SUCH_FILE), Boomi's text.
import { SftpConnectorError, isSftpConnectorError } from "./SftpConnectorError.js";
import { quotePath } from "./quotePath.js";

/** Boomi's message for a missing effective remote directory (`ERROR_REMOTE_DIRECTORY_NOT_FOUND`); every such error starts with it. */
export const REMOTE_DIRECTORY_NOT_FOUND_MESSAGE = "Remote directory does not exist";

/** What is wrong with the remote directory: it is missing, or it exists and is not a directory. */
export type RemoteDirectoryProblem = "missing" | "notADirectory";

/** A marker shared by every copy of core, so {@link remoteDirectoryProblemOf} works across two installed copies. */
const MARK = Symbol.for("@sftp-connector/core/remoteDirectoryProblem");

/** Options of {@link remoteDirectoryNotFound} and {@link notADirectory}. */
export interface RemoteDirectoryErrorOptions {
  /** The underlying error (e.g. the failed `stat`). */
  cause?: unknown;
}

function mark(error: SftpConnectorError, problem: RemoteDirectoryProblem): SftpConnectorError {
  Object.defineProperty(error, MARK, { value: problem, enumerable: false });
  return error;
}

/**
 * The error of an operation whose remote directory does not exist: `NO_SUCH_FILE`,
 * "Remote directory does not exist: '<path>'" (Boomi's text, plus the path in {@link quotePath} quotes), not retryable.
 *
 * @example
 * ```ts
 * if (!(await session.statIfExists(dir))) throw remoteDirectoryNotFound(dir, "get");
 * ```
 */
export function remoteDirectoryNotFound(path: string, operation: string, options: RemoteDirectoryErrorOptions = {}): SftpConnectorError {
  return mark(
    new SftpConnectorError("NO_SUCH_FILE", `${REMOTE_DIRECTORY_NOT_FOUND_MESSAGE}: ${quotePath(path)}`, {
      operation,
      path,
      retryable: false,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    }),
    "missing",
  );
}

/**
 * The error of an operation whose remote directory exists but is a file (or another non-directory):
 * the same reason as a missing one, `NO_SUCH_FILE` (no directory of that name exists), with
 * "Remote directory does not exist: '<path>' is not a directory", not retryable.
 *
 * @example
 * ```ts
 * if (!stats.isDirectory) throw notADirectory(dir, "list");
 * ```
 */
export function notADirectory(path: string, operation: string, options: RemoteDirectoryErrorOptions = {}): SftpConnectorError {
  return mark(
    new SftpConnectorError("NO_SUCH_FILE", `${REMOTE_DIRECTORY_NOT_FOUND_MESSAGE}: ${quotePath(path)} is not a directory`, {
      operation,
      path,
      retryable: false,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    }),
    "notADirectory",
  );
}

/**
 * Whether an error (or an error in its `cause` chain) came from {@link remoteDirectoryNotFound} or
 * {@link notADirectory}, and which; `undefined` for any other error, e.g. a missing file.
 */
export function remoteDirectoryProblemOf(error: unknown): RemoteDirectoryProblem | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth += 1) {
    const problem = (current as Record<symbol, unknown>)[MARK];
    if (problem === "missing" || problem === "notADirectory") return problem;
    if (!isSftpConnectorError(current) && depth > 0) return undefined;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
