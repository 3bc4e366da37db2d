// Writes a Filter tree in the compact string syntax that parseFilter reads.
import { SftpConnectorError } from "../SftpConnectorError.js";
import { compileFilter } from "./compileFilter.js";
import type { Filter, FilterField, FilterOperator } from "./Filter.js";

const SYMBOLS: Readonly<Record<FilterOperator, string>> = {
  EQUALS: "=",
  NOT_EQUALS: "!=",
  LESS_THAN: "<",
  GREATER_THAN: ">",
  WILDCARD: "~",
  REGEX: "=~",
};

/**
 * Writes `filter` in the string syntax of {@link parseFilter}: `parseFilter(formatFilter(f))` equals `f` for every
 * valid tree whose groups have at least two members (`arguments: [x]` comes back as `argument: x`; a one-member
 * group comes back as its member). `fileName` values are always quoted; other values are bare when they can be.
 *
 * @throws SftpConnectorError INVALID_INPUT for an invalid tree, or one with an empty group (which has no string form).
 *
 * @example `formatFilter({ field: "fileSize", operator: "GREATER_THAN", argument: "1000" })` → `fileSize > 1000`
 */
export function formatFilter(filter: Filter): string {
  compileFilter(filter);
  return format(filter, true);
}

function format(filter: Filter, root: boolean): string {
  if ("field" in filter) {
    const argument = filter.arguments === undefined ? filter.argument : filter.arguments[0];
    return `${filter.field} ${SYMBOLS[filter.operator]} ${formatValue(filter.field, argument ?? "")}`;
  }
  const [keyword, members] = "and" in filter ? ["and", filter.and] : ["or", filter.or];
  if (members.length === 0) {
    throw new SftpConnectorError("INVALID_INPUT", `filter: an empty "${keyword}" group has no string form`, { operation: "filter" });
  }
  const text = members.map((member) => format(member, false)).join(` ${keyword} `);
  return root || members.length === 1 ? text : `(${text})`;
}

function formatValue(field: FilterField, value: string): string {
  const bare = field !== "fileName" && /^[\w.:+-]+$/.test(value) && !/^(?:and|or)$/i.test(value);
  return bare ? value : `"${value.replace(/["\\]/g, "\\$&")}"`;
}
