// LISTEN: polls a remote directory and hands each new, changed or removed file to a handler, once per change, across restarts.
import { posix } from "node:path";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import {
  SftpConnectorError,
  checkOptions,
  throwIfAborted,
  compileFilter,
  formatTimestamp,
  isSftpConnectorError,
  notADirectory,
  quotePath,
  remoteDirectoryNotFound,
  type DocumentProperties,
  type Filter,
  type OptionsSpec,
} from "@sftp-connector/core";
import { withSessionTarget, silentLogger, type Logger, type SessionTarget, type SftpSession } from "@sftp-connector/transport";
import { isTemporaryFileName } from "@sftp-connector/transport/upload";
import { walkDirectory } from "@sftp-connector/transport/scan";
import {
  createDirectoryPoller,
  createFileLock,
  createFileStore,
  createMemoryStore,
  createWorkConsumer,
  type Coordination,
  type DirectoryPoller,
  type PollEvent,
  type PollerLock,
  type SnapshotStore,
  type WorkConsumer,
} from "@sftp-connector/poller";

/** Boomi's message when LISTEN has no remote directory. */
export const MISSING_DIRECTORY_MESSAGE = "Please provide a value for the Remote Directory field!";

/** What a listener does with a file after its handler succeeded. */
export type AfterProcessing = "none" | "delete" | { moveTo: string };

/** Options of {@link listen}. */
export interface ListenOptions {
  /** The directory to listen to (relative paths resolve against home). Required, as in Boomi. */
  remoteDirectory: string;
  /** Milliseconds between the end of one poll and the start of the next. At least 100. @default 5000 */
  pollingIntervalMs?: number;
  /** Boomi's id for {@link ListenOptions.pollingIntervalMs} ("Polling Interval", ms), accepted as an alias; giving both with different values is INVALID_INPUT. */
  pollingInterval?: number;
  /** Which files to deliver: the core filter language (fields fileName, fileSize, modifiedDate), as a tree or a string. @default every file */
  filter?: Filter | string;
  /** A glob shorthand on the path relative to `remoteDirectory` (e.g. `*.csv`), ANDed with `filter`. @default none */
  pattern?: string;
  /** Also listen one level of sub-directories deeper (Boomi's recursive listing). @default false */
  recursive?: boolean;
  /** Levels of sub-directories to listen to (overrides `recursive`); `Infinity` for the whole tree. @default 0 */
  depth?: number;
  /** Deliver a new or changed file only once its size and mtime held still this long, so half-uploaded files are not delivered. @default { polls: 1 } */
  stableAfter?: { polls: number } | { ms: number };
  /** Where the snapshot of delivered files is kept; with a persistent store a restart delivers exactly what changed while down. @default in memory */
  store?: SnapshotStore;
  /** Shorthand for `store: createFileStore(stateFile)`. */
  stateFile?: string;
  /** Deliver the files present at the first start as `added`. Boomi does not. @default false */
  emitInitial?: boolean;
  /** After the handler succeeded: leave the file, delete it, or move it into a directory. @default "none" */
  afterProcessing?: AfterProcessing;
  /** Create the `moveTo` directory when missing. @default true */
  createDirectories?: boolean;
  /** Handlers in flight at once; the poller does not fetch faster than handlers finish. @default 1 */
  concurrency?: number;
  /** Only one listener per remote directory runs, across processes of this machine (a lock file), unless `lock` is given. @default false */
  isSingleton?: boolean;
  /** The singleton lock (a shared lock for a cluster). @default a file lock in the OS temp directory */
  lock?: PollerLock;
  /**
   * Run as one of a group of listeners on several machines: the lease lock, the fenced checkpoint
   * store and the shared queue of ONE engine (`createPostgresCoordination` from
   * `@sftp-connector/coordination-postgres`, `createRedisCoordination` from
   * `@sftp-connector/coordination-redis`). It replaces `lock`, `store`, `stateFile` and `isSingleton`
   * (giving one of those beside it is INVALID_INPUT). Every instance of the group must name the same
   * `key` (or reach the server by the same host, port and directory). @default none: this process alone
   */
  coordination?: Coordination;
  /**
   * With `coordination`: `"failover"` — the lease holder polls and handles every change, the others
   * stand by and take over when it stops or dies; `"shared"` — the lease holder polls and appends
   * each change to the engine's queue, and every instance (holder or not) takes changes from the
   * queue, `concurrency` at a time; the same file's changes are never handled by two instances at
   * once. In shared mode with `afterProcessing` "delete" or `moveTo`, `removed` is not delivered
   * (an instance cannot tell another's move from a user's delete). @default "failover"
   */
  mode?: "failover" | "shared";
  /** `mode: "shared"`: how long a claimed change stays hidden from other instances; renewed while the handler runs, redelivered if the instance dies. At least 1000. @default 60000 */
  visibilityMs?: number;
  /** The listener's identity in the store, the lock and the queue. @default `sftp://<host>:<port><directory>` */
  key?: string;
  /** Globs of relative paths never delivered. Our own CREATE/UPSERT temporary names are always ignored. @default [] */
  ignore?: string[];
  /** Boomi's payloads: content as raw bytes (a Buffer), and for `removed` the file name as content. @default false */
  boomiPayloads?: boolean;
  /** Wait before a failed handler's file is tried again, in ms. @default 1000 */
  retryBackoffMs?: number;
  /** Let `afterProcessing.moveTo` be absolute or outside the remote directory. @default false */
  allowAbsolutePaths?: boolean;
  /** Told about retries, skipped entries and recoveries. @default silent */
  logger?: Logger;
  /**
   * Stops the listener when aborted, as `stop()` does (`done` then fulfils); an already aborted
   * signal rejects with `ABORTED` before anything touches the server. @default none
   */
  signal?: AbortSignal;
}

