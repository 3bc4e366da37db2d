// The QUERY operation: the files of a remote directory that pass a filter, as documents with their content, downloaded a bounded few at a time over one connection.
import type { Readable } from "node:stream";
import {
  QUERY_FILTER_FIELDS,
  SftpConnectorError,
  abortedError,
  checkSignalOption,
  formatIsoSeconds,
  formatTimestamp,
  isSftpConnectorError,
  quotePath,
  throwIfAborted,
} from "@sftp-connector/core";
import type { DocumentProperties, FileDocument, Filter, RetryOptions } from "@sftp-connector/core";
import { planDirectoryScan, type DirectoryScanPlan } from "@sftp-connector/core";
import { isSessionProvider, type Logger, type SessionProvider, type SessionTarget, type SftpSession } from "@sftp-connector/transport";
import { isTemporaryFileName } from "@sftp-connector/transport/upload";
import { iterateWithRetry, toFilterEntry, walkDirectory, type WalkEntry } from "@sftp-connector/transport/scan";
import { openContent, readAll } from "./openContent.js";

/** What to query. */
export interface QueryInput {
  /**
   * The directory to query, overriding the connection's (Boomi's `remoteDirectory` document property);
   * relative paths resolve against the home directory.
   * @default the connection's `remoteDirectory`, else the home directory
   */
  remoteDirectory?: string;
}

/** Options of {@link queryFiles}. */
export interface QueryOptions {
  /** Most documents to return (failed files do not count, as in Boomi); `-1` for no limit. @default -1 */
  count?: number;
  /**
   * Which files to return: a filter tree or its string form (`fileName ~ "*.csv" and fileSize > 0`), over
   * `fileName`, `fileSize` and `modifiedDate`. Wildcards and regexes match the path relative to the queried
   * directory, so with `recursive`, `*.csv` matches only top-level files; `**.csv` matches at every level.
   * @default every file
   */
  filter?: Filter | string;
  /**
   * Content becomes the JSON `{"fileContent":"<the file as UTF-8 text>","modifiedDate":"2023-03-23T12:08:56Z"}`
   * (Boomi's; the text is kept exactly, a trailing newline and CRLF included). Still streamed.
   * @default false
   */
  includeAllMetadata?: boolean;
  /**
   * Most files downloading at once, all over the query's one connection. It is also how far the query
   * runs ahead of you: a file starts downloading (into a bounded buffer) before you reach its document,
   * and holds its place until its content is read to the end or destroyed.
   * @default 4
   */
  concurrency?: number;
  /**
   * A file that cannot be fetched (before its document is returned): `"report"` it as an error item
   * `{ error, properties }` among the results and go on; `"skip"` it with a warning (Boomi's code);
   * or `"fail"` the query with its error. Also applies to sub-directories that cannot be read, broken
   * symbolic links and link loops. Failures after a document was returned surface on its content stream.
   * @default "report"
   */
  onError?: "report" | "skip" | "fail";
  /** `"stream"`: content is a Readable. `"buffer"`: content is a Buffer (the whole file in memory). @default "stream" */
  as?: "stream" | "buffer";
  /** Query the sub-directories too, one level deep; same as `depth: 1` (an extension: Boomi's QUERY ignores it). @default false */
  recursive?: boolean;
  /**
   * Boomi's id for {@link QueryOptions.recursive}, accepted as an alias (giving both with different values is
   * INVALID_INPUT). Boomi's QUERY had the field but it had no effect; here it queries one level deeper, as
   * `recursive` does (`fromBoomiOperationProperties("QUERY", …)` drops it, keeping Boomi's results).
   */
  recursiveList?: boolean;
  /**
   * Levels of sub-directories to query (every sub-directory is entered: QUERY's filter chooses files
   * only). Wins over `recursive`.
   * @default 1 with `recursive`, else 0
   */
  depth?: number;
  /** Fetch files through symbolic links (and enter linked directories within `depth`, never around a loop). Without it links are skipped, as Boomi does. @default false */
  followSymlinks?: boolean;
  /**
   * Return the temporary files our uploads write before renaming into place (`.<name>.<uuid>.sftp-tmp`,
   * see `isTemporaryFileName`; also orphans of killed processes, which `cleanTemporaryFiles` of
   * `@sftp-connector/delete` removes). Without it they are skipped (never downloaded), as LISTEN skips
   * them; only that exact pattern is skipped, never a file that merely looks like it.
   * @default false
   */
  includeTemporaryFiles?: boolean;
  /**
   * With a `SessionProvider`: a download that fails with a lost connection or a timeout resumes on a
   * fresh session at the byte reached; the listing starts again only when no document was returned yet.
   * @default { attempts: 1, backoffMs: 1000 } (Boomi: one retry)
   */
  retry?: RetryOptions;
  /** Told the running total of a file's bytes read, after every chunk, with that file's properties. @default none */
  onProgress?: (bytes: number, properties: DocumentProperties) => void;
  /** Told about skipped files, unsafe names and retries. @default silent */
  logger?: Logger;
  /**
   * Cancels the query: already aborted, the first pull throws `ABORTED` without opening a session.
   * Aborted mid-way, the listing stops, files not yet started never start, downloads not yet handed out
   * end, every handed-out content still being read is destroyed with the `ABORTED` error, nothing is
   * retried or resumed, and the iteration throws `ABORTED` (not retryable, the signal's reason as `cause`).
   * @default none
   */
  signal?: AbortSignal;
}

