// Validates a poller's options once, at creation, and fills in the defaults; every problem names its option.
import { SftpConnectorError, checkOptions, compileFilter, describeValue, isSftpConnectorError, type Filter, type OptionsSpec } from "@sftp-connector/core";
import { backoffDelay, type BackoffOptions, type NormalizedBackoff } from "./backoffDelay.js";
import type { ListResult, PollEvent, PolledEntry } from "./PollEvent.js";
import type { PollerLock } from "./PollerLock.js";
import { consoleWarningsLogger, type PollerLogger } from "./PollerLogger.js";
import type { SnapshotStore } from "./SnapshotStore.js";
import { createMemoryStore } from "./createMemoryStore.js";

/** The shortest polling interval accepted: anything shorter is a mistake (a busy loop against a server). */
export const MIN_INTERVAL_MS = 10;

/** How a changed entry is told apart: by mtime and size (the default), rdp4j's mtime only, size only, or your own test. */
export type CompareOption = "mtimeAndSize" | "mtime" | "size" | ((previous: PolledEntry, current: PolledEntry) => boolean);

/** How long a new or changed entry must keep the same size and mtime before it is delivered. */
export type StableAfter = { polls: number } | { ms: number };

/** Called with each event; the change counts as delivered once it resolves. A rejection leaves it to be retried. */
export type PollHandler = (event: PollEvent) => void | Promise<void>;

/** Options of {@link createDirectoryPoller}. */
export interface DirectoryPollerOptions {
  /** Lists the polled directory: an array, an iterable, an async iterable, or a promise of one. Called once per cycle, never twice at once. */
  list: () => ListResult;
  /** The pause between the end of one cycle and the start of the next, in ms (at least 10). @default 1000 */
  intervalMs?: number;
  /**
   * Which entries are polled: a filter of the core filter language (a tree or its string form, e.g.
   * `'fileName ~ "*.csv"'`), or a predicate. Entries it rejects are not in the snapshot: one that stops
   * matching is reported removed. @default every entry
   */
  filter?: Filter | string | ((entry: PolledEntry) => boolean);
  /** How a modification is detected. `"mtime"` is rdp4j's (and Boomi's) rule. @default "mtimeAndSize" */
  compare?: CompareOption;
  /**
   * Stable-file detection: a new or changed entry is delivered only once it has kept the same size and
   * mtime for this many further polls, or for this many ms (measured between two listings). An entry seen
   * changing keeps being deferred, so a file still being uploaded is not delivered half-written.
   * @default undefined (deliver at once)
   */
  stableAfter?: StableAfter;
  /** Where the snapshot of delivered entries is kept. Give `createFileStore(path)` to survive restarts. @default createMemoryStore() */
  store?: SnapshotStore;
  /** The key of this poller's snapshot in the store, and of its lock. @default "default" */
  key?: string;
  /** On a first run (the store has no snapshot), deliver the entries already present as `added` instead of taking them as the baseline. @default false */
  emitInitial?: boolean;
  /** Delivers each event; it counts as delivered once the returned promise resolves. @default none */
  handler?: PollHandler;
  /** How many events of a cycle may be in delivery at once (handlers and listeners). @default 1 */
  concurrency?: number;
  /** Also poll directories (as entries like files). @default false */
  includeDirectories?: boolean;
  /** Only poll while holding this lock (a singleton across processes). @default none: always poll */
  lock?: PollerLock;
  /**
   * The share of a lease's `ttlMs` kept as a safety margin: the poller stops delivering once
   * `sent + ttlMs × (1 − leaseMargin)` passed without a newer confirmation (a margin for clock drift and
   * pauses). Between 0 and 1, both excluded; it applies only to a lock whose leases carry `ttlMs`. @default 0.2
   */
  leaseMargin?: number;
  /** Backoff between cycles after listing failures: exponential and capped; the poller never stops. @default { initialMs: intervalMs, factor: 2, maxMs: 60_000 } */
  backoff?: BackoffOptions;
  /**
   * The wait before a change whose delivery failed is handed out again: a base in ms, doubled after each
   * further failure (capped by `backoff.maxMs`), or a function of the number of failures.
   * @default intervalMs (the first retry is in the next cycle)
   */
  retryBackoffMs?: number | ((failures: number) => number);
  /** Where diagnostics go. Errors go to `error` listeners; only when there is none are they logged here. @default warnings and errors to the console */
  logger?: PollerLogger;
}

