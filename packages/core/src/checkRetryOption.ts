// Checks an operation's `retry` option ({ attempts, backoffMs }) and fills in its defaults.
import type { NormalizedRetryOptions } from "./ConnectionConfig.js";
import { describeValue } from "./describeValue.js";

/** The `retry` an operation runs with when none is given: one retry after one second (Boomi retries once). */
export const RETRY_OPTION_DEFAULTS: Readonly<NormalizedRetryOptions> = Object.freeze({ attempts: 1, backoffMs: 1_000 });

/**
 * Checks an operation's `retry` option: `undefined`/`null` or an object whose `attempts` is an
 * integer of 0 or more and whose `backoffMs` is a finite number of 0 or more (each optional).
 * Each problem is pushed to `problems` as a line naming its field (`retry.attempts: …`); the
 * result has the defaults ({@link RETRY_OPTION_DEFAULTS}) filled in, and is only meaningful when
 * no problem was found.
 *
 * @example
 * ```ts
 * const problems: string[] = [];
 * const retry = checkRetryOption(options.retry, problems); // { attempts: 1, backoffMs: 1000 } when not given
 * if (problems.length > 0) throw invalidInputError(problems, "get");
 * ```
 */
export function checkRetryOption(value: unknown, problems: string[]): NormalizedRetryOptions {
  const retry = value ?? {};
  if (typeof retry !== "object") {
    problems.push(`retry: expected an object { attempts, backoffMs }, got ${describeValue(retry)}`);
    return { ...RETRY_OPTION_DEFAULTS };
  }
  const { attempts, backoffMs } = retry as { attempts?: unknown; backoffMs?: unknown };
  if (attempts !== undefined && !(typeof attempts === "number" && Number.isInteger(attempts) && attempts >= 0)) {
    problems.push(`retry.attempts: expected an integer of 0 or more, got ${describeValue(attempts)}`);
  }
  if (backoffMs !== undefined && !(typeof backoffMs === "number" && Number.isFinite(backoffMs) && backoffMs >= 0)) {
    problems.push(`retry.backoffMs: expected a number of 0 or more, got ${describeValue(backoffMs)}`);
  }
  return {
    attempts: typeof attempts === "number" ? attempts : RETRY_OPTION_DEFAULTS.attempts,
    backoffMs: typeof backoffMs === "number" ? backoffMs : RETRY_OPTION_DEFAULTS.backoffMs,
  };
}