/** A file QUERY could not fetch: the error (naming the path) and the file's properties. */
export interface QueryError {
  error: SftpConnectorError;
  properties: DocumentProperties;
}

/** One result of {@link queryFiles}: a document, or (with `onError: "report"`) a file that failed. */
export type QueryItem<Content = Readable> = FileDocument<Content> | QueryError;

/** True when a query result is an error item rather than a document. */
export function isQueryError<Content>(item: QueryItem<Content>): item is QueryError {
  return "error" in item;
}

interface Plan extends DirectoryScanPlan {
  signal: AbortSignal | undefined;
  includeAllMetadata: boolean;
  includeTemporaryFiles: boolean;
  concurrency: number;
  onError: "report" | "skip" | "fail";
  as: "stream" | "buffer";
  onProgress: ((bytes: number, properties: DocumentProperties) => void) | undefined;
}

type Outcome = { document: FileDocument<Readable | Buffer> } | { error: SftpConnectorError };

/** A result in listing order: started, maybe not finished. */
interface Pending {
  properties: DocumentProperties;
  /** Never rejects. */
  outcome: Promise<Outcome>;
  /** Ends the download when the query stops before handing it out. */
  cancel(): void;
}

const OPERATION = "query";

/** Boomi's QUERY field ids where ours differ → our option names (`count` and `includeAllMetadata` are the same). */
export const QUERY_OPTION_ALIASES: Readonly<Record<string, keyof QueryOptions>> = { recursiveList: "recursive" };

/**
 * Queries a remote directory as Boomi's QUERY does: the files (never directories, links unless
 * `followSymlinks`, nor special files) that pass `filter`, in server order, each as a document
 * `{ content, properties: { fileName, remoteDirectory, timestamp, size } }` (`fileName` relative to the
 * queried directory, `sub/a.txt` below it). Up to `concurrency` files download at once over the same
 * connection while documents come out in listing order. A file that fails is an error item, is skipped,
 * or fails the query, by `onError`.
 *
 * Read (or destroy) each document's content: a stream holds its place among the `concurrency` until it
 * ends, and the query waits for a free place before it returns more documents. Breaking out of the loop
 * stops the listing and every download not yet handed out; aborting `signal` also destroys the contents
 * handed out and still being read (see {@link QueryOptions.signal}).
 *
 * `session` is an open `SftpSession`, or a `SessionProvider` (a pool): one session is taken on the first
 * pull for the listing and the downloads, and given back once the last handed-out content has ended.
 *
 * Options are strict: an unknown key is INVALID_INPUT naming the closest known one; Boomi's field id
 * `recursiveList` is accepted for `recursive`.
 *
 * @throws SftpConnectorError INVALID_INPUT at once (before any request) for a bad option or filter, naming
 * every problem; from the iteration, NO_SUCH_FILE "Remote directory does not exist: <path>", the error of a
 * file with `onError: "fail"`, and the classified error when the directory cannot be read or the connection fails.
 *
 * @example
 * ```ts
 * for await (const item of queryFiles(session, { remoteDirectory: "in" }, { filter: 'fileName ~ "*.csv"' })) {
 *   if (isQueryError(item)) console.warn(item.properties.fileName, item.error.message);
 *   else await pipeline(item.content, createWriteStream(`/tmp/${item.properties.fileName}`));
 * }
 * ```
 */