/** What a handler gets: the change, the content (a stream, or a Buffer with `boomiPayloads`), and the properties. */
export interface ListenDocument {
  /** The kind of change. */
  event: "added" | "modified" | "removed";
  /** The file's content for `added`/`modified`; none for `removed` (with `boomiPayloads`, its name as a Buffer). */
  content?: Readable | Buffer;
  /**
   * `fileName` (relative to the remote directory, with its sub-path when recursive: `sub/n.txt`),
   * `remoteDirectory` (the absolute directory listened to; `posix.join(remoteDirectory, fileName)`
   * is the file's path, as with GET and QUERY), `event`, `timestamp`, `size`.
   */
  properties: DocumentProperties & { event: "added" | "modified" | "removed" };
  /** 1 the first time this change is handed out, 2 after one failed handler, and so on. */
  attempt: number;
  /**
   * With `coordination`, the fencing token of the lease the change was seen under: it rises on every change
   * of holder. In failover mode it is the deliverer's live lease, so a sink that records the highest token
   * seen can refuse a stale writer. In shared mode it is the token the change was ENQUEUED under: after a
   * failover, older queued changes still carry the older token, so do not refuse by it there (use it to
   * trace which leader saw the change).
   */
  fencingToken?: string;
}

/** A handler: resolve to mark the change processed; throw to have it retried (the file is not marked processed). */
export type ListenHandler = (document: ListenDocument) => Promise<void> | void;

/** A running listener. */
export interface Listener {
  /** Stops polling; waits for handlers in flight; saves the snapshot; releases the singleton lock. */
  stop(): Promise<void>;
  /** The absolute directory listened to. */
  readonly directory: string;
  /** The underlying poller (events `error`, `cycle`, `lock`). */
  readonly poller: DirectoryPoller;
  /** `mode: "shared"`: this instance's worker on the shared queue (its `stats`). */
  readonly worker?: WorkConsumer;
  /**
   * Settles once the listener has stopped: fulfils after `stop()`; rejects with the error that
   * stopped it on its own. That is `HOST_KEY_MISMATCH` (the server no longer presents the pinned
   * host key): polling on would keep connecting to what may be an impostor, and only a config
   * change can cure it. Other failures (lost connections, timeouts) are retried and never stop it.
   */
  readonly done: Promise<void>;
}

