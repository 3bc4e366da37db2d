// The options LIST and QUERY share, checked before any request: the directory, how many entries, how deep, which ones, symbolic links and retries.
import { SftpConnectorError, isSftpConnectorError } from "./SftpConnectorError.js";
import { checkOptions } from "./checkOptions.js";
import { compileFilter } from "./filter/compileFilter.js";
import { describeValue } from "./describeValue.js";
import type { Filter, FilterField, FilterPredicate } from "./filter/Filter.js";
import type { RetryOptions } from "./ConnectionConfig.js";
import { silentLogger, type Logger } from "./Logger.js";

/** What LIST and QUERY read. */
export interface DirectoryScanInput {
  /** The directory, overriding the connection's (relative → home). @default the connection's `remoteDirectory`, else home */
  remoteDirectory?: string;
}

/** The options LIST and QUERY share; each operation documents them for itself. */
export interface DirectoryScanOptions {
  /** Most results; `-1` for no limit. @default -1 */
  count?: number;
  /** Same as `depth: 1`. @default false */
  recursive?: boolean;
  /** Levels of sub-directories to read, `Infinity` for all. @default 1 with `recursive`, else 0 */
  depth?: number;
  /** Which entries to return: a filter tree or its string form. @default every entry */
  filter?: Filter | string;
  /** Follow symbolic links instead of skipping them. @default false */
  followSymlinks?: boolean;
  /** With a session provider: how often to start again before the first result. @default { attempts: 1, backoffMs: 1000 } */
  retry?: RetryOptions;
  /** Told about skipped entries and retries. @default silent */
  logger?: Logger;
}

/** The shared options, checked, with defaults filled in. */
export interface DirectoryScanPlan {
  /** The per-call remote directory, as given. */
  remoteDirectory: string | undefined;
  /** Most results, `-1` for no limit. */
  count: number;
  /** Levels of sub-directories (`Infinity` for all). */
  depth: number;
  /** The compiled filter. */
  accept: FilterPredicate;
  /** Follow symbolic links. */
  followSymlinks: boolean;
  /** Retries (with a provider). */
  attempts: number;
  /** Wait before the first retry, doubled each time, in ms. */
  backoffMs: number;
  /** The given logger, else a silent one. */
  logger: Logger;
}

/** Records the problem `<field>: expected <expected>, got <the value>`. */
export type ReportProblem = (field: string, expected: string, value: unknown) => void;

/** What sets one operation's options apart in {@link planDirectoryScan}. */
export interface DirectoryScanSpec<Options, Own> {
  /** The operation: names the error (`Invalid list request: …`). */
  operation: string;
  /** The fields its filter may use. */
  allowedFields: readonly FilterField[];
  /** Its true/false options, checked after `count`, in this order. */
  switches: readonly (keyof Options & string)[];
  /** Its function options, checked after `retry`, in this order. @default none */
  callbacks?: readonly (keyof Options & string)[];
  /** Its other options (checked by `checkOwn`): with the shared ones, the switches and the callbacks, every key it accepts. @default none */
  ownOptions?: readonly (keyof Options & string)[];
  /** Other names of its options (Boomi's field ids where ours differ), e.g. `{ recursiveList: "recursive" }`. @default none */
  aliases?: Readonly<Record<string, keyof Options & string>>;
  /** Checks its own options (after `depth`, before `retry`) and returns them with defaults filled in. */
  checkOwn: (options: Options, report: ReportProblem) => Own;
}

/** The options every LIST and QUERY takes (the keys of {@link DirectoryScanOptions}). */
const SHARED_OPTIONS = Object.keys({
  count: true,
  recursive: true,
  depth: true,
  filter: true,
  followSymlinks: true,
  retry: true,
  logger: true,
} satisfies Record<keyof DirectoryScanOptions, true>);