export function queryFiles(
  target: SessionTarget,
  input: QueryInput | undefined,
  options: QueryOptions & { as: "buffer" },
): AsyncGenerator<QueryItem<Buffer>, void, undefined>;
export function queryFiles(
  target: SessionTarget,
  input?: QueryInput,
  options?: QueryOptions & { as?: "stream" },
): AsyncGenerator<QueryItem<Readable>, void, undefined>;
export function queryFiles(target: SessionTarget, input?: QueryInput, options?: QueryOptions): AsyncGenerator<QueryItem<Readable | Buffer>, void, undefined>;
export function queryFiles(
  target: SessionTarget,
  input: QueryInput = {},
  options: QueryOptions = {},
): AsyncGenerator<QueryItem<Readable | Buffer>, void, undefined> {
  const plan = planQuery(input, options);
  return isSessionProvider(target) ? queryWithProvider(target, plan) : new Query(target, undefined, plan).run();
}

function queryWithProvider(provider: SessionProvider, plan: Plan): AsyncGenerator<QueryItem<Readable | Buffer>, void, undefined> {
  return iterateWithRetry(
    provider,
    (session) => {
      const query = new Query(session, provider, plan);
      // The session goes back once every download on it has ended (handed-out contents may still be read).
      return { items: query.run(), idle: () => query.idle() };
    },
    { ...plan, operation: OPERATION, item: "document", path: plan.remoteDirectory },
  );
}

/** Wakes every waiter: a condition variable for the listing pump and the consumer. */
class Signal {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** One run of a query on one session: a listing pump that starts downloads, and the consumer that hands out results in order. */
class Query {
  private readonly queue: Pending[] = [];
  private readonly signal = new Signal();
  /** Downloads holding a place: started and not yet ended (stream mode: until the content closes). */
  private active = 0;
  private successes = 0;
  private stopped = false;
  private listingDone = false;
  private listingError: unknown;
  private directory = "";

  constructor(
    private readonly session: SftpSession,
    private readonly provider: SessionProvider | undefined,
    private readonly plan: Plan,
  ) {}

  /** Whether the query must start nothing more: the consumer stopped, or the signal fired. */
  private get halted(): boolean {
    return this.stopped || this.plan.signal?.aborted === true;
  }

  /** Resolves once no download holds a place and the listing has stopped. */
  async idle(): Promise<void> {
    while (this.active > 0 || !this.listingDone) await this.signal.wait();
  }

