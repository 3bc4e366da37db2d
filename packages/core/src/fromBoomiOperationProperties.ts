// Maps a Boomi SFTP V2 operation's properties (by field id, values as Boomi stores them) to our options for that operation.
import { checkOptions } from "./checkOptions.js";
import { describeValue } from "./describeValue.js";
import { invalidInputError } from "./invalidInputError.js";

/** Boomi's SFTP V2 operations, as {@link fromBoomiOperationProperties} names them. */
export const BOOMI_OPERATIONS = ["GET", "CREATE", "UPSERT", "DELETE", "LIST", "QUERY", "LISTEN"] as const;

/** One of {@link BOOMI_OPERATIONS}. */
export type BoomiOperation = (typeof BOOMI_OPERATIONS)[number];

/** Boomi's CREATE `actionIfFileExists` values. */
export type BoomiActionIfFileExists = "ERROR" | "OVERWRITE" | "APPEND" | "FORCE_UNIQUE_NAMES";

/**
 * What {@link fromBoomiOperationProperties} returns for each operation: the options of our
 * operation function (`getFile`, `createFile`, `upsertFile`, `deleteFiles`, `listFiles`,
 * `queryFiles`, `listen`) under our names. A property that is absent or blank is left out, so
 * our default applies.
 */
export interface BoomiOperationOptions {
  /** From `deleteAfter`, `failDeleteAfter`, `includeAllMetadata`. */
  GET: { deleteAfter?: boolean; failDeleteAfter?: boolean; includeAllMetadata?: boolean };
  /** From `actionIfFileExists`, `stagingDirectory`, `tempExtension`, `targetFileName`, `tempFileName`, `includeAllMetadata` (Boomi keeps the last in the Import cookie). */
  CREATE: {
    actionIfFileExists?: BoomiActionIfFileExists;
    stagingDirectory?: string;
    tempExtension?: string;
    targetFileName?: string;
    tempFileName?: string;
    includeAllMetadata?: boolean;
  };
  /** From `append`, `createDir` (→ `createDirectories`), `includeAll` (→ `includeAllMetadata`). */
  UPSERT: { append?: boolean; createDirectories?: boolean; includeAllMetadata?: boolean };
  /** Boomi's DELETE has no operation field. */
  DELETE: Record<string, never>;
  /** From `count` (-1: no limit) and `recursiveList` (→ `recursive`). */
  LIST: { count?: number; recursive?: boolean };
  /** From `count` and `includeAllMetadata`; `recursiveList` is accepted and dropped, as it had no effect in Boomi's QUERY. */
  QUERY: { count?: number; includeAllMetadata?: boolean };
  /** From `pollingInterval` (ms, → `pollingIntervalMs`) and `isSingleton`. */
  LISTEN: { pollingIntervalMs?: number; isSingleton?: boolean };
}

type Kind = "boolean" | "text" | "count" | "interval" | "action" | "dropped boolean";

/** Per operation: Boomi's field id → [our option name, how its value is read]. */
const FIELDS: { readonly [Op in BoomiOperation]: Readonly<Record<string, readonly [string, Kind]>> } = {
  GET: { deleteAfter: ["deleteAfter", "boolean"], failDeleteAfter: ["failDeleteAfter", "boolean"], includeAllMetadata: ["includeAllMetadata", "boolean"] },
  CREATE: {
    actionIfFileExists: ["actionIfFileExists", "action"],
    stagingDirectory: ["stagingDirectory", "text"],
    tempExtension: ["tempExtension", "text"],
    targetFileName: ["targetFileName", "text"],
    tempFileName: ["tempFileName", "text"],
    includeAllMetadata: ["includeAllMetadata", "boolean"],
  },
  UPSERT: { append: ["append", "boolean"], createDir: ["createDirectories", "boolean"], includeAll: ["includeAllMetadata", "boolean"] },
  DELETE: {},
  LIST: { count: ["count", "count"], recursiveList: ["recursive", "boolean"] },
  QUERY: { count: ["count", "count"], includeAllMetadata: ["includeAllMetadata", "boolean"], recursiveList: ["recursive", "dropped boolean"] },
  LISTEN: { pollingInterval: ["pollingIntervalMs", "interval"], isSingleton: ["isSingleton", "boolean"] },
};

const ACTIONS: readonly BoomiActionIfFileExists[] = ["ERROR", "OVERWRITE", "APPEND", "FORCE_UNIQUE_NAMES"];

/** Our poll interval's floor (LISTEN refuses less); Boomi allowed 0. */
const MIN_POLLING_INTERVAL_MS = 100;

const OPERATION = "fromBoomiOperationProperties";

/** Absent, `null` and blank strings mean "not set", as in Boomi's property sheets. */
const isUnset = (value: unknown): boolean => value === undefined || value === null || (typeof value === "string" && value.trim() === "");