/**
 * Checks a LIST or QUERY call before any request and fills in the defaults: unknown keys of
 * `input` and `options` (core's `checkOptions`, which also maps `spec.aliases` to our names),
 * `remoteDirectory`, `count`, the switches, `depth`, the operation's own options, `retry`, the
 * callbacks and the filter, in that order. Every problem is named at once in one error
 * `Invalid <operation> request: <problem>; <problem>…`, whose `problems` lists them (a filter
 * string's problems with the input and a caret under the bad spot).
 *
 * @example
 * ```ts
 * const plan = planDirectoryScan(input, options, {
 *   operation: "list",
 *   allowedFields: LIST_FILTER_FIELDS,
 *   switches: ["recursive", "followSymlinks"],
 *   checkOwn: () => ({}),
 * });
 * ```
 * @throws SftpConnectorError INVALID_INPUT naming every problem.
 */
export function planDirectoryScan<Options extends DirectoryScanOptions, Own extends object>(
  input: DirectoryScanInput | undefined,
  options: Options | undefined,
  spec: DirectoryScanSpec<Options, Own>,
): DirectoryScanPlan & Own {
  const problems: string[] = [];
  const report: ReportProblem = (field, expected, value) => void problems.push(`${field}: expected ${expected}, got ${describeValue(value)}`);
  const inputObject = checkOptions(
    input as Record<string, unknown> | undefined,
    { known: ["remoteDirectory"], operation: spec.operation, what: "input field", field: "input" },
    problems,
  );
  const known = [...SHARED_OPTIONS, ...spec.switches, ...(spec.callbacks ?? []), ...(spec.ownOptions ?? [])];
  const opts = checkOptions(options, { known, aliases: spec.aliases ?? {}, operation: spec.operation }, problems);
  const remoteDirectory = inputObject.remoteDirectory;
  if (remoteDirectory !== undefined && (typeof remoteDirectory !== "string" || remoteDirectory.includes("\0"))) {
    report("remoteDirectory", "a path without NUL characters", remoteDirectory);
  }

  const count = opts.count ?? -1;
  if (typeof count !== "number" || !Number.isInteger(count)) report("count", "a whole number", count);
  else if (count <= 0 && count !== -1) problems.push(`count: Limit must be positive or -1 (given: ${count})`);

  for (const key of spec.switches) {
    if (opts[key] !== undefined && typeof opts[key] !== "boolean") report(key, "true or false", opts[key]);
  }
  const depth = opts.depth ?? (opts.recursive ? 1 : 0);
  if (typeof depth !== "number" || !(depth === Infinity || (Number.isInteger(depth) && depth >= 0))) {
    report("depth", "a whole number of at least 0 or Infinity", depth);
  }
  const own = spec.checkOwn(opts, report);
  const attempts = opts.retry?.attempts ?? 1;
  const backoffMs = opts.retry?.backoffMs ?? 1_000;
  if (!Number.isInteger(attempts) || attempts < 0) report("retry.attempts", "a whole number of at least 0", attempts);
  if (typeof backoffMs !== "number" || !Number.isFinite(backoffMs) || backoffMs < 0) report("retry.backoffMs", "a number of ms of at least 0", backoffMs);
  for (const key of spec.callbacks ?? []) {
    if (opts[key] !== undefined && typeof opts[key] !== "function") report(key, "a function", opts[key]);
  }

  let accept: FilterPredicate = () => true;
  try {
    accept = compileFilter(opts.filter, { allowedFields: spec.allowedFields });
  } catch (error) {
    if (!isSftpConnectorError(error)) throw error;
    // Tree problems are prefixed by their path in the tree (`and[0].operator: …`); string-syntax problems add the input and a caret.
    const found = error.problems.length > 0 ? error.problems : [`filter: ${error.message}`];
    problems.push(...found.map((p) => (p.startsWith("filter") || /^\s/.test(p) ? p : `filter.${p}`)));
  }
  if (problems.length > 0) {
    const summary = problems.filter((p) => !/^\s/.test(p)).join("; ");
    throw new SftpConnectorError("INVALID_INPUT", `Invalid ${spec.operation} request: ${summary}`, { operation: spec.operation, problems });
  }
  const plan: DirectoryScanPlan = {
    remoteDirectory: remoteDirectory as string | undefined,
    count,
    depth,
    accept,
    followSymlinks: opts.followSymlinks ?? false,
    attempts,
    backoffMs,
    logger: opts.logger ?? silentLogger,
  };
  return { ...plan, ...own };
}