/** The options with every default filled in and every value checked. */
export interface NormalizedPollerOptions {
  readonly list: () => ListResult;
  readonly intervalMs: number;
  readonly accept: ((entry: PolledEntry) => boolean) | undefined;
  /** True when `accept` is a compiled core filter: a pure function of the entry, so its answer for an unchanged entry can be reused. */
  readonly acceptIsPure: boolean;
  readonly changed: (previous: PolledEntry, current: PolledEntry) => boolean;
  readonly stableAfter: StableAfter | undefined;
  readonly store: SnapshotStore;
  readonly key: string;
  readonly emitInitial: boolean;
  readonly handler: PollHandler | undefined;
  readonly concurrency: number;
  readonly includeDirectories: boolean;
  readonly lock: PollerLock | undefined;
  readonly leaseMargin: number;
  readonly backoff: NormalizedBackoff;
  readonly retryDelay: (failures: number) => number;
  readonly logger: PollerLogger;
}

/** Every key of {@link DirectoryPollerOptions}, for `checkOptions` (the `satisfies` keeps it complete). */
const OPTIONS_SPEC: OptionsSpec = {
  known: Object.keys({
    list: true,
    intervalMs: true,
    filter: true,
    compare: true,
    stableAfter: true,
    store: true,
    key: true,
    emitInitial: true,
    handler: true,
    concurrency: true,
    includeDirectories: true,
    lock: true,
    leaseMargin: true,
    backoff: true,
    retryBackoffMs: true,
    logger: true,
  } satisfies Record<keyof DirectoryPollerOptions, true>),
  operation: "createDirectoryPoller",
};

const COMPARES = {
  mtimeAndSize: (a: PolledEntry, b: PolledEntry) => a.mtime !== b.mtime || a.size !== b.size,
  mtime: (a: PolledEntry, b: PolledEntry) => a.mtime !== b.mtime,
  size: (a: PolledEntry, b: PolledEntry) => a.size !== b.size,
} as const;

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws SftpConnectorError INVALID_CONFIG listing every problem, each starting with its option's name
 * (`intervalMs: expected a number of milliseconds of at least 10, got 5`).
 */
