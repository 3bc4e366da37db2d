// Whether a failure may be cured by retrying (after reconnecting): the one decision, read from RETRY_RULES beside the reasons.
import { isSftpConnectorError, retryRuleOf, type ErrorReason, type SftpConnectorError } from "./SftpConnectorError.js";

/** Options of {@link isRetryable}. */
export interface IsRetryableOptions {
  /**
   * The try the error was met on: 0 for the first, 1 for the first retry, …. On a retry a
   * reason whose rule has `onRetry` (HOST_UNREACHABLE: a reconnect refused while the server
   * restarts) is retried even when the error says it is not. @default 0
   */
  attempt?: number;
}

/**
 * Whether a retry after reconnecting may cure a failure, as {@link RETRY_RULES} says.
 *
 * - Given a reason: that reason's default (`true` for CONNECTION_LOST, TIMEOUT and HOST_UNREACHABLE).
 * - Given an error: `true` for an {@link SftpConnectorError} (from any copy of core) whose reason is
 *   always retried (CONNECTION_LOST, TIMEOUT), or that is marked `retryable`, or, on a retry
 *   (`attempt > 0`), whose reason is retried on a retry (HOST_UNREACHABLE); `false` for anything else.
 *   A first connect that was refused is thus not retried (a wrong port is rarely transient), a
 *   reconnect that was refused is.
 *
 * @example
 * ```ts
 * isRetryable("TIMEOUT"); // true
 * catch (error) { if (!isRetryable(error, { attempt }) || attempt >= retries) throw error; … }
 * ```
 */
export function isRetryable(reason: ErrorReason, options?: IsRetryableOptions): boolean;
export function isRetryable(error: unknown, options?: IsRetryableOptions): error is SftpConnectorError;
export function isRetryable(reasonOrError: unknown, options: IsRetryableOptions = {}): boolean {
  if (typeof reasonOrError === "string") return retryRuleOf(reasonOrError)?.retryable ?? false;
  if (!isSftpConnectorError(reasonOrError)) return false;
  const rule = retryRuleOf(reasonOrError.reason);
  return rule?.always === true || reasonOrError.retryable || ((options.attempt ?? 0) > 0 && rule?.onRetry === true);
}
