// The LIST operation: the entries of a remote directory (and, on request, of its sub-directories) as Boomi's metadata JSON, streamed.
import {
  LIST_FILTER_FIELDS,
  SftpConnectorError,
  compileFilter,
  formatIsoSeconds,
  isSftpConnectorError,
  type Filter,
  type FilterPredicate,
} from "@sftp-connector/core";
import { isRetryable, silentLogger, walkDirectory, type Logger, type SessionProvider, type SftpSession, type WalkEntry } from "@sftp-connector/transport";
import { formatPermissions } from "./formatPermissions.js";

/** What to list. */
export interface ListInput {
  /**
   * The directory to list, overriding the connection's (Boomi's `remoteDirectory` document property);
   * relative paths resolve against the home directory.
   * @default the connection's `remoteDirectory`, else the home directory
   */
  remoteDirectory?: string;
}

/** Options of {@link listFiles}. */
export interface ListOptions {
  /** Most entries to return; `-1` for no limit (Boomi's "Maximum Number of Files to Return"). @default -1 */
  count?: number;
  /** List the sub-directories too, one level deep (Boomi's `recursiveList`); same as `depth: 1`. @default false */
  recursive?: boolean;
  /**
   * Levels of sub-directories to list: 0 the directory alone, 1 as `recursive`, `Infinity` the whole
   * tree. Wins over `recursive` when both are given.
   * @default 1 with `recursive`, else 0
   */
  depth?: number;
  /**
   * Which sub-directories to descend into: `"matching"` only those that pass `filter` (Boomi's rule),
   * `"all"` every one (the filter then chooses only what is returned).
   * @default "matching"
   */
  recurseInto?: "matching" | "all";
  /**
   * Which entries to return: a filter tree or its string form (`fileName ~ "*.csv" and fileSize > 0`),
   * over `fileName`, `fileSize`, `modifiedDate` and `isDirectory`. Wildcards and regexes match the path
   * relative to the listed directory, so `*.txt` does not match `sub/a.txt` (Boomi); `**.txt` does.
   * @default every entry
   */
  filter?: Filter | string;
  /**
   * Follow symbolic links: list a link as its target (`isSymbolicLink: true`, the target's size, date and
   * type), descending into linked directories within `depth` but never around a loop. Without it, links
   * are skipped, as Boomi does.
   * @default false
   */
  followSymlinks?: boolean;
  /**
   * What to do with a sub-directory that cannot be read, a broken link or a link loop: `"skip"` it with a
   * warning (Boomi), `"fail"` the listing, or call a function (throw from it to fail).
   * @default "skip"
   */
  onError?: "skip" | "fail" | ((error: SftpConnectorError) => void);
  /**
   * With a `SessionProvider`: how often to start the listing again on a fresh session when the connection
   * fails before the first entry was returned (a listing is never restarted after that: it would repeat entries).
   * @default { attempts: 1, backoffMs: 1000 }
   */
  retry?: { attempts?: number; backoffMs?: number };
  /** Told about skipped entries and retries. @default silent */
  logger?: Logger;
}

/** One listed entry: Boomi's LIST JSON plus `permissions` and `isSymbolicLink`. */
export interface ListEntry {
  /** The entry's name (without its directory). */
  fileName: string;
  /** The absolute directory it is in (a sub-directory's path for entries below the listed directory). */
  directory: string;
  /** Modification time, `yyyy-MM-dd'T'HH:mm:ssZ` in UTC, whole seconds: `2023-03-23T12:08:56Z`. */
  modifiedDate: string;
  /** Size in bytes. */
  fileSize: number;
  /** Whether it is a directory. */
  isDirectory: boolean;
  /** Permission bits as `ls -l` shows them, e.g. `rw-r--r--` (setuid/setgid as `s`/`S`, sticky as `t`/`T`). */
  permissions: string;
  /** Whether the entry is a symbolic link (listed as its target; only ever true with `followSymlinks`). */
  isSymbolicLink: boolean;
}

