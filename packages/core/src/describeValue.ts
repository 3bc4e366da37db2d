// How an operation's input and option problems show a wrong value: strings quoted, objects and arrays by kind.

/** Options of {@link describeValue}: which rendering a problem line uses. */
export interface DescribeValueOptions {
  /**
   * `"value"`: the value itself (`"yes"`, `42`, `undefined`), objects by kind (`an object`).
   * `"type"`: its `typeof` only (`string`, `number`, `object`, `function`).
   * `"typeAndValue"`: the `typeof` and the value (`string "yes"`, `number 42`, `undefined undefined`),
   * objects and functions by kind (`a object`, `a function`).
   * In every style `null` is `null` and an array is `an array`.
   * @default "value"
   */
  as?: "value" | "type" | "typeAndValue";
  /** With `as: "type"`: an object is shown with its own keys, `an object with keys [a, b]`. @default false */
  keys?: boolean;
}

/**
 * A short rendering of a wrong (non-secret) value for a problem line: a string as JSON (`"yes"`),
 * `null`, `an array`, `an object`, and anything else as `String(value)` (`42`, `NaN`, `undefined`).
 * `options.as` picks another style (the type alone, or type and value) for messages that have
 * always used one.
 *
 * @example
 * ```ts
 * `retry.attempts: expected an integer of 0 or more, got ${describeValue("3")}`; // … got "3"
 * `and: expected an array of filters, got ${describeValue("x", { as: "type" })}`; // … got string
 * ```
 */
export function describeValue(value: unknown, options: DescribeValueOptions = {}): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const as = options.as ?? "value";
  if (as === "type") {
    return typeof value === "object" && options.keys === true ? `an object with keys [${Object.keys(value).join(", ")}]` : typeof value;
  }
  if (as === "typeAndValue") {
    return typeof value === "object" || typeof value === "function" ? `a ${typeof value}` : `${typeof value} ${describeValue(value)}`;
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return String(value);
}
