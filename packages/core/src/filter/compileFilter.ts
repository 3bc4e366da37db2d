// Validates a filter once and compiles it into a predicate over directory entries, with Boomi's FileQueryFilter semantics.
import { SftpConnectorError, isSftpConnectorError } from "../SftpConnectorError.js";
import { FILTER_FIELDS, FILTER_OPERATORS, type Filter, type FilterEntry, type FilterField, type FilterOperator, type FilterPredicate } from "./Filter.js";
import { parseFilter } from "./parseFilter.js";
import { describeValue } from "../describeValue.js";
import { compilePattern } from "./compilePattern.js";

/** Options of {@link compileFilter}. */
export interface CompileFilterOptions {
  /** The fields this operation accepts, e.g. `QUERY_FILTER_FIELDS`; any other field is an "Unknown property". @default all of FILTER_FIELDS */
  allowedFields?: readonly FilterField[];
}

/** The deepest nesting of `and`/`or` groups a filter may have. */
export const MAX_FILTER_DEPTH = 64;

const ACCEPT_ALL: FilterPredicate = () => true;
const REJECT_ALL: FilterPredicate = () => false;
const PATTERN_ONLY_FOR_NAMES = "Pattern type operators (regex and wildcard) are currently only supported for filenames";
const COMPARISON_KEYS = ["field", "operator", "argument", "arguments"];

/**
 * Validates `filter` once and returns a predicate to test entries with. `undefined` accepts everything;
 * a string is read with {@link parseFilter} first.
 *
 * Semantics (Boomi's): `fileName` EQUALS/NOT_EQUALS/LESS_THAN/GREATER_THAN compare `entry.name` by UTF-16 code
 * unit, case-sensitively; REGEX and WILDCARD must match the whole of `entry.relativePath ?? entry.name` (see
 * {@link compilePattern}). `fileSize` compares bytes; `modifiedDate` compares whole seconds
 * (both the argument and the entry's mtime are truncated to the second). LESS_THAN and GREATER_THAN are strict.
 * `and` and `or` short-circuit; an empty `and` accepts, an empty `or` rejects.
 *
 * `modifiedDate` arguments are ISO-8601 dates: `2023-03-23T12:08:56Z`, `…+05:30`, `…+0530`, `…+05`, with or
 * without `.fraction`, `T` or a space between date and time, or a date alone (midnight). **Without a zone, UTC.**
 *
 * @throws SftpConnectorError INVALID_INPUT listing every problem found, each prefixed by its path in the tree
 * (`and[1].or[0].operator: …`).
 *
 * @example
 * ```ts
 * const accept = compileFilter({ and: [{ field: "fileName", operator: "WILDCARD", argument: "*.csv" },
 *   { field: "fileSize", operator: "GREATER_THAN", argument: "0" }] }, { allowedFields: QUERY_FILTER_FIELDS });
 * entries.filter(accept);
 * ```
 */
export function compileFilter(filter: Filter | string | undefined, options: CompileFilterOptions = {}): FilterPredicate {
  if (filter === undefined) return ACCEPT_ALL;
  const tree = typeof filter === "string" ? parseFilter(filter) : filter;
  const context: Context = { problems: [], allowed: options.allowedFields ?? FILTER_FIELDS };
  const predicate = compileNode(tree, "", 1, context);
  const { problems } = context;
  if (problems.length > 0) {
    throw new SftpConnectorError("INVALID_INPUT", `Invalid filter: ${problems.join("; ")}`, { problems, operation: "filter" });
  }
  return predicate;
}

interface Context {
  problems: string[];
  allowed: readonly FilterField[];
}

type Fields = Record<string, unknown>;