  async *run(): AsyncGenerator<QueryItem<Readable | Buffer>, void, undefined> {
    const { plan } = this;
    const abortSignal = plan.signal;
    if (plan.count === 0 || abortSignal?.aborted) {
      this.listingDone = true;
      throwIfAborted(abortSignal, OPERATION, plan.remoteDirectory);
      return;
    }
    try {
      this.directory = this.session.resolveDirectory(plan.remoteDirectory);
    } catch (error) {
      this.listingDone = true;
      throw error;
    }
    // An abort wakes the pump and the consumer, which then stop.
    const wake = () => this.signal.notify();
    abortSignal?.addEventListener("abort", wake, { once: true });
    const pump = this.pump();
    try {
      for (;;) {
        throwIfAborted(abortSignal, OPERATION, this.directory);
        if (plan.count !== -1 && this.successes >= plan.count) return;
        const head = this.queue[0];
        if (head === undefined) {
          if (this.listingDone) {
            if (this.listingError !== undefined) throw this.listingError;
            return;
          }
          await this.signal.wait();
          continue;
        }
        const outcome = await head.outcome;
        throwIfAborted(abortSignal, OPERATION, this.directory);
        this.queue.shift();
        this.signal.notify();
        if ("document" in outcome) {
          this.successes += 1;
          yield outcome.document;
        } else if (plan.onError === "report") {
          yield { error: outcome.error, properties: head.properties };
        } else if (plan.onError === "fail") {
          throw outcome.error;
        } else {
          plan.logger.warn(`skipped ${quotePath(head.properties.fileName)}: ${outcome.error.message}`, {
            reason: outcome.error.reason,
            path: outcome.error.path,
          });
        }
      }
    } finally {
      abortSignal?.removeEventListener("abort", wake);
      this.stopped = true;
      this.signal.notify();
      // Downloads started but never handed out: end them once they have opened.
      for (const pending of this.queue.splice(0)) pending.cancel();
      await pump;
    }
  }

  /** Whether the pump may take another entry from the listing now. */
  private mayStart(): boolean {
    const { concurrency, count } = this.plan;
    return this.active < concurrency && this.queue.length < concurrency && (count === -1 || this.successes + this.queue.length < count);
  }

  /** Lists the directory and starts a download per accepted file, keeping within `concurrency`. */
  private async pump(): Promise<void> {
    const { plan } = this;
    const walk = walkDirectory(this.session, this.directory, {
      depth: plan.depth,
      filter: (entry) => entry.stats.isFile && (plan.includeTemporaryFiles || !isTemporaryFileName(entry.name)) && plan.accept(toFilterEntry(entry)),
      descend: () => true,
      includeDirectories: false,
      followSymlinks: plan.followSymlinks,
      onError: (error) => this.listingFailure(error),
      logger: plan.logger,
      operation: OPERATION,
      signal: plan.signal,
    });
    try {
      for (;;) {
        while (!this.halted && !this.mayStart()) await this.signal.wait();
        if (this.halted) break;
        const step = await walk.next();
        if (step.done) break;
        if (this.halted) break;
        this.start(step.value);
      }
    } catch (error) {
      this.listingError = error;
    } finally {
      if (this.halted) await walk.return().catch(() => {});
      this.listingDone = true;
      this.signal.notify();
    }
  }

  /** A sub-directory, link or loop the walk had to skip: reported, skipped or fatal, as a file would be. */
  private listingFailure(error: SftpConnectorError): void {
    const { plan } = this;
    if (plan.onError === "fail") throw error;
    if (plan.onError === "skip") {
      plan.logger.warn(error.message, { reason: error.reason, path: error.path });
      return;
    }
    const path = error.path ?? this.directory;
    const fileName = path.startsWith(`${this.directory}/`) ? path.slice(this.directory.length + 1) : this.directory === "/" ? path.slice(1) : path;
    this.queue.push({ properties: { fileName, remoteDirectory: this.directory }, outcome: Promise.resolve({ error }), cancel: () => {} });
    this.signal.notify();
  }

