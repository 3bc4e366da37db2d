// GET: one remote file as a document (a stream by default), with Boomi's not-found, delete-after and metadata rules, plus move-after and resume.
import { posix } from "node:path";
import type { Readable } from "node:stream";
import {
  SftpConnectorError,
  formatTimestamp,
  invalidInputError,
  isInsideDirectory,
  isSftpConnectorError,
  notADirectory,
  quotePath,
  remoteDirectoryNotFound,
  resolveRemoteFile,
  abortedError,
  throwIfAborted,
} from "@sftp-connector/core";
import type { DocumentProperties, ErrorReason, FileDocument, ResolvedRemoteFile } from "@sftp-connector/core";
import { DEFAULT_RANGE_BYTES, createParallelReadStream, createResumableReadStream, isSessionProvider, withSessionTarget } from "@sftp-connector/transport";
import type { FileStats, SessionProvider, SessionTarget, SftpSession, WithRetryOptions } from "@sftp-connector/transport";
import { createContentStream } from "./createContentStream.js";
import { normalizeGetFileOptions, type GetFileInput, type GetFileOptions, type NormalizedGetFileOptions } from "./GetFileOptions.js";

const OPERATION = "get";

/**
 * What GET runs on: one open session, or a provider (a pool) that lends sessions.
 * @deprecated Use transport's `SessionTarget` (every operation's first parameter, `target`).
 */
export type SessionSource = SessionTarget;

/** Boomi's message when `deleteAfter` cannot delete the file (`UNABLE_TO_DELETE_FILE`). */
export const UNABLE_TO_DELETE_MESSAGE = "Unable to delete the file";

/**
 * The error of a failed after-read action: `deleteAfter` with `failDeleteAfter`, or any failed
 * `moveAfter`. Its `reason` is the failure's (e.g. `PERMISSION_DENIED`, `ALREADY_EXISTS`); the
 * content was read in full. With `as: "buffer"`, `document` holds it (Boomi returns the content
 * with its "Unable to delete the file" error); with a stream, the caller already received it.
 */
export class AfterReadError extends SftpConnectorError {
  /** Which action failed. */
  readonly action: "delete" | "move";
  /** With `as: "buffer"`: the document that was read, whole. */
  readonly document: FileDocument<Buffer> | undefined;

  constructor(action: "delete" | "move", reason: ErrorReason, message: string, options: { path: string; cause?: unknown; document?: FileDocument<Buffer> }) {
    super(reason, message, { operation: OPERATION, path: options.path, cause: options.cause, retryable: false });
    this.name = "AfterReadError";
    this.action = action;
    this.document = options.document;
  }
}

/** What the preparation found: where the file is, its stats, and where it moves to. */
interface Plan {
  directory: string;
  file: ResolvedRemoteFile;
  stats: FileStats;
  move: { directory: string; target: string } | undefined;
}

/** How GET's steps retry on a provider: the `retry` option, told to the logger. */
const retryOptions = (opts: NormalizedGetFileOptions): WithRetryOptions => ({
  ...opts.retry,
  logger: opts.logger,
  operation: OPERATION,
  ...(opts.signal ? { signal: opts.signal } : {}),
});