const invalid = (problems: string[]) =>
  new SftpConnectorError("INVALID_INPUT", `Invalid listen options:\n  - ${problems.join("\n  - ")}`, { operation: "listen", problems });

/** The keys of LISTEN's options: Boomi's `isSingleton` is ours; its `pollingInterval` is an alias of `pollingIntervalMs`. */
export const LISTEN_OPTIONS_SPEC: OptionsSpec = {
  known: Object.keys({
    remoteDirectory: true,
    pollingIntervalMs: true,
    filter: true,
    pattern: true,
    recursive: true,
    depth: true,
    stableAfter: true,
    store: true,
    stateFile: true,
    emitInitial: true,
    afterProcessing: true,
    createDirectories: true,
    concurrency: true,
    isSingleton: true,
    lock: true,
    coordination: true,
    mode: true,
    visibilityMs: true,
    key: true,
    ignore: true,
    boomiPayloads: true,
    retryBackoffMs: true,
    allowAbsolutePaths: true,
    logger: true,
    signal: true,
  } satisfies Record<Exclude<keyof ListenOptions, "pollingInterval">, true>),
  aliases: { pollingInterval: "pollingIntervalMs" },
  operation: "listen",
};

/** Checks the options' values (their keys are checked by core's checkOptions) before anything touches the server. */
function checkOptionValues(options: ListenOptions): void {
  const problems: string[] = [];
  if (typeof options?.remoteDirectory !== "string" || options.remoteDirectory.trim() === "") problems.push(`remoteDirectory: ${MISSING_DIRECTORY_MESSAGE}`);
  const interval = options?.pollingIntervalMs;
  if (interval !== undefined && !(Number.isFinite(interval) && interval >= 100)) {
    problems.push(`pollingIntervalMs: expected a number of milliseconds of at least 100, got ${String(interval)}`);
  }
  if (options?.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    problems.push(`concurrency: expected an integer of at least 1, got ${String(options.concurrency)}`);
  }
  const after = options?.afterProcessing;
  if (
    after !== undefined &&
    after !== "none" &&
    after !== "delete" &&
    !(typeof after === "object" && typeof after.moveTo === "string" && after.moveTo.trim() !== "")
  ) {
    problems.push('afterProcessing: expected "none", "delete" or { moveTo: "<directory>" }');
  }
  if (options?.signal !== undefined && !(options.signal instanceof AbortSignal)) problems.push("signal: expected an AbortSignal");
  checkCoordination(options, problems);
  for (const [i, glob] of (options?.ignore ?? []).entries())
    if (typeof glob !== "string" || glob === "") problems.push(`ignore[${i}]: expected a non-empty glob`);
  if (problems.length > 0) throw invalid(problems);
}

/** Checks `coordination`, `mode`, `visibilityMs` and `key`: a coordination replaces the local lock and store, and shared mode needs one. */
function checkCoordination(options: ListenOptions, problems: string[]): void {
  const { coordination, mode, visibilityMs, key } = options;
  if (key !== undefined && (typeof key !== "string" || key.trim() === "")) problems.push("key: expected a non-empty string");
  if (mode !== undefined && mode !== "failover" && mode !== "shared") problems.push(`mode: expected "failover" or "shared", got ${JSON.stringify(mode)}`);
  if (visibilityMs !== undefined && !(Number.isFinite(visibilityMs) && visibilityMs >= 1_000)) {
    problems.push(`visibilityMs: expected a number of milliseconds of at least 1000, got ${String(visibilityMs)}`);
  }
  if (coordination === undefined) {
    if (mode === "shared")
      problems.push('mode: "shared" needs coordination (createPostgresCoordination or createRedisCoordination): the queue lives in its engine');
    if (visibilityMs !== undefined && mode !== "shared") problems.push('visibilityMs: only used with mode: "shared"');
    return;
  }
  const valid =
    typeof coordination === "object" &&
    coordination !== null &&
    typeof coordination.lock?.acquire === "function" &&
    typeof coordination.store?.load === "function" &&
    typeof coordination.queue?.claim === "function" &&
    typeof coordination.owner === "string";
  if (!valid) problems.push("coordination: expected { lock, store, queue, owner } from createPostgresCoordination or createRedisCoordination");
  for (const name of ["lock", "store", "stateFile", "isSingleton"] as const) {
    if (options[name] !== undefined) problems.push(`${name}: not with coordination, which gives the lock and the store (one engine, one fencing token)`);
  }
}