export function normalizePollerOptions(options: DirectoryPollerOptions): NormalizedPollerOptions {
  if (typeof options !== "object" || options === null) {
    throw invalid([`options: expected an object with at least "list", got ${describeValue(options, { as: "typeAndValue" })}`]);
  }
  const problems: string[] = [];
  const input = checkOptions(options, OPTIONS_SPEC, problems);

  if (typeof input.list !== "function")
    problems.push(`list: expected a function returning the directory's entries, got ${describeValue(input.list, { as: "typeAndValue" })}`);

  const intervalMs = input.intervalMs ?? 1000;
  if (typeof intervalMs !== "number" || !Number.isFinite(intervalMs) || intervalMs < MIN_INTERVAL_MS) {
    const why = typeof intervalMs === "number" && intervalMs < 0 ? " (it must not be negative)" : "";
    problems.push(`intervalMs: expected a number of milliseconds of at least ${MIN_INTERVAL_MS}, got ${show(intervalMs)}${why}`);
  }

  const accept = compileAccept(input.filter, problems);
  const changed = compileCompare(input.compare, problems);
  const stableAfter = checkStableAfter(input.stableAfter, problems);

  const store = input.store ?? createMemoryStore();
  if (!hasMethods(store, "load", "save"))
    problems.push(`store: expected an object with load(key) and save(key, snapshot), got ${describeValue(store, { as: "typeAndValue" })}`);
  const lock = input.lock;
  if (lock !== undefined && !hasMethods(lock, "acquire", "release")) {
    problems.push(`lock: expected an object with acquire(key) and release(key), got ${describeValue(lock, { as: "typeAndValue" })}`);
  }
  const leaseMargin = input.leaseMargin ?? 0.2;
  if (typeof leaseMargin !== "number" || !Number.isFinite(leaseMargin) || leaseMargin <= 0 || leaseMargin >= 1) {
    problems.push(`leaseMargin: expected a number between 0 and 1 (both excluded), got ${show(leaseMargin)}`);
  }
  const logger = input.logger ?? consoleWarningsLogger;
  if (!hasMethods(logger, "debug", "info", "warn", "error"))
    problems.push(`logger: expected an object with debug, info, warn and error, got ${describeValue(logger, { as: "typeAndValue" })}`);

  const key = input.key ?? "default";
  if (typeof key !== "string" || key.length === 0) problems.push(`key: expected a non-empty string, got ${show(key)}`);
  const emitInitial = input.emitInitial ?? false;
  if (typeof emitInitial !== "boolean") problems.push(`emitInitial: expected true or false, got ${show(emitInitial)}`);
  const includeDirectories = input.includeDirectories ?? false;
  if (typeof includeDirectories !== "boolean") problems.push(`includeDirectories: expected true or false, got ${show(includeDirectories)}`);
  const handler = input.handler;
  if (handler !== undefined && typeof handler !== "function")
    problems.push(`handler: expected a function, got ${describeValue(handler, { as: "typeAndValue" })}`);
  const concurrency = input.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) problems.push(`concurrency: expected a whole number of at least 1, got ${show(concurrency)}`);

  const interval = isNumberAtLeast(intervalMs, MIN_INTERVAL_MS) ? intervalMs : 1000; // derived defaults stay valid when intervalMs is not
  const backoff = checkBackoff(input.backoff, interval, problems);
  const retryDelay = checkRetryBackoff(input.retryBackoffMs, interval, backoff, problems);

  if (problems.length > 0) throw invalid(problems);
  return {
    list: input.list,
    intervalMs,
    accept,
    acceptIsPure: accept !== undefined && typeof input.filter !== "function",
    changed,
    stableAfter,
    store,
    key,
    emitInitial,
    handler,
    concurrency,
    includeDirectories,
    lock,
    leaseMargin,
    backoff,
    retryDelay,
    logger,
  };
}

function compileAccept(filter: DirectoryPollerOptions["filter"], problems: string[]): ((entry: PolledEntry) => boolean) | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter === "function") return filter;
  try {
    const predicate = compileFilter(filter);
    return (entry) => {
      const slash = entry.name.lastIndexOf("/");
      return predicate(slash < 0 ? entry : { ...entry, name: entry.name.slice(slash + 1), relativePath: entry.name });
    };
  } catch (error) {
    if (!isSftpConnectorError(error)) throw error;
    const found = error.problems.length > 0 ? error.problems : [error.message];
    // Core names paths inside the filter (`and[0].operator: …`); a parse error adds the input and a caret line.
    for (const problem of found) problems.push(problem.startsWith("filter") || /^\s/.test(problem) ? problem : `filter.${problem}`);
    return undefined;
  }
}

function compileCompare(compare: CompareOption | undefined, problems: string[]): NormalizedPollerOptions["changed"] {
  if (compare === undefined) return COMPARES.mtimeAndSize;
  if (typeof compare === "function") return compare;
  if (typeof compare === "string" && Object.hasOwn(COMPARES, compare)) return COMPARES[compare];
  problems.push(`compare: expected "mtimeAndSize", "mtime", "size" or a function (previous, current) => changed, got ${show(compare)}`);
  return COMPARES.mtimeAndSize;
}

