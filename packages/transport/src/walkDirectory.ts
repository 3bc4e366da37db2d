// Walks a remote directory tree entry by entry (LIST and QUERY share it): streamed, depth-bounded, symlink-aware, loop-safe.
import {
  SftpConnectorError,
  abortedError,
  isSafeRemoteName,
  quotePath,
  isSftpConnectorError,
  notADirectory,
  remoteDirectoryNotFound,
  type FilterEntry,
} from "@sftp-connector/core";
import type { FileStats, SftpSession } from "./SftpSession.js";
import { silentLogger, type Logger } from "./Logger.js";

/** The session calls the walk uses (an `SftpSession` has them all). */
export type WalkSession = Pick<SftpSession, "stat" | "realpath" | "readdir" | "closed">;

/** One entry met by {@link walkDirectory}. */
export interface WalkEntry {
  /** The entry's own name, e.g. `a.txt`. */
  name: string;
  /** Its path relative to the walked directory, e.g. `sub/a.txt` (equal to `name` at depth 0). */
  relativePath: string;
  /** The absolute directory it is in, e.g. `/home/u/in/sub`. */
  directory: string;
  /** Its absolute path, `directory/name`. */
  path: string;
  /** Its metadata; for a followed symbolic link, the target's (so `stats.isSymbolicLink` is false). */
  stats: FileStats;
  /** Whether the entry itself is a symbolic link (only ever true with `followSymlinks`). */
  isSymbolicLink: boolean;
  /** How deep it is: 0 for an entry of the walked directory, 1 for an entry of one of its sub-directories, … */
  depth: number;
}

/** What a compiled filter (core's `compileFilter`) sees of a walked entry: its name, relative path, size, mtime and type. */
export function toFilterEntry(entry: WalkEntry): FilterEntry {
  return { name: entry.name, relativePath: entry.relativePath, size: entry.stats.size, mtime: entry.stats.modifiedAt, isDirectory: entry.stats.isDirectory };
}

/** Options of {@link walkDirectory}. */
export interface WalkDirectoryOptions {
  /**
   * How many levels below the walked directory to descend: 0 lists the directory alone, 1 also the
   * sub-directories it has (Boomi's `recursiveList`), `Infinity` the whole tree.
   * @default 0
   */
  depth?: number;
  /** Which entries to yield. Sees every entry (after symlinks are resolved). @default every entry */
  filter?: (entry: WalkEntry) => boolean;
  /**
   * Which sub-directories (within `depth`) to descend into, told whether `filter` accepted the entry.
   * @default `(entry, accepted) => accepted`: Boomi's rule, only into directories that passed the filter
   */
  descend?: (entry: WalkEntry, accepted: boolean) => boolean;
  /**
   * Follow symbolic links: a link is stat'ed and treated as its target (a link to a directory is
   * descended into like one, but never into a directory already on the current path: that is a loop).
   * Without it, links are skipped, as Boomi does.
   * @default false
   */
  followSymlinks?: boolean;
  /** Yield directories (that pass `filter`). Directories are still descended into when false. @default true */
  includeDirectories?: boolean;
  /**
   * Told about what the walk skips because it failed: a sub-directory it cannot read, a broken
   * symbolic link, a symbolic-link loop. The walk goes on after it returns; throw from it to end the
   * walk with that error. Failures of the walked directory itself and of the connection always end the walk.
   * @default warns through `logger`
   */
  onError?: (error: SftpConnectorError) => void;
  /** Told about entries skipped for unsafe names and about skipped failures (when no `onError` is given). @default silent */
  logger?: Logger;
  /** The operation, for errors. @default "walk" */
  operation?: string;
  /**
   * Checked before every read of a directory (each batch, and before entering a sub-directory): once
   * aborted, the walk closes its handles and throws `ABORTED` naming the walked directory (the signal's
   * reason as cause), never skipped as a sub-directory failure would be.
   * @default none
   */
  signal?: AbortSignal | undefined;
}

