// Exponential, capped backoff: how long to wait before trying again after a failed try.

/** Options of {@link retryDelay}. */
export interface RetryDelayOptions {
  /** The wait after the first try failed, in ms. */
  backoffMs: number;
  /** The longest wait, in ms. @default Infinity */
  maxMs?: number;
  /** What each further failure multiplies the wait by. @default 2 */
  factor?: number;
}

/**
 * The wait, in ms, after try number `attempt` failed (0 = the first try, so before the first retry):
 * `min(maxMs, backoffMs × factor^attempt)`; an `attempt` below 0 counts as 0.
 *
 * @example
 * ```ts
 * retryDelay(0, { backoffMs: 1000 }); // 1000: before the first retry
 * retryDelay(2, { backoffMs: 1000 }); // 4000: before the third
 * retryDelay(9, { backoffMs: 1000, maxMs: 60_000 }); // 60000
 * ```
 */
export function retryDelay(attempt: number, options: RetryDelayOptions): number {
  const { backoffMs, maxMs = Number.POSITIVE_INFINITY, factor = 2 } = options;
  return Math.min(maxMs, backoffMs * factor ** Math.max(0, attempt));
}
