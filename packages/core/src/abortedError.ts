// ABORTED: the error an operation rejects with when its AbortSignal fires, and the check of a `signal` option.
import { SftpConnectorError } from "./SftpConnectorError.js";
import { describeValue } from "./describeValue.js";
import { quotePath } from "./quotePath.js";

/**
 * The `ABORTED` error of `operation` on `path`: message `"<operation> of '<path>' aborted"` (the path as {@link quotePath} shows it), the
 * signal's `reason` as cause, never retryable.
 */
export function abortedError(operation: string, path: string | undefined, signal?: AbortSignal): SftpConnectorError {
  return new SftpConnectorError("ABORTED", path === undefined ? `${operation} aborted` : `${operation} of ${quotePath(path)} aborted`, {
    operation,
    path,
    cause: signal?.reason,
    retryable: false,
  });
}

/**
 * Checks an operation's `signal` option: `undefined` or an `AbortSignal`.
 * @throws SftpConnectorError INVALID_INPUT naming `signal`.
 */
export function checkSignalOption(value: unknown, operation: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) {
    throw new SftpConnectorError("INVALID_INPUT", `signal: expected an AbortSignal, got ${describeValue(value)}`, { operation });
  }
  return value;
}

/** Throws {@link abortedError} when `signal` is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, operation: string, path?: string): void {
  if (signal?.aborted) throw abortedError(operation, path, signal);
}
