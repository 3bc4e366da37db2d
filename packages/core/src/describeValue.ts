// How an operation's input and option problems show a wrong value: strings quoted, objects and arrays by kind.

/**
 * A short rendering of a wrong (non-secret) value for a problem line: a string as JSON (`"yes"`),
 * `null`, `an array`, `an object`, and anything else as `String(value)` (`42`, `NaN`, `undefined`).
 *
 * @example
 * ```ts
 * `retry.attempts: expected an integer of 0 or more, got ${describeValue("3")}`; // … got "3"
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return String(value);
}