/** Reasons after which nothing else on the connection can work: never skipped. */
const FATAL_REASONS = new Set(["CONNECTION_LOST", "TIMEOUT"]);

/**
 * Walks `directory` (absolute), yielding its entries and, down to `depth`, those of its
 * sub-directories, depth first in server order (a sub-directory's entries come right after it).
 *
 * Memory does not grow with the number of entries: each directory is read batch by batch as the
 * consumer pulls, and at most one handle is open per level of the current path. `.` and `..` are never
 * yielded; names that are not plain entry names (`/`, NUL or control characters, which only a broken
 * or hostile server sends) are skipped with a warning; symbolic links are skipped unless `followSymlinks`.
 * A sub-directory that cannot be read is skipped and reported to `onError` (Boomi: "skipped").
 * Breaking out of the loop, or aborting `signal`, closes every open handle.
 *
 * @throws SftpConnectorError NO_SUCH_FILE "Remote directory does not exist: <path>" when `directory`
 * is missing or not a directory; INVALID_INPUT for a relative `directory` or a bad `depth` (before any
 * request); the classified error when `directory` cannot be read or the connection fails.
 *
 * @example
 * ```ts
 * for await (const entry of walkDirectory(session, "/data/in", { depth: 1 })) console.log(entry.relativePath, entry.stats.size);
 * ```
 */
export function walkDirectory(session: WalkSession, directory: string, options: WalkDirectoryOptions = {}): AsyncGenerator<WalkEntry, void, undefined> {
  const operation = options.operation ?? "walk";
  const depth = options.depth ?? 0;
  if (!(depth === Infinity || (Number.isInteger(depth) && depth >= 0))) {
    throw new SftpConnectorError("INVALID_INPUT", `depth: expected a whole number of at least 0 or Infinity, got ${String(depth)}`, { operation });
  }
  if (typeof directory !== "string" || !directory.startsWith("/") || directory.includes("\0")) {
    throw new SftpConnectorError("INVALID_INPUT", `directory: expected an absolute remote path, got ${JSON.stringify(directory)}`, { operation });
  }
  const base = directory.length > 1 ? directory.replace(/\/+$/, "") || "/" : directory;
  return new Walk(session, { ...options, depth, operation }).run(base);
}