/** Compiles `filter`, `pattern` and `ignore` into one predicate over walk entries (errors name the option). */
function compileSelection(options: ListenOptions): (name: string, relativePath: string, size: number, mtime: Date) => boolean {
  const compile = (filter: Filter | string | undefined, field: string) => {
    try {
      return compileFilter(filter, { allowedFields: ["fileName", "fileSize", "modifiedDate"] });
    } catch (error) {
      throw invalid([`${field}: ${(error as Error).message}`]);
    }
  };
  const accept = compile(options.filter, "filter");
  const pattern = options.pattern === undefined ? () => true : compile({ field: "fileName", operator: "WILDCARD", argument: options.pattern }, "pattern");
  const ignored = (options.ignore ?? []).map((glob, i) => compile({ field: "fileName", operator: "WILDCARD", argument: glob }, `ignore[${i}]`));
  return (name, relativePath, size, mtime) => {
    if (isTemporaryFileName(name)) return false;
    const entry = { name, relativePath, size, mtime, isDirectory: false };
    return accept(entry) && pattern(entry) && !ignored.some((test) => test(entry));
  };
}

/** The absolute `moveTo` directory; inside `directory` unless `allowAbsolutePaths`. */
function resolveMoveTo(directory: string, moveTo: string, allowAbsolutePaths: boolean): string {
  const resolved = posix.resolve(directory, moveTo.trim());
  if (!allowAbsolutePaths && (posix.isAbsolute(moveTo.trim()) || !resolved.startsWith(`${directory}/`))) {
    throw invalid([
      `afterProcessing.moveTo: ${quotePath(moveTo)} is absolute or leaves ${quotePath(directory)}; set allowAbsolutePaths: true to allow it, or give a sub-directory`,
    ]);
  }
  return resolved;
}

/** Runs `work` on a session of the target, once: a provider lends one (given back as broken after a lost connection); a plain session is its own. */
const borrow = <T>(target: SessionTarget, work: (session: SftpSession) => Promise<T>): Promise<T> =>
  withSessionTarget(target, (session) => work(session), { attempts: 0 });

/**
 * Starts listening to `options.remoteDirectory`: every poll lists it (through sessions from
 * `target`, so a pool reconnects after a lost connection or a server restart), and each new,
 * changed or removed file is handed to `handler` once per change: after the handler resolved,
 * the change is recorded in the store (so a restart neither loses nor repeats it) and
 * `afterProcessing` runs; a handler that throws is retried after `retryBackoffMs` and the file is
 * not marked processed. Rejects at start for bad options, a missing directory, or an unreadable or
 * corrupt store. Lost connections and timeouts are retried for as long as it runs; a host key
 * mismatch stops it (see {@link Listener.done}).
 *
 * Options are strict: an unknown key is INVALID_INPUT naming the closest known one; Boomi's
 * `pollingInterval` is accepted for `pollingIntervalMs`, and `isSingleton` is Boomi's name too.
 *
 * @example
 * ```ts
 * const listener = await listen(pool, { remoteDirectory: "inbox", pattern: "*.csv", stateFile: "inbox.json", afterProcessing: "delete" },
 *   async (doc) => { if (doc.content) await importCsv(doc.content as Readable, doc.properties.fileName); });
 * // … later
 * await listener.stop();
 * ```
 */