const reasonOf = (error: unknown): ErrorReason => (isSftpConnectorError(error) ? error.reason : "FAILURE");
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * GET (Boomi SFTP V2): downloads one file by name (Boomi's object ID; sub-paths inside the remote
 * directory allowed) and returns it as a document: `content` is a `Readable` (or a `Buffer` with
 * `as: "buffer"`), `properties` are `{ fileName, remoteDirectory, timestamp, size }`, where
 * `posix.join(remoteDirectory, fileName)` is the file's path, `fileName` keeps the sub-path
 * relative to the effective remote directory, and `timestamp` is the mtime as
 * `yyyy-MM-dd HH:mm:ss.SSS` (local time).
 *
 * A missing file resolves to `undefined` (Boomi's empty result) unless `failIfNotFound`; a
 * missing remote directory is `NO_SUCH_FILE` "Remote directory does not exist: <dir>" (and one that is
 * a file, "… <dir> is not a directory", the same reason as every operation); a directory given as the file, a blank, absolute or escaping name, and bad options are `INVALID_INPUT`.
 *
 * The file is read to its end of file, whatever `stat` says its size is. `deleteAfter` and
 * `moveAfter` run only once the content was read whole: with `as: "buffer"` before the call
 * resolves; with a stream when the caller has consumed it to its end, just before the stream
 * ends. Their failure (`failDeleteAfter`, or any failed move) is then an {@link AfterReadError}:
 * the call rejects (buffer), or the stream emits it instead of `end` (stream). `properties.size`
 * is stat's size until a stream ends, then the bytes actually read.
 *
 * With a `SessionProvider`, the GET takes one session from it for all its steps (stat, read,
 * after-read), given back once the buffer is returned or the stream has closed (ended, failed or
 * destroyed: a stream never consumed nor destroyed keeps it); a download cut by a lost connection
 * resumes at the byte offset reached on a fresh session, within `retry.attempts`.
 *
 * @example
 * ```ts
 * const doc = await getFile(pool, { fileName: "in/orders.csv" }, { deleteAfter: true });
 * if (doc) await pipeline(doc.content, createWriteStream("orders.csv")); // deleted once fully read
 * ```
 */
export function getFile(
  target: SessionTarget,
  input: GetFileInput,
  options: GetFileOptions & { as: "buffer"; failIfNotFound: true },
): Promise<FileDocument<Buffer>>;
export function getFile(
  target: SessionTarget,
  input: GetFileInput,
  options: GetFileOptions & { as?: "stream"; failIfNotFound: true },
): Promise<FileDocument<Readable>>;
export function getFile(
  target: SessionTarget,
  input: GetFileInput,
  options: GetFileOptions & { failIfNotFound: true },
): Promise<FileDocument<Readable | Buffer>>;
export function getFile(target: SessionTarget, input: GetFileInput, options: GetFileOptions & { as: "buffer" }): Promise<FileDocument<Buffer> | undefined>;
export function getFile(target: SessionTarget, input: GetFileInput, options?: GetFileOptions & { as?: "stream" }): Promise<FileDocument<Readable> | undefined>;
export function getFile(target: SessionTarget, input: GetFileInput, options?: GetFileOptions): Promise<FileDocument<Readable | Buffer> | undefined>;
export async function getFile(target: SessionTarget, input: GetFileInput, options: GetFileOptions = {}): Promise<FileDocument<Readable | Buffer> | undefined> {
  const { fileName, options: opts } = normalizeGetFileOptions(input, options);
  throwIfAborted(opts.signal, OPERATION, fileName);
  const held = isSessionProvider(target) ? holdOneSession(target) : undefined;
  const source: SessionTarget = held ?? target;
  let plan: Plan | undefined;
  try {
    plan = await withSessionTarget(source, (s) => prepare(s, fileName, input.remoteDirectory, opts), retryOptions(opts));
  } finally {
    if (plan === undefined) held?.done();
  }
  if (plan === undefined) return undefined;
  const found = plan;

  const properties = propertiesOf(found);
  const metadataDate = opts.includeAllMetadata ? formatTimestamp(found.stats.modifiedAt) : undefined;
  const parallel = opts.connections > 1 && held !== undefined && found.stats.size > DEFAULT_RANGE_BYTES;
  const openStream = (): Readable =>
    parallel
      ? createParallelReadStream(lendHeldFirst(held!, target as SessionProvider), found.file.path, {
          size: found.stats.size,
          connections: opts.connections,
          ...opts.retry,
          logger: opts.logger,
          operation: OPERATION,
          ...(opts.signal ? { signal: opts.signal } : {}),
        })
      : isSessionProvider(source)
        ? createResumableReadStream(source, found.file.path, {
            ...opts.retry,
            logger: opts.logger,
            sizeHint: found.stats.size,
            operation: OPERATION,
            ...(opts.signal ? { signal: opts.signal } : {}),
          })
        : source.createReadStream(found.file.path, { sizeHint: found.stats.size });
  /** The file's bytes; an abort destroys the stream with ABORTED (which closes the remote handle). */
  const open = (): Readable => {
    const signal = opts.signal;
    if (signal?.aborted) throw abortedError(OPERATION, found.file.path, signal);
    const stream = openStream();
    if (signal) {
      const onAbort = () => stream.destroy(abortedError(OPERATION, found.file.path, signal));
      signal.addEventListener("abort", onAbort, { once: true });
      stream.once("close", () => signal.removeEventListener("abort", onAbort));
    }
    return stream;
  };

  if (opts.as === "buffer") {
    try {
      let size = 0;
      const stream = createContentStream({
        open,
        onBytes: opts.onProgress,
        metadataDate,
        afterRead: async (total) => {
          size = total;
        },
      });
      const chunks: Buffer[] = [];
      for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
      const document: FileDocument<Buffer> = { content: Buffer.concat(chunks), properties: { ...properties, size } };
      await afterRead(source, found, opts, document);
      return document;
    } finally {
      held?.done();
    }
  }

  const content = createContentStream({
    open,
    onBytes: opts.onProgress,
    metadataDate,
    afterRead: async (total) => {
      properties.size = total;
      await afterRead(source, found, opts, undefined);
    },
  });
  if (held) content.once("close", () => held.done());
  return { content, properties };
}

/**
 * Lends one session of `provider` to every step of one GET (stat, read, after-read), so a GET takes
 * one lease: a step that gives the session back keeps it held, unless it gives it back broken
 * (then the pool gets it as broken and the next step, a resume or a retry, takes a fresh one).
 * `done` gives the held session back to the pool, as broken when it has closed.
 */
function holdOneSession(provider: SessionProvider): SessionProvider & { done(): void } {
  let held: SftpSession | undefined;
  /** The session `done` gave back: a step still reading on it when the GET ended gives it back to us later, which must not release it twice. */
  let givenBack: SftpSession | undefined;
  return {
    async acquire(options) {
      if (held?.closed) provider.release(held, { broken: true });
      else if (held) return held;
      held = undefined;
      held = await provider.acquire(options);
      return held;
    },
    release(session, options) {
      if (session === givenBack) return;
      if (session !== held) provider.release(session, options);
      else if (options?.broken) {
        held = undefined;
        provider.release(session, options);
      }
    },
    done() {
      if (held) provider.release(held, { broken: held.closed });
      givenBack = held;
      held = undefined;
    },
  };
}

/**
 * For a read over several sessions: the first session taken is the GET's held one (while it is not
 * lent out), every other comes from the pool, so `connections` sessions read, not one more.
 */
function lendHeldFirst(held: SessionProvider, pool: SessionProvider): SessionProvider {
  const fromHeld = new WeakSet<SftpSession>();
  let lent = false;
  return {
    async acquire(options) {
      if (lent) return pool.acquire(options);
      lent = true;
      try {
        const session = await held.acquire(options);
        fromHeld.add(session);
        return session;
      } catch (error) {
        lent = false;
        throw error;
      }
    },
    available: () => (lent ? 0 : 1) + (pool.available?.() ?? Number.POSITIVE_INFINITY),
    release(session, options) {
      if (!fromHeld.has(session)) return pool.release(session, options);
      fromHeld.delete(session);
      lent = false;
      held.release(session, options);
    },
  };
}

/** Resolves the paths, stats the file (and, when it is missing, the remote directory), and checks the move target. */
async function prepare(session: SftpSession, fileName: string, remoteDirectory: string | undefined, opts: NormalizedGetFileOptions): Promise<Plan | undefined> {
  const directory = session.resolveDirectory(remoteDirectory);
  const file = resolveRemoteFile(directory, fileName, { allowAbsolutePaths: opts.allowAbsolutePaths, operation: OPERATION, field: "fileName" });
  const move = opts.moveAfter === undefined ? undefined : resolveMoveTarget(directory, file, opts.moveAfter, opts.allowAbsolutePaths);

  let stats: FileStats;
  try {
    stats = await session.stat(file.path);
  } catch (error) {
    if (reasonOf(error) !== "NO_SUCH_FILE") throw error;
    // Boomi's check of the remote directory, made only when it matters: the file is missing, and inside it.
    if (isInsideDirectory(directory, file.path)) await assertRemoteDirectory(session, directory);
    if (opts.failIfNotFound) {
      throw new SftpConnectorError("NO_SUCH_FILE", `File Not Found: ${quotePath(file.path)}`, { operation: OPERATION, path: file.path, cause: error });
    }
    opts.logger.warn(`File Not Found: ${quotePath(file.path)}; GET returns no document`, { path: file.path });
    return undefined;
  }
  if (stats.isDirectory) throw invalidInputError([`fileName: ${quotePath(file.path)} is a directory, not a file`], OPERATION, file.path);
  if (move) await checkMoveTarget(session, move, opts);
  return { directory, file, stats, move };
}

/** Boomi's check: the effective remote directory must exist. */
async function assertRemoteDirectory(session: SftpSession, directory: string): Promise<void> {
  const stats = await session.statIfExists(directory);
  if (!stats) throw remoteDirectoryNotFound(directory, OPERATION);
  if (!stats.isDirectory) throw notADirectory(directory, OPERATION);
}

/** Where `moveAfter` puts the file: `<moveAfter resolved against the remote directory>/<base name>`. */
function resolveMoveTarget(directory: string, file: ResolvedRemoteFile, moveAfter: string, allowAbsolutePaths: boolean): { directory: string; target: string } {
  if (!allowAbsolutePaths) {
    if (moveAfter.startsWith("/")) {
      throw invalidInputError(
        [`moveAfter: ${quotePath(moveAfter)} is absolute; set allowAbsolutePaths: true to allow it, or give a directory relative to ${quotePath(directory)}`],
        OPERATION,
      );
    }
    const resolved = posix.resolve(directory, moveAfter);
    if (resolved !== directory && !resolved.startsWith(directory === "/" ? "/" : `${directory}/`)) {
      throw invalidInputError(
        [`moveAfter: ${quotePath(moveAfter)} escapes the remote directory ${quotePath(directory)}; set allowAbsolutePaths: true to allow it`],
        OPERATION,
      );
    }
  }
  const target = posix.resolve(directory, moveAfter);
  if (target === file.directory) throw invalidInputError([`moveAfter: ${quotePath(target)} is the directory the file is already in`], OPERATION, target);
  return { directory: target, target: posix.join(target, file.name) };
}

const clash = (target: string, cause?: unknown) =>
  new SftpConnectorError(
    "ALREADY_EXISTS",
    `moveAfter: the ${quotePath(target)} file already exists in the remote directory on the SFTP server; set overwrite to replace it`,
    { operation: OPERATION, path: target, cause },
  );

/** Before the download: the move's directory exists (or will be created) and its target name is free (or may be replaced). */
async function checkMoveTarget(session: SftpSession, move: { directory: string; target: string }, opts: NormalizedGetFileOptions): Promise<void> {
  const directory = await session.statIfExists(move.directory);
  if (!directory) {
    if (opts.createDirectories) return;
    throw new SftpConnectorError("NO_SUCH_FILE", `moveAfter: the directory ${quotePath(move.directory)} does not exist; set createDirectories to create it`, {
      operation: OPERATION,
      path: move.directory,
    });
  }
  if (!directory.isDirectory) throw invalidInputError([`moveAfter: ${quotePath(move.directory)} is not a directory`], OPERATION, move.directory);
  const existing = await session.statIfExists(move.target);
  if (existing?.isDirectory) {
    throw new SftpConnectorError("ALREADY_EXISTS", `moveAfter: ${quotePath(move.target)} is a directory; the file cannot be moved there`, {
      operation: OPERATION,
      path: move.target,
    });
  }
  if (existing && !opts.overwrite) throw clash(move.target);
}

/** The document's properties: `posix.join(remoteDirectory, fileName)` is the path; names inside the remote directory keep their sub-path. */
function propertiesOf(plan: Plan): DocumentProperties {
  const inside = isInsideDirectory(plan.directory, plan.file.path);
  const relative = posix.relative(plan.directory, plan.file.path);
  return {
    fileName: inside ? relative : plan.file.name,
    remoteDirectory: inside ? plan.directory : plan.file.directory,
    timestamp: formatTimestamp(plan.stats.modifiedAt),
    size: plan.stats.size,
  };
}

/** `deleteAfter` or `moveAfter`, once the content was read whole. Throws {@link AfterReadError} when it must fail; warns otherwise. */
async function afterRead(session: SessionTarget, plan: Plan, opts: NormalizedGetFileOptions, document: FileDocument<Buffer> | undefined): Promise<void> {
  const path = plan.file.path;
  if (opts.deleteAfter) {
    try {
      await withSessionTarget(
        session,
        async (s, attempt) => {
          try {
            await s.unlink(path);
          } catch (error) {
            // A retry after a lost connection: the first unlink may have run before the answer was lost.
            if (attempt > 0 && reasonOf(error) === "NO_SUCH_FILE") return;
            throw error;
          }
        },
        retryOptions(opts),
      );
    } catch (error) {
      const message = `${UNABLE_TO_DELETE_MESSAGE} ${quotePath(path)}: ${messageOf(error)}`;
      if (opts.failDeleteAfter) throw new AfterReadError("delete", reasonOf(error), message, { path, cause: error, document });
      opts.logger.warn(message, { path, reason: reasonOf(error) });
    }
    return;
  }
  const move = plan.move;
  if (!move) return;
  try {
    await withSessionTarget(
      session,
      async (s, attempt) => {
        if (opts.createDirectories) await s.mkdir(move.directory, { recursive: true });
        try {
          await moveFile(s, path, move.target, opts.overwrite);
        } catch (error) {
          if (attempt > 0 && reasonOf(error) === "NO_SUCH_FILE" && (await s.statIfExists(move.target))) return;
          throw error;
        }
      },
      retryOptions(opts),
    );
  } catch (error) {
    const detail = isSftpConnectorError(error) && error.reason === "ALREADY_EXISTS" ? error.message : messageOf(error);
    throw new AfterReadError("move", reasonOf(error), `Unable to move the file ${quotePath(path)} to ${quotePath(move.target)}: ${detail}`, {
      path,
      cause: error,
      document,
    });
  }
}

/** Renames `from` to `to`: without `overwrite`, never replacing a file; with it, atomically where the server offers posix-rename. */
async function moveFile(session: SftpSession, from: string, to: string, overwrite: boolean): Promise<void> {
  try {
    await session.rename(from, to, { overwrite });
  } catch (error) {
    const reason = reasonOf(error);
    if (reason !== "FAILURE" && reason !== "ALREADY_EXISTS") throw error;
    const existing = await session.statIfExists(to);
    if (!existing) throw error;
    if (!overwrite || existing.isDirectory || session.hasPosixRename) throw clash(to, error);
    // A server without posix-rename: Boomi's delete-then-rename.
    await session.unlink(to);
    await session.rename(from, to);
  }
}