/** A name quoted for a log line, every control character escaped (JSON leaves DEL and C1 raw), so a logged name cannot drive a terminal. */
function escapeName(name: string): string {
  return JSON.stringify(name).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Joins a directory and a name without doubling the root's slash. */
function joinPath(directory: string, name: string): string {
  return directory === "/" ? `/${name}` : `${directory}/${name}`;
}

/** Whether an error leaves the session unusable (then nothing is skipped: the walk ends). */
function isFatal(error: unknown, session: WalkSession): boolean {
  return session.closed || !isSftpConnectorError(error) || FATAL_REASONS.has(error.reason);
}

class Walk {
  private readonly filter: (entry: WalkEntry) => boolean;
  private readonly descend: (entry: WalkEntry, accepted: boolean) => boolean;
  private readonly logger: Logger;
  private readonly onError: (error: SftpConnectorError) => void;
  private base = "";

  constructor(
    private readonly session: WalkSession,
    private readonly options: WalkDirectoryOptions & { depth: number; operation: string },
  ) {
    this.filter = options.filter ?? (() => true);
    this.descend = options.descend ?? ((_entry, accepted) => accepted);
    this.logger = options.logger ?? silentLogger;
    this.onError = options.onError ?? ((error) => this.logger.warn(error.message, { reason: error.reason, path: error.path }));
  }

  async *run(base: string): AsyncGenerator<WalkEntry, void, undefined> {
    const { operation } = this.options;
    this.base = base;
    this.checkAborted();
    let stats: FileStats;
    try {
      stats = await this.session.stat(base);
    } catch (error) {
      if (isSftpConnectorError(error) && error.reason === "NO_SUCH_FILE") {
        throw remoteDirectoryNotFound(base, operation, { cause: error });
      }
      throw error;
    }
    if (!stats.isDirectory) {
      throw notADirectory(base, operation);
    }
    const real = this.options.followSymlinks ? await this.session.realpath(base) : base;
    yield* this.level(base, "", 0, [real]);
  }

  /** Throws ABORTED (naming the walked directory) once the signal has fired. */
  private checkAborted(): void {
    const { signal, operation } = this.options;
    if (signal?.aborted) throw abortedError(operation, this.base, signal);
  }

  /** Reports a skipped failure; `onError` may throw to end the walk. */
  private skip(reason: SftpConnectorError["reason"], message: string, path: string, cause?: unknown): void {
    this.onError(new SftpConnectorError(reason, message, { operation: this.options.operation, path, cause }));
  }

  /**
   * One directory: its entries in server order, each sub-directory's entries right after it.
   * `chain` holds the real paths of the directories from the base down to this one (for loop detection).
   */
  private async *level(directory: string, relativeDirectory: string, depth: number, chain: readonly string[]): AsyncGenerator<WalkEntry, void, undefined> {
    const { followSymlinks = false, includeDirectories = true } = this.options;
    this.checkAborted();
    const entries = this.session.readdir(directory)[Symbol.asyncIterator]();
    try {
      for (;;) {
        let step: IteratorResult<{ name: string; stats: FileStats }>;
        this.checkAborted();
        try {
          step = await entries.next();
        } catch (error) {
          if (depth === 0 || isFatal(error, this.session)) throw error;
          const why = isSftpConnectorError(error) ? `${error.reason}: ${error.message}` : String(error);
          this.skip(
            isSftpConnectorError(error) ? error.reason : "FAILURE",
            `cannot read sub-directory ${quotePath(directory)}, skipped (${why})`,
            directory,
            error,
          );
          return;
        }
        if (step.done) return;
        const { name } = step.value;
        let { stats } = step.value;
        if (!isSafeRemoteName(name)) {
          this.logger.warn(`skipped an entry of ${quotePath(directory)} with an unsafe name ${escapeName(name)} (it holds "/", NUL or a control character)`, {
            directory,
          });
          continue;
        }
        const path = joinPath(directory, name);
        const isSymbolicLink = stats.isSymbolicLink;
        if (isSymbolicLink) {
          if (!followSymlinks) continue;
          try {
            stats = await this.session.stat(path);
          } catch (error) {
            if (isFatal(error, this.session)) throw error;
            const why = isSftpConnectorError(error) ? `${error.reason}: ${error.message}` : String(error);
            this.skip(isSftpConnectorError(error) ? error.reason : "FAILURE", `cannot follow symbolic link ${quotePath(path)}, skipped (${why})`, path, error);
            continue;
          }
        }
        const relativePath = relativeDirectory === "" ? name : `${relativeDirectory}/${name}`;
        const entry: WalkEntry = { name, relativePath, directory, path, stats, isSymbolicLink, depth };
        const accepted = this.filter(entry);
        if (accepted && (includeDirectories || !stats.isDirectory)) yield entry;
        if (!stats.isDirectory || depth >= this.options.depth || !this.descend(entry, accepted)) continue;

        let real: string;
        if (isSymbolicLink) {
          try {
            real = await this.session.realpath(path);
          } catch (error) {
            if (isFatal(error, this.session)) throw error;
            this.skip("FAILURE", `cannot resolve symbolic link ${quotePath(path)}, not descended into`, path, error);
            continue;
          }
        } else {
          real = joinPath(chain[chain.length - 1]!, name);
        }
        if (chain.includes(real)) {
          this.skip("FAILURE", `symbolic link loop: ${quotePath(path)} is ${quotePath(real)}, a directory on its own path; not descended into`, path);
          continue;
        }
        yield* this.level(path, relativePath, depth + 1, [...chain, real]);
      }
    } finally {
      // Closes the handle when the consumer stops early (a finished or failed readdir is already closed).
      await entries.return?.().catch(() => {});
    }
  }
}