export async function listen(target: SessionTarget, givenOptions: ListenOptions, handler: ListenHandler): Promise<Listener> {
  const keyProblems: string[] = [];
  const options = checkOptions(givenOptions, LISTEN_OPTIONS_SPEC, keyProblems);
  if (keyProblems.length > 0) throw invalid(keyProblems);
  checkOptionValues(options);
  if (typeof handler !== "function") throw invalid(["handler: expected a function"]);
  const select = compileSelection(options);
  const logger = options.logger ?? silentLogger;
  const depth = options.depth ?? (options.recursive ? 1 : 0);
  throwIfAborted(options.signal, "listen", options.remoteDirectory);
  const { directory, host, port } = await borrow(target, async (session) => {
    const dir = session.resolveDirectory(options.remoteDirectory);
    const stats = await session.statIfExists(dir);
    if (!stats) throw remoteDirectoryNotFound(dir, "listen");
    if (!stats.isDirectory) throw notADirectory(dir, "listen");
    return { directory: dir, host: session.info.host, port: session.info.port };
  });
  const after = options.afterProcessing ?? "none";
  const moveTo = typeof after === "object" ? resolveMoveTo(directory, after.moveTo, options.allowAbsolutePaths ?? false) : undefined;
  /** Files this listener deleted or moved itself: their disappearance is not a `removed` change. */
  const removedByUs = new Set<string>();
  const key = options.key?.trim() ?? `sftp://${host}:${port}${directory}`;
  const coordination = options.coordination;
  const shared = options.mode === "shared";
  const lock =
    coordination?.lock ??
    options.lock ??
    (options.isSingleton
      ? createFileLock(posix.join(tmpdir(), `sftp-connector-listen-${createHash("sha256").update(key).digest("hex").slice(0, 16)}.lock`))
      : undefined);

  // GET's and QUERY's convention: `fileName` keeps the sub-path, `remoteDirectory` is the listened directory, so joining them names the file.
  const properties = (name: string, event: ListenDocument["event"], size: number, mtime: number) => ({
    fileName: name,
    remoteDirectory: directory,
    event,
    timestamp: formatTimestamp(new Date(mtime)),
    size,
  });

  /**
   * Hands one change to the handler (as the lease holder, or as a worker of the shared queue), then runs
   * `afterProcessing`. A worker (`claim` given) skips an added or modified file that is gone by the time it
   * claims it (a later change of that file follows in the queue), and skips `afterProcessing` once its claim
   * was lost (another worker has the change now).
   */
  const deliver = async (event: PollEvent, attempt: number, fencingToken: string | undefined, claim?: AbortSignal): Promise<void> => {
    const { name, size, mtime } = event.entry;
    const fence = fencingToken === undefined ? {} : { fencingToken };
    if (event.type === "removed") {
      if (removedByUs.delete(name)) return;
      const content = options.boomiPayloads ? Buffer.from(name) : undefined;
      await handler({ event: "removed", ...(content ? { content } : {}), properties: properties(name, "removed", size, mtime), attempt, ...fence });
      return;
    }
    const path = posix.join(directory, name);
    await borrow(target, async (session) => {
      if (claim && !(await session.statIfExists(path))) {
        logger.info(`listen ${quotePath(directory)}: ${quotePath(name)} is gone before its queued ${event.type} change was handled; skipped`);
        return;
      }
      const stream = session.createReadStream(path);
      let content: Readable | Buffer = stream;
      try {
        if (options.boomiPayloads) {
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          content = Buffer.concat(chunks);
        }
        await handler({ event: event.type, content, properties: properties(name, event.type, size, mtime), attempt, ...fence });
      } finally {
        stream.destroy();
      }
      if (claim?.aborted) return; // the claim lapsed: the worker that has the change now does the after-processing
      // Shared mode delivers no `removed` after a delete or move (see `mode`), so nothing needs remembering there.
      const remember = (file: string): void => {
        if (!shared) removedByUs.add(file);
      };
      if (after === "delete") {
        remember(name);
        await session.unlink(path).catch((error: unknown) => {
          if (!(isSftpConnectorError(error) && error.reason === "NO_SUCH_FILE")) {
            removedByUs.delete(name);
            throw error;
          }
        });
      } else if (moveTo) {
        const target = posix.join(moveTo, name);
        if (options.createDirectories !== false) await session.mkdir(posix.dirname(target), { recursive: true });
        remember(name);
        await session.rename(path, target, { overwrite: true }).catch((error: unknown) => {
          removedByUs.delete(name);
          throw error;
        });
      }
    });
  };

  const queue = shared ? coordination?.queue : undefined;
  /** Shared mode: the lease holder only appends each change to the queue (under its fencing token); workers deliver. */
  const enqueue = async (event: PollEvent): Promise<void> => {
    if (event.type === "removed" && after !== "none") return; // may be another instance's delete or move
    await queue?.enqueue(key, [event], event.fencingToken === undefined ? {} : { fencingToken: event.fencingToken });
  };
  const poller = createDirectoryPoller({
    key,
    intervalMs: options.pollingIntervalMs ?? 5_000,
    stableAfter: options.stableAfter ?? { polls: 1 },
    store: coordination?.store ?? options.store ?? (options.stateFile ? createFileStore(options.stateFile) : createMemoryStore()),
    emitInitial: options.emitInitial ?? false,
    concurrency: queue ? 1 : (options.concurrency ?? 1),
    retryBackoffMs: options.retryBackoffMs ?? 1_000,
    ...(lock ? { lock } : {}),
    logger,
    handler: queue ? enqueue : (event) => deliver(event, event.attempt, event.fencingToken),
    list: () =>
      (async function* () {
        const entries: Array<{ name: string; size: number; mtime: Date; isDirectory: boolean }> = [];
        await borrow(target, async (session) => {
          for await (const entry of walkDirectory(session, directory, {
            depth,
            includeDirectories: false,
            // Files this listener moved into `moveTo` (inside the tree) are not new files to deliver.
            descend: (entry) => moveTo === undefined || posix.join(directory, entry.relativePath) !== moveTo,
            logger,
            operation: "listen",
          })) {
            if (!entry.stats.isFile) continue;
            if (!select(entry.name, entry.relativePath, entry.stats.size, entry.stats.modifiedAt)) continue;
            entries.push({ name: entry.relativePath, size: entry.stats.size, mtime: entry.stats.modifiedAt, isDirectory: false });
          }
        });
        yield* entries;
      })(),
  });
  let fatal: SftpConnectorError | undefined;
  let settle!: { resolve: () => void; reject: (error: Error) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => {}); // callers need not watch it
  poller.on("error", (error) => {
    if (error.reason !== "HOST_KEY_MISMATCH") {
      logger.warn(`listen ${quotePath(directory)}: ${error.message}`);
      return;
    }
    if (fatal !== undefined) return;
    const cause = isSftpConnectorError(error.cause) ? error.cause : error;
    fatal = new SftpConnectorError("HOST_KEY_MISMATCH", `listening to ${quotePath(directory)} stopped: ${cause.message}`, {
      operation: "listen",
      cause: error,
      retryable: false,
    });
    logger.error(fatal.message, { reason: fatal.reason });
    const stopped = fatal;
    void Promise.all([poller.stop(), worker?.stop()]).then(
      () => settle.reject(stopped),
      () => settle.reject(stopped),
    );
  });
  const worker =
    queue && coordination
      ? createWorkConsumer({
          queue,
          key,
          consumer: coordination.owner,
          concurrency: options.concurrency ?? 1,
          visibilityMs: options.visibilityMs ?? 60_000,
          retryBackoffMs: options.retryBackoffMs ?? 1_000,
          logger,
          handler: (change, lost) => deliver(change.event, change.deliveries, change.fencingToken, lost),
        })
      : undefined;
  await poller.start();
  worker?.start();
  const stop = async (): Promise<void> => {
    await Promise.all([poller.stop(), worker?.stop()]);
    if (fatal === undefined) settle.resolve();
  };
  const signal = options.signal;
  if (signal) {
    const onAbort = () =>
      void stop().catch((error: unknown) => logger.warn(`listen ${quotePath(directory)}: stopping on abort failed: ${(error as Error).message}`));
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      void done.finally(() => signal.removeEventListener("abort", onAbort)).catch(() => {});
    }
  }
  return { stop, directory, poller, done, ...(worker ? { worker } : {}) };
}
