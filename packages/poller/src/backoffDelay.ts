// Exponential, capped backoff: the wait before the n-th retry, as core's retryDelay computes it.
import { retryDelay } from "@sftp-connector/core";

/** Exponential backoff settings (all milliseconds except `factor`). */
export interface BackoffOptions {
  /** The wait after the first failure. @default the poller's intervalMs */
  initialMs?: number;
  /** The factor each further failure multiplies the wait by. @default 2 */
  factor?: number;
  /** The longest wait. @default 60_000, or intervalMs when that is longer */
  maxMs?: number;
}

/** Backoff settings with every default filled in. */
export interface NormalizedBackoff {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

/** The wait before retry number `failures` (1 after the first failure): `min(maxMs, initialMs × factor^(failures-1))`. */
export function backoffDelay(backoff: NormalizedBackoff, failures: number): number {
  return retryDelay(failures - 1, { backoffMs: backoff.initialMs, maxMs: backoff.maxMs, factor: backoff.factor });
}
