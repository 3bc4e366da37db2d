// The types of the LIST/QUERY filter language: fields, Boomi operator ids, the expression tree and the entries it is tested against.

/** Every field a filter can test, in Boomi's spelling. */
export const FILTER_FIELDS = ["fileName", "fileSize", "modifiedDate", "isDirectory"] as const;

/** A field a filter can test. */
export type FilterField = (typeof FILTER_FIELDS)[number];

/** The fields QUERY accepts (Boomi: no `isDirectory`, since QUERY returns files only). Pass as `allowedFields`. */
export const QUERY_FILTER_FIELDS: readonly FilterField[] = ["fileName", "fileSize", "modifiedDate"];

/** The fields LIST accepts: all of them. Pass as `allowedFields`. */
export const LIST_FILTER_FIELDS: readonly FilterField[] = FILTER_FIELDS;

/** Every comparison operator, by its Boomi operator id. */
export const FILTER_OPERATORS = ["EQUALS", "NOT_EQUALS", "LESS_THAN", "GREATER_THAN", "REGEX", "WILDCARD"] as const;

/** A comparison operator (Boomi operator id). `LESS_THAN` and `GREATER_THAN` are strict. */
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/**
 * One comparison: `field operator argument`. Give the argument either as `argument` or, Boomi's way,
 * as `arguments` holding exactly one string.
 *
 * @example `{ field: "fileName", operator: "WILDCARD", argument: "*.csv" }`
 */
export type ComparisonFilter = { field: FilterField; operator: FilterOperator } & (
  | { argument: string; arguments?: never }
  | { arguments: readonly string[]; argument?: never }
);

/** Accepts an entry when every member does (short-circuits; an empty `and` accepts everything). */
export interface AndFilter {
  and: readonly Filter[];
}

/** Accepts an entry when some member does (short-circuits; an empty `or` accepts nothing). */
export interface OrFilter {
  or: readonly Filter[];
}

/**
 * A filter expression tree: a comparison, or an `and` / `or` group of filters, nestable.
 *
 * @example `{ and: [{ field: "fileName", operator: "WILDCARD", argument: "*.csv" }, { field: "fileSize", operator: "GREATER_THAN", argument: "1000" }] }`
 */
export type Filter = ComparisonFilter | AndFilter | OrFilter;

/** A directory entry as a filter sees it. */
export interface FilterEntry {
  /** The entry's own name, e.g. `a.txt`. EQUALS, NOT_EQUALS, LESS_THAN and GREATER_THAN on `fileName` compare this. */
  name: string;
  /** The path relative to the listed directory, e.g. `sub/a.txt` for a recursive LIST. REGEX and WILDCARD match `relativePath ?? name`. */
  relativePath?: string;
  /** The size in bytes. */
  size: number;
  /** The modification time, as a Date or epoch milliseconds. Filters compare it truncated to whole seconds. */
  mtime: Date | number;
  /** Whether the entry is a directory. */
  isDirectory: boolean;
}

/** A compiled filter: true when the entry passes. */
export type FilterPredicate = (entry: FilterEntry) => boolean;
