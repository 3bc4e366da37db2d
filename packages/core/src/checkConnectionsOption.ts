// Checks an operation's `connections` option: how many sessions one large file is moved over at once.
import { describeValue } from "./describeValue.js";

/** The most sessions one file may be moved over at once. */
export const MAX_CONNECTIONS = 64;

/**
 * Checks `connections` (an integer from 1 to {@link MAX_CONNECTIONS}; `undefined`/`null` is 1).
 * A problem is pushed to `problems` as a line naming the field; the result is 1 then.
 *
 * @example
 * ```ts
 * const problems: string[] = [];
 * const connections = checkConnectionsOption(options.connections, problems); // 1 when not given
 * ```
 */
export function checkConnectionsOption(value: unknown, problems: string[]): number {
  if (value === undefined || value === null) return 1;
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_CONNECTIONS) return value;
  problems.push(`connections: expected an integer from 1 to ${MAX_CONNECTIONS}, got ${describeValue(value)}`);
  return 1;
}