/** An integer given as a number or as a string of digits; anything else is `undefined`. */
function integerOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** Reads one property's value by its kind; pushes a problem naming the Boomi id when it cannot. */
function read(id: string, kind: Kind, value: unknown, problems: string[]): unknown {
  switch (kind) {
    case "boolean":
    case "dropped boolean": {
      if (typeof value === "boolean") return value;
      const word = typeof value === "string" ? value.trim().toLowerCase() : undefined;
      if (word === "true" || word === "false") return word === "true";
      problems.push(`${id}: expected true or false, got ${describeValue(value)}`);
      return undefined;
    }
    case "text":
      if (typeof value === "string") return value.trim();
      problems.push(`${id}: expected a string, got ${describeValue(value)}`);
      return undefined;
    case "count": {
      const count = integerOf(value);
      if (count === undefined) problems.push(`${id}: expected a whole number (-1 for no limit), got ${describeValue(value)}`);
      else if (count <= 0 && count !== -1) problems.push(`${id}: Limit must be positive or -1 (given: ${count})`);
      else return count;
      return undefined;
    }
    case "interval": {
      const ms = integerOf(value);
      if (ms === undefined || ms < MIN_POLLING_INTERVAL_MS) {
        const why = ms !== undefined && ms >= 0 ? ` (Boomi allowed it; LISTEN polls at most every ${MIN_POLLING_INTERVAL_MS} ms)` : "";
        problems.push(`${id}: expected a whole number of milliseconds of at least ${MIN_POLLING_INTERVAL_MS}, got ${describeValue(value)}${why}`);
        return undefined;
      }
      return ms;
    }
    case "action": {
      const action = typeof value === "string" ? value.trim().toUpperCase() : undefined;
      if (ACTIONS.includes(action as BoomiActionIfFileExists)) return action;
      problems.push(`${id}: expected one of ${ACTIONS.join(", ")}, got ${describeValue(value)}`);
      return undefined;
    }
  }
}

/**
 * Maps the properties of a Boomi SFTP V2 operation, by field id and with values as Boomi stores
 * them, to our options for that operation, ready to pass to its function:
 *
 * | operation | Boomi id → our option |
 * | --- | --- |
 * | GET | `deleteAfter`, `failDeleteAfter`, `includeAllMetadata` (the same names) |
 * | CREATE | `actionIfFileExists` (enum, case-insensitive), `stagingDirectory`, `tempExtension`, `targetFileName`, `tempFileName`, `includeAllMetadata` (the same names) |
 * | UPSERT | `append`; `createDir` → `createDirectories`; `includeAll` → `includeAllMetadata` |
 * | DELETE | none |
 * | LIST | `count` (-1: no limit); `recursiveList` → `recursive` |
 * | QUERY | `count`, `includeAllMetadata`; `recursiveList` checked and dropped (it had no effect in Boomi's QUERY) |
 * | LISTEN | `pollingInterval` (ms) → `pollingIntervalMs`; `isSingleton` |
 *
 * Booleans may be `true`/`false` or the strings `"true"`/`"false"`; numbers may be strings of
 * digits. Absent, `null` and blank values are left out, so our default applies (Boomi's code
 * defaults, except that an absent `count` or `pollingInterval` is no error: -1 and 5000 ms).
 * Unlike Boomi, an unknown `actionIfFileExists` is an error rather than ERROR, and a
 * `pollingInterval` under 100 ms is refused.
 *
 * @example
 * ```ts
 * const options = fromBoomiOperationProperties("LIST", { count: "-1", recursiveList: "true" }); // { count: -1, recursive: true }
 * for await (const entry of listFiles(pool, {}, options)) console.log(entry.fileName);
 * ```
 * @throws SftpConnectorError INVALID_INPUT (operation `"fromBoomiOperationProperties"`) listing every
 * problem: an unknown operation, an unknown property id (`unknown property "recursive"; did you mean
 * "recursiveList"?`), or a bad value naming its Boomi id (`count: Limit must be positive or -1 (given: 0)`).
 */
export function fromBoomiOperationProperties<Op extends BoomiOperation>(operation: Op, props: Record<string, unknown>): BoomiOperationOptions[Op] {
  if (!(BOOMI_OPERATIONS as readonly unknown[]).includes(operation)) {
    throw invalidInputError([`operation: expected one of ${BOOMI_OPERATIONS.join(", ")}, got ${describeValue(operation)}`], OPERATION);
  }
  const fields = FIELDS[operation];
  const problems: string[] = [];
  const spec = { known: Object.keys(fields), operation: OPERATION, what: "property", field: "properties" };
  const given = checkOptions(props, spec, problems) as Record<string, unknown>;
  const options: Record<string, unknown> = {};
  for (const [id, [ours, kind]] of Object.entries(fields)) {
    if (!Object.hasOwn(given, id) || isUnset(given[id])) continue;
    const value = read(id, kind, given[id], problems);
    if (value !== undefined && kind !== "dropped boolean") options[ours] = value;
  }
  if (problems.length > 0) throw invalidInputError(problems, OPERATION);
  return options as BoomiOperationOptions[Op];
}