function compileNode(node: unknown, path: string, depth: number, context: Context): FilterPredicate {
  const problem = (message: string): FilterPredicate => {
    context.problems.push(`${path || "filter"}: ${message}`);
    return REJECT_ALL;
  };
  if (typeof node !== "object" || node === null || Array.isArray(node)) {
    return problem(`expected a filter object with "field", "and" or "or", got ${describeValue(node, { as: "type" })}`);
  }
  const fields = node as Fields;
  const shapes = ["field", "and", "or"].filter((key) => Object.hasOwn(fields, key));
  const [shape] = shapes;
  if (shape === undefined || shapes.length > 1) {
    const got = shapes.length > 1 ? `got ${shapes.map((s) => `"${s}"`).join(" and ")}` : `got keys ${describeKeys(fields)}`;
    return problem(`expected exactly one of "field", "and" or "or", ${got}`);
  }
  if (shape === "field") return compileComparison(fields, path, context);

  for (const key of Object.keys(fields)) {
    if (key !== shape) context.problems.push(`${join(path, key)}: unknown key (a group has only "${shape}")`);
  }
  const members = fields[shape];
  if (!Array.isArray(members)) {
    context.problems.push(`${join(path, shape)}: expected an array of filters, got ${describeValue(members, { as: "type" })}`);
    return REJECT_ALL;
  }
  if (depth > MAX_FILTER_DEPTH) return problem(`groups nested more than ${MAX_FILTER_DEPTH} deep`);
  const predicates = Array.from(members, (member: unknown, i) => compileNode(member, `${join(path, shape)}[${i}]`, depth + 1, context));
  return shape === "and" ? (entry) => predicates.every((p) => p(entry)) : (entry) => predicates.some((p) => p(entry));
}

function compileComparison(fields: Fields, path: string, context: Context): FilterPredicate {
  const problem = (key: string, message: string): undefined => void context.problems.push(`${join(path, key)}: ${message}`);
  for (const key of Object.keys(fields)) {
    if (!COMPARISON_KEYS.includes(key)) problem(key, `unknown key (a comparison has "field", "operator" and "argument")`);
  }

  const { field, operator } = fields;
  let knownField: FilterField | undefined;
  if (typeof field !== "string") problem("field", `expected a field name, got ${describeValue(field, { as: "type" })}`);
  else if (!isOneOf(FILTER_FIELDS, field)) problem("field", `Unknown property: ${field}`);
  else if (!context.allowed.includes(field)) {
    problem("field", `Unknown property: ${field} (not available here; use ${context.allowed.join(", ")})`);
  } else knownField = field;

  let knownOperator: FilterOperator | undefined;
  if (typeof operator !== "string" || !isOneOf(FILTER_OPERATORS, operator)) {
    const got = typeof operator === "string" ? `"${operator}"` : describeValue(operator, { as: "type" });
    problem("operator", `expected one of ${FILTER_OPERATORS.join(", ")}, got ${got}`);
  } else knownOperator = operator;

  const argument = readArgument(fields, problem);
  if (knownField === undefined || knownOperator === undefined || argument === undefined) return REJECT_ALL;

  const patternOperator = knownOperator === "REGEX" || knownOperator === "WILDCARD";
  if (patternOperator && knownField !== "fileName") {
    problem("operator", PATTERN_ONLY_FOR_NAMES);
    return REJECT_ALL; // the argument is a pattern, not a value: nothing more to check
  }
  if (knownField === "isDirectory" && knownOperator !== "EQUALS" && knownOperator !== "NOT_EQUALS") {
    problem("operator", "isDirectory supports only EQUALS and NOT_EQUALS");
  }
  const test = compareArgument(knownField, knownOperator, argument.value, (message) => problem(argument.key, message));
  return test ?? REJECT_ALL;
}