interface Plan {
  remoteDirectory: string | undefined;
  count: number;
  depth: number;
  recurseInto: "matching" | "all";
  accept: FilterPredicate;
  followSymlinks: boolean;
  onError: (error: SftpConnectorError) => void;
  attempts: number;
  backoffMs: number;
  logger: Logger;
}

const OPERATION = "list";

/**
 * Lists a remote directory as Boomi's LIST does, one entry at a time: `for await (const entry of
 * listFiles(session, { remoteDirectory: "in" }, { recursive: true }))`. Entries come in server order, a
 * sub-directory's entries right after it; `.` and `..` are never listed, symbolic links are skipped
 * (unless `followSymlinks`), and memory does not grow with the directory's size. Breaking out of the
 * loop stops the listing and closes its handles.
 *
 * `session` is an open `SftpSession`, or a `SessionProvider` (a pool): then a session is taken on the
 * first pull and given back when the listing ends.
 *
 * @throws SftpConnectorError INVALID_INPUT at once (before any request) for a bad option or filter, naming
 * every problem; from the iteration, NO_SUCH_FILE "Remote directory does not exist: <path>", and the
 * classified error when the directory cannot be read or the connection fails.
 */
export function listFiles(session: SftpSession | SessionProvider, input: ListInput = {}, options: ListOptions = {}): AsyncGenerator<ListEntry, void, undefined> {
  const plan = planList(input, options);
  return isProvider(session) ? listWithProvider(session, plan) : listOn(session, plan);
}

function isProvider(session: SftpSession | SessionProvider): session is SessionProvider {
  return typeof (session as Partial<SessionProvider>).acquire === "function" && typeof (session as Partial<SessionProvider>).release === "function";
}

async function* listWithProvider(provider: SessionProvider, plan: Plan): AsyncGenerator<ListEntry, void, undefined> {
  for (let attempt = 0; ; attempt += 1) {
    let session: SftpSession | undefined;
    let emitted = false;
    let broken = false;
    try {
      session = await provider.acquire();
      for await (const entry of listOn(session, plan)) {
        emitted = true;
        yield entry;
      }
      return;
    } catch (error) {
      broken = session?.closed === true || isRetryable(error);
      if (emitted || !isRetryable(error) || attempt >= plan.attempts) throw error;
      plan.logger.warn(`list failed before its first entry (${error.reason}: ${error.message}); retry ${attempt + 1} of ${plan.attempts}`);
    } finally {
      if (session) provider.release(session, { broken });
    }
    await new Promise((resolve) => setTimeout(resolve, plan.backoffMs * 2 ** attempt));
  }
}

async function* listOn(session: SftpSession, plan: Plan): AsyncGenerator<ListEntry, void, undefined> {
  if (plan.count === 0) return;
  const directory = session.resolveDirectory(plan.remoteDirectory);
  const walk = walkDirectory(session, directory, {
    depth: plan.depth,
    filter: (entry) => plan.accept(toFilterEntry(entry)),
    descend: plan.recurseInto === "all" ? () => true : (_entry, accepted) => accepted,
    followSymlinks: plan.followSymlinks,
    onError: plan.onError,
    logger: plan.logger,
    operation: OPERATION,
  });
  let emitted = 0;
  for await (const entry of walk) {
    yield toListEntry(entry);
    emitted += 1;
    if (plan.count !== -1 && emitted >= plan.count) return;
  }
}

function toFilterEntry(entry: WalkEntry) {
  return { name: entry.name, relativePath: entry.relativePath, size: entry.stats.size, mtime: entry.stats.modifiedAt, isDirectory: entry.stats.isDirectory };
}

/** The LIST JSON of a walked entry. */
export function toListEntry(entry: WalkEntry): ListEntry {
  return {
    fileName: entry.name,
    directory: entry.directory,
    modifiedDate: formatIsoSeconds(entry.stats.modifiedAt),
    fileSize: entry.stats.size,
    isDirectory: entry.stats.isDirectory,
    permissions: formatPermissions(entry.stats.permissions),
    isSymbolicLink: entry.isSymbolicLink,
  };
}