  private start(entry: WalkEntry): void {
    const { plan } = this;
    const properties: DocumentProperties = {
      fileName: entry.relativePath,
      remoteDirectory: this.directory,
      timestamp: formatTimestamp(entry.stats.modifiedAt),
      size: entry.stats.size,
    };
    this.active += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.active -= 1;
      this.signal.notify();
    };
    const onProgress = plan.onProgress;
    const opening = openContent({
      session: this.session,
      provider: this.provider,
      attempts: plan.attempts,
      backoffMs: plan.backoffMs,
      path: entry.path,
      sizeHint: entry.stats.size,
      metadataDate: plan.includeAllMetadata ? formatIsoSeconds(entry.stats.modifiedAt) : undefined,
      onBytes: onProgress ? (total) => onProgress(total, properties) : undefined,
      logger: plan.logger,
      signal: plan.signal,
    });
    let cancelled = false;
    let opened: Readable | undefined;
    const cancel = () => {
      cancelled = true;
      opened?.destroy();
    };
    const outcome: Promise<Outcome> = opening
      .then(
        async (content): Promise<Outcome> => {
          opened = content;
          if (cancelled) content.destroy();
          this.destroyOnAbort(content, entry.path);
          if (plan.as === "buffer") {
            try {
              return { document: { content: await readAll(content), properties } };
            } finally {
              release();
            }
          }
          if (content.closed) release();
          else content.once("close", release);
          return { document: { content, properties } };
        },
        (error: unknown): Outcome => {
          release();
          return { error: fetchError(error, entry.path) };
        },
      )
      .catch((error: unknown): Outcome => ({ error: fetchError(error, entry.path) }));
    this.queue.push({ properties, outcome, cancel });
    this.signal.notify();
  }

  /** With a signal: once it fires, `content` (handed out or not) is destroyed with the ABORTED error, which closes its handle. */
  private destroyOnAbort(content: Readable, path: string): void {
    const abortSignal = this.plan.signal;
    if (!abortSignal || content.destroyed) return;
    const onAbort = () => {
      // A content nobody reads (not yet handed out, or put aside) must not crash the process: it keeps the error for a later reader.
      content.on("error", () => {});
      content.destroy(abortedError(OPERATION, path, abortSignal));
    };
    if (abortSignal.aborted) {
      onAbort();
      return;
    }
    abortSignal.addEventListener("abort", onAbort, { once: true });
    content.once("close", () => abortSignal.removeEventListener("abort", onAbort));
  }
}

/** The error of a file that could not be fetched, naming its path (Boomi: "Error fetching file from <path>"). */
function fetchError(error: unknown, path: string): SftpConnectorError {
  const reason = isSftpConnectorError(error) ? error.reason : "FAILURE";
  const detail = error instanceof Error ? error.message : String(error);
  return new SftpConnectorError(reason, `Error fetching file from ${quotePath(path)}: ${detail}`, {
    operation: OPERATION,
    path,
    cause: error,
    ...(isSftpConnectorError(error) ? { retryable: error.retryable } : {}),
  });
}

/** Validates everything before any request; one INVALID_INPUT naming every problem. */
function planQuery(input: QueryInput | undefined, options: QueryOptions | undefined): Plan {
  return planDirectoryScan(input, options, {
    operation: OPERATION,
    allowedFields: QUERY_FILTER_FIELDS,
    switches: ["recursive", "followSymlinks", "includeAllMetadata", "includeTemporaryFiles"],
    callbacks: ["onProgress"],
    ownOptions: ["concurrency", "onError", "as", "signal"],
    aliases: QUERY_OPTION_ALIASES,
    checkOwn: (opts, report) => {
      const concurrency = opts.concurrency ?? 4;
      if (typeof concurrency !== "number" || !Number.isInteger(concurrency) || concurrency < 1)
        report("concurrency", "a whole number of at least 1", concurrency);
      const onError = opts.onError ?? "report";
      if (onError !== "report" && onError !== "skip" && onError !== "fail") report("onError", '"report", "skip" or "fail"', onError);
      const as = opts.as ?? "stream";
      if (as !== "stream" && as !== "buffer") report("as", '"stream" or "buffer"', as);
      return {
        signal: checkSignalOption(opts.signal, OPERATION),
        includeAllMetadata: opts.includeAllMetadata ?? false,
        includeTemporaryFiles: opts.includeTemporaryFiles ?? false,
        concurrency,
        onError,
        as,
        onProgress: opts.onProgress,
      };
    },
  });
}