/** Reads Boomi's "exactly one argument", given as `argument` or as `arguments: [x]`. */
function readArgument(fields: Fields, problem: (key: string, message: string) => undefined): { key: string; value: string } | undefined {
  const exactlyOne = (n: number): string => `There should be exactly one argument. '${n}' given.`;
  const single = fields["argument"];
  const list = fields["arguments"];
  if (single !== undefined && list !== undefined) return problem("arguments", `give "argument" or "arguments", not both`);
  if (list !== undefined) {
    if (!Array.isArray(list)) return problem("arguments", `expected an array holding one string, got ${describeValue(list, { as: "type" })}`);
    if (list.length !== 1) return problem("arguments", exactlyOne(list.length));
    const [value] = list as unknown[];
    return typeof value === "string"
      ? { key: "arguments[0]", value }
      : problem("arguments[0]", `expected a string, got ${describeValue(value, { as: "type" })}`);
  }
  if (single === undefined) return problem("argument", exactlyOne(0));
  return typeof single === "string"
    ? { key: "argument", value: single }
    : problem("argument", `expected a string, got ${describeValue(single, { as: "type" })}`);
}

/** Validates the argument for the field and builds the test; undefined (after reporting) when the argument is invalid. */
function compareArgument(field: FilterField, operator: FilterOperator, argument: string, problem: (message: string) => undefined): FilterPredicate | undefined {
  switch (field) {
    case "fileName": {
      if (operator !== "REGEX" && operator !== "WILDCARD") return compare(operator, (e) => e.name, argument);
      try {
        const matches = compilePattern(operator, argument);
        return (entry) => matches(entry.relativePath ?? entry.name);
      } catch (error) {
        if (!isSftpConnectorError(error)) throw error;
        return problem(error.message);
      }
    }
    case "fileSize": {
      const size = Number(argument);
      if (!/^\d+$/.test(argument) || !Number.isSafeInteger(size)) {
        return problem(`"${argument}" is not a valid file size (expected a whole number of bytes, 0 to ${Number.MAX_SAFE_INTEGER})`);
      }
      return compare(operator, (e) => e.size, size);
    }
    case "modifiedDate": {
      const seconds = parseDateSeconds(argument);
      if (seconds === undefined) return problem(`Unable to parse date: "${argument}"`);
      return compare(operator, (e) => Math.floor((typeof e.mtime === "number" ? e.mtime : e.mtime.getTime()) / 1000), seconds);
    }
    case "isDirectory": {
      if (!/^(?:true|false)$/i.test(argument)) return problem(`"${argument}" is not a valid boolean value`);
      return compare(operator, (e) => e.isDirectory, argument.toLowerCase() === "true");
    }
  }
}

function compare<T extends string | number | boolean>(operator: FilterOperator, get: (entry: FilterEntry) => T, argument: T): FilterPredicate {
  switch (operator) {
    case "EQUALS":
      return (entry) => get(entry) === argument;
    case "NOT_EQUALS":
      return (entry) => get(entry) !== argument;
    case "LESS_THAN":
      return (entry) => get(entry) < argument;
    case "GREATER_THAN":
      return (entry) => get(entry) > argument;
    default:
      return REJECT_ALL; // REGEX and WILDCARD: handled (fileName) or reported (other fields) by the caller
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?([Zz]|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/** Parses an ISO-8601 date to whole epoch seconds (fraction dropped, no zone = UTC), or undefined when invalid. */
function parseDateSeconds(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (m === null) return undefined;
  const n = (group: number): number => Number(m[group] ?? 0);
  const date = new Date(0);
  date.setUTCFullYear(n(1), n(2) - 1, n(3));
  date.setUTCHours(n(4), n(5), n(6));
  const fieldsKept = // out-of-range parts (Feb 30, 24:00, :60) roll over and change another part
    date.getUTCFullYear() === n(1) &&
    date.getUTCMonth() === n(2) - 1 &&
    date.getUTCDate() === n(3) &&
    date.getUTCHours() === n(4) &&
    date.getUTCMinutes() === n(5) &&
    date.getUTCSeconds() === n(6);
  if (!fieldsKept || n(9) > 23 || n(10) > 59) return undefined;
  const offsetSeconds = (n(9) * 3600 + n(10) * 60) * (m[8] === "-" ? -1 : 1);
  return date.getTime() / 1000 - offsetSeconds;
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function describeKeys(fields: Fields): string {
  const keys = Object.keys(fields);
  return keys.length === 0 ? "none" : keys.map((k) => `"${k}"`).join(", ");
}
