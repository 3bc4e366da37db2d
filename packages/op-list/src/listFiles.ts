// The LIST operation: the entries of a remote directory (and, on request, of its sub-directories) as Boomi's metadata JSON, streamed.
import {
  LIST_FILTER_FIELDS,
  checkSignalOption,
  formatIsoSeconds,
  throwIfAborted,
  type Filter,
  type RetryOptions,
  type SftpConnectorError,
} from "@sftp-connector/core";
import { planDirectoryScan, type DirectoryScanPlan } from "@sftp-connector/core";
import { isSessionProvider, type Logger, type SessionProvider, type SessionTarget, type SftpSession } from "@sftp-connector/transport";
import { isTemporaryFileName } from "@sftp-connector/transport/upload";
import { iterateWithRetry, toFilterEntry, walkDirectory, type WalkEntry } from "@sftp-connector/transport/scan";
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
  /** Boomi's id for {@link ListOptions.recursive} ("Recursive Listing of Directory"), accepted as an alias; giving both with different values is INVALID_INPUT. */
  recursiveList?: boolean;
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
   * List the temporary files our uploads write before renaming into place (`.<name>.<uuid>.sftp-tmp`,
   * see `isTemporaryFileName`; also orphans of killed processes, which `cleanTemporaryFiles` of
   * `@sftp-connector/delete` removes). Without it they are skipped, as LISTEN skips them; only that
   * exact pattern is skipped, never a file that merely looks like it.
   * @default false
   */
  includeTemporaryFiles?: boolean;
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
  retry?: RetryOptions;
  /** Told about skipped entries and retries. @default silent */
  logger?: Logger;
  /**
   * Cancels the listing: already aborted, the first pull throws `ABORTED` without opening a session;
   * aborted mid-way, the walk stops before its next directory read, closes its handles, starts nothing
   * again (no retry) and the iteration throws `ABORTED` (not retryable, the signal's reason as `cause`).
   * @default none
   */
  signal?: AbortSignal;
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

interface Plan extends DirectoryScanPlan {
  signal: AbortSignal | undefined;
  recurseInto: "matching" | "all";
  onError: (error: SftpConnectorError) => void;
  includeTemporaryFiles: boolean;
}

const OPERATION = "list";

/** Boomi's LIST field ids where ours differ → our option names. */
export const LIST_OPTION_ALIASES: Readonly<Record<string, keyof ListOptions>> = { recursiveList: "recursive" };

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
 * Options are strict: an unknown key is INVALID_INPUT naming the closest known one (`unknown option
 * "recursve"; did you mean "recursive"?`); Boomi's field id `recursiveList` is accepted for `recursive`.
 *
 * With `signal`, aborting stops the walk before its next directory read and closes its handles; the
 * iteration then throws ABORTED (see {@link ListOptions.signal}).
 *
 * @throws SftpConnectorError INVALID_INPUT at once (before any request) for a bad option or filter, naming
 * every problem; from the iteration, ABORTED once `signal` fired, NO_SUCH_FILE "Remote directory does not
 * exist: '<path>'", and the classified error when the directory cannot be read or the connection fails.
 */
export function listFiles(target: SessionTarget, input: ListInput = {}, options: ListOptions = {}): AsyncGenerator<ListEntry, void, undefined> {
  const plan = planList(input, options);
  return isSessionProvider(target) ? listWithProvider(target, plan) : listOn(target, plan);
}

function listWithProvider(provider: SessionProvider, plan: Plan): AsyncGenerator<ListEntry, void, undefined> {
  return iterateWithRetry(provider, (session) => ({ items: listOn(session, plan) }), {
    ...plan,
    operation: OPERATION,
    item: "entry",
    path: plan.remoteDirectory,
  });
}

async function* listOn(session: SftpSession, plan: Plan): AsyncGenerator<ListEntry, void, undefined> {
  throwIfAborted(plan.signal, OPERATION, plan.remoteDirectory);
  if (plan.count === 0) return;
  const directory = session.resolveDirectory(plan.remoteDirectory);
  const walk = walkDirectory(session, directory, {
    depth: plan.depth,
    filter: (entry) => (plan.includeTemporaryFiles || entry.stats.isDirectory || !isTemporaryFileName(entry.name)) && plan.accept(toFilterEntry(entry)),
    descend: plan.recurseInto === "all" ? () => true : (_entry, accepted) => accepted,
    followSymlinks: plan.followSymlinks,
    onError: plan.onError,
    logger: plan.logger,
    operation: OPERATION,
    signal: plan.signal,
  });
  let emitted = 0;
  for await (const entry of walk) {
    yield toListEntry(entry);
    emitted += 1;
    if (plan.count !== -1 && emitted >= plan.count) return;
  }
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

/** Validates everything before any request; one INVALID_INPUT naming every problem. */
function planList(input: ListInput | undefined, options: ListOptions | undefined): Plan {
  const plan = planDirectoryScan(input, options, {
    operation: OPERATION,
    allowedFields: LIST_FILTER_FIELDS,
    switches: ["recursive", "followSymlinks", "includeTemporaryFiles"],
    ownOptions: ["recurseInto", "onError", "signal"],
    aliases: LIST_OPTION_ALIASES,
    checkOwn: (opts, report) => {
      const recurseInto = opts.recurseInto ?? "matching";
      if (recurseInto !== "matching" && recurseInto !== "all") report("recurseInto", '"matching" or "all"', recurseInto);
      const onError = opts.onError ?? "skip";
      if (onError !== "skip" && onError !== "fail" && typeof onError !== "function") report("onError", '"skip", "fail" or a function', onError);
      return {
        recurseInto,
        onErrorOption: onError,
        includeTemporaryFiles: opts.includeTemporaryFiles ?? false,
        signal: checkSignalOption(opts.signal, OPERATION),
      };
    },
  });
  const { onErrorOption, ...rest } = plan;
  const onError =
    typeof onErrorOption === "function"
      ? onErrorOption
      : onErrorOption === "fail"
        ? (error: SftpConnectorError) => {
            throw error;
          }
        : (error: SftpConnectorError) => plan.logger.warn(error.message, { reason: error.reason, path: error.path });
  return { ...rest, onError };
}