function checkStableAfter(stableAfter: unknown, problems: string[]): StableAfter | undefined {
  if (stableAfter === undefined) return undefined;
  const problem = `stableAfter: expected { polls: n } (a whole number ≥ 0) or { ms: n } (≥ 0), got ${show(stableAfter)}`;
  if (typeof stableAfter !== "object" || stableAfter === null) return void problems.push(problem);
  const keys = Object.keys(stableAfter);
  const { polls, ms } = stableAfter as { polls?: unknown; ms?: unknown };
  if (keys.length === 1 && keys[0] === "polls" && Number.isSafeInteger(polls) && (polls as number) >= 0) {
    return polls === 0 ? undefined : { polls: polls as number };
  }
  if (keys.length === 1 && keys[0] === "ms" && typeof ms === "number" && Number.isFinite(ms) && ms >= 0) {
    return ms === 0 ? undefined : { ms };
  }
  problems.push(problem);
  return undefined;
}

function checkBackoff(backoff: BackoffOptions | undefined, intervalMs: number, problems: string[]): NormalizedBackoff {
  const fallback = { initialMs: intervalMs, factor: 2, maxMs: Math.max(60_000, intervalMs) };
  if (backoff === undefined) return fallback;
  if (typeof backoff !== "object" || backoff === null) {
    problems.push(`backoff: expected { initialMs, factor, maxMs }, got ${describeValue(backoff, { as: "typeAndValue" })}`);
    return fallback;
  }
  const initialMs = backoff.initialMs ?? fallback.initialMs;
  const factor = backoff.factor ?? fallback.factor;
  const maxMs = backoff.maxMs ?? Math.max(fallback.maxMs, initialMs);
  if (!isNumberAtLeast(initialMs, 0)) problems.push(`backoff.initialMs: expected a number of milliseconds ≥ 0, got ${show(initialMs)}`);
  if (!isNumberAtLeast(factor, 1)) problems.push(`backoff.factor: expected a number ≥ 1, got ${show(factor)}`);
  if (!isNumberAtLeast(maxMs, 0)) problems.push(`backoff.maxMs: expected a number of milliseconds ≥ 0, got ${show(maxMs)}`);
  else if (isNumberAtLeast(initialMs, 0) && maxMs < initialMs) problems.push(`backoff.maxMs: expected at least backoff.initialMs (${initialMs}), got ${maxMs}`);
  return { initialMs, factor, maxMs };
}

function checkRetryBackoff(
  retry: DirectoryPollerOptions["retryBackoffMs"],
  intervalMs: number,
  backoff: NormalizedBackoff,
  problems: string[],
): (failures: number) => number {
  if (typeof retry === "function") {
    return (failures) => {
      const ms = retry(failures);
      return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 ? ms : intervalMs;
    };
  }
  const base = retry ?? intervalMs;
  if (!isNumberAtLeast(base, 0)) problems.push(`retryBackoffMs: expected a number of milliseconds ≥ 0 or a function of the failure count, got ${show(base)}`);
  const settings = { initialMs: base, factor: 2, maxMs: Math.max(backoff.maxMs, base) };
  return (failures) => backoffDelay(settings, failures);
}

function isNumberAtLeast(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= min;
}

function hasMethods(value: unknown, ...names: string[]): boolean {
  return typeof value === "object" && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === "function");
}

function invalid(problems: string[]): SftpConnectorError {
  const lines = problems.filter((problem) => !/^\s/.test(problem)); // caret lines under a filter string stay in `problems`
  return new SftpConnectorError("INVALID_CONFIG", `Invalid poller options: ${lines.join("; ")}`, {
    problems,
    operation: "createDirectoryPoller",
  });
}

/** A wrong value as JSON (objects too, e.g. `{"ms":-1}`), for options whose shape the message spells out. */
function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === undefined || value === null) return String(value);
  if (typeof value === "function") return "a function";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}