const describe = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : value === null ? "null" : typeof value === "object" ? "an object" : String(value));

/** Validates everything before any request; one INVALID_INPUT naming every problem. */
function planList(input: ListInput | undefined, options: ListOptions | undefined): Plan {
  const problems: string[] = [];
  const inputObject = (input ?? {}) as Record<string, unknown>;
  const opts = (options ?? {}) as ListOptions;
  if (typeof inputObject !== "object") problems.push(`input: expected an object, got ${describe(input)}`);
  const remoteDirectory = inputObject.remoteDirectory;
  if (remoteDirectory !== undefined && (typeof remoteDirectory !== "string" || remoteDirectory.includes("\0"))) {
    problems.push(`remoteDirectory: expected a path without NUL characters, got ${describe(remoteDirectory)}`);
  }

  const count = opts.count ?? -1;
  if (typeof count !== "number" || !Number.isInteger(count)) problems.push(`count: expected a whole number, got ${describe(count)}`);
  else if (count <= 0 && count !== -1) problems.push(`count: Limit must be positive or -1 (given: ${count})`);

  for (const key of ["recursive", "followSymlinks"] as const) {
    if (opts[key] !== undefined && typeof opts[key] !== "boolean") problems.push(`${key}: expected true or false, got ${describe(opts[key])}`);
  }
  const depth = opts.depth ?? (opts.recursive ? 1 : 0);
  if (typeof depth !== "number" || !(depth === Infinity || (Number.isInteger(depth) && depth >= 0))) {
    problems.push(`depth: expected a whole number of at least 0 or Infinity, got ${describe(depth)}`);
  }
  const recurseInto = opts.recurseInto ?? "matching";
  if (recurseInto !== "matching" && recurseInto !== "all") problems.push(`recurseInto: expected "matching" or "all", got ${describe(recurseInto)}`);
  const onErrorOption = opts.onError ?? "skip";
  if (onErrorOption !== "skip" && onErrorOption !== "fail" && typeof onErrorOption !== "function") {
    problems.push(`onError: expected "skip", "fail" or a function, got ${describe(onErrorOption)}`);
  }
  const attempts = opts.retry?.attempts ?? 1;
  const backoffMs = opts.retry?.backoffMs ?? 1_000;
  if (!Number.isInteger(attempts) || attempts < 0) problems.push(`retry.attempts: expected a whole number of at least 0, got ${describe(attempts)}`);
  if (typeof backoffMs !== "number" || !Number.isFinite(backoffMs) || backoffMs < 0) problems.push(`retry.backoffMs: expected a number of ms of at least 0, got ${describe(backoffMs)}`);

  let accept: FilterPredicate = () => true;
  try {
    accept = compileFilter(opts.filter, { allowedFields: LIST_FILTER_FIELDS });
  } catch (error) {
    if (!isSftpConnectorError(error)) throw error;
    // Tree problems are prefixed by their path in the tree (`and[0].operator: …`); string-syntax problems add the input and a caret.
    const found = error.problems.length > 0 ? error.problems : [`filter: ${error.message}`];
    problems.push(...found.map((p) => (p.startsWith("filter") || /^\s/.test(p) ? p : `filter.${p}`)));
  }
  if (problems.length > 0) {
    const summary = problems.filter((p) => !/^\s/.test(p)).join("; ");
    throw new SftpConnectorError("INVALID_INPUT", `Invalid list request: ${summary}`, { operation: OPERATION, problems });
  }

  const logger = opts.logger ?? silentLogger;
  const onError =
    typeof onErrorOption === "function"
      ? onErrorOption
      : onErrorOption === "fail"
        ? (error: SftpConnectorError) => {
            throw error;
          }
        : (error: SftpConnectorError) => logger.warn(error.message, { reason: error.reason, path: error.path });
  return {
    remoteDirectory: remoteDirectory as string | undefined,
    count,
    depth,
    recurseInto,
    accept,
    followSymlinks: opts.followSymlinks ?? false,
    onError,
    attempts,
    backoffMs,
    logger,
  };
}
