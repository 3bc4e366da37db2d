// Uploads content to a temporary name and renames it into place (or appends to a file), leaving the server as it was when anything fails.
import { posix } from "node:path";
import { Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SftpConnectorError, abortedError, describeValue, isSftpConnectorError, quotePath, type DocumentContentInput } from "@sftp-connector/core";
import type { FileStats, SftpSession } from "./SftpSession.js";
import { createResumableWriteStream } from "./createResumableWriteStream.js";
import { createParallelWriteStream } from "./createParallelWriteStream.js";
import { isRetryable, isRetryableAt } from "./withRetry.js";
import { isSessionProvider, withSessionTarget, type SessionTarget } from "./withSessionTarget.js";
import { openContent } from "./openContent.js";
import { isTemporaryFileName, temporaryFileName } from "./temporaryFileName.js";
import { lstatIfExists } from "./lstatIfExists.js";
import { silentLogger, type Logger } from "./Logger.js";

/** What {@link uploadViaTemp} does about a file at the final path. */
export type UploadMode = "error" | "replace" | "append";

/** The values {@link UploadMode} allows. */
export const UPLOAD_MODES: readonly UploadMode[] = Object.freeze(["error", "replace", "append"]);

/** Options of {@link uploadViaTemp}. */
export interface UploadViaTempOptions {
  /** The bytes to upload: a Readable, a Buffer, a Uint8Array, a string (UTF-8) or `{ path }` of a local file. */
  content: DocumentContentInput;
  /** The absolute remote path the file must end up at. */
  finalPath: string;
  /**
   * Where the bytes are written before the rename (an absolute remote path on the same file
   * system as `finalPath`). It is created exclusively: an existing file there is never touched.
   * Not used with `append`.
   * @default `.<name>.<uuid>.sftp-tmp` beside `finalPath` (see `temporaryFileName`)
   */
  tempPath?: string;
  /**
   * `error`: the file must not exist; the temporary file is moved in with a plain SFTP rename,
   * which fails when a file appeared at `finalPath` meanwhile (`ALREADY_EXISTS`).
   * `replace`: an existing file is replaced atomically with `posix-rename@openssh.com` when the
   * server offers it, else with Boomi's delete-then-rename.
   * `append`: the bytes are appended to `finalPath` itself (created when missing); no temporary file.
   * @default "error"
   */
  overwrite?: UploadMode;
  /** How `replace` swaps the file in: `auto` (atomic posix-rename when offered, else delete-then-rename) or always Boomi's `delete-then-rename`. @default "auto" */
  replaceStrategy?: "auto" | "delete-then-rename";
  /**
   * For `error`: called when a file appeared at the final path before the rename. Return another
   * absolute path to rename to instead (e.g. the next unique name), or `undefined` to fail with
   * `ALREADY_EXISTS`. Called at most 10 times per upload.
   * @default fail at the first conflict
   */
  onConflict?: (session: SftpSession, finalPath: string) => Promise<string | undefined>;
  /** The message of `ALREADY_EXISTS` for a final path. @default Boomi's "the '<name>' file already exists in the remote directory on the SFTP server." */
  alreadyExistsMessage?: (finalPath: string) => string;
  /** Called with the total bytes taken from `content` so far, as they are handed to the upload. @default none */
  onProgress?: (bytes: number) => void;
  /**
   * Aborts the upload: already aborted, nothing reaches the server; later, the transfer stops
   * (streams destroyed, handles closed), nothing is retried, the temporary file is removed (an
   * append is truncated back) before the promise rejects with `ABORTED`. Once the rename has been
   * sent it completes: the file is then either fully old or fully new. @default none
   */
  signal?: AbortSignal;
  /**
   * Retries after a lost connection or a timeout; used only when the target is a session
   * provider (the upload resumes at the last acknowledged byte on a fresh session).
   * @default { attempts: 1, backoffMs: 1000 }
   */
  retry?: { attempts?: number; backoffMs?: number };
  /** Permissions of a created file. @default the server's default */
  mode?: number;
  /**
   * With a session provider: sessions the temporary file is written over at once (see
   * `createParallelWriteStream`: ranges of `rangeBytes`, each retried on its own). Content no
   * larger than one range uses one session. Not used with `append` or a plain session.
   * @default 1
   */
  connections?: number;
  /** With `connections` above 1: bytes per range. @default 8 MiB */
  rangeBytes?: number;
  /** The operation, for errors and logs. @default "upload" */
  operation?: string;
  /** The input field the content came from, for errors. @default "content" */
  contentField?: string;
  /** Told about retries and cleanup problems. @default silent */
  logger?: Logger;
}

/** What {@link uploadViaTemp} did. */
export interface UploadResult {
  /** The path the file is at (differs from `finalPath` when `onConflict` chose another). */
  path: string;
  /** Bytes taken from the content and written. */
  bytesWritten: number;
  /** The temporary path used (not for `append`). */
  tempPath?: string;
  /** For `append`: the file's size before (0 when it was created). */
  appendedAt?: number;
}

/** Most alternatives `onConflict` is asked for. */
const MAX_CONFLICTS = 10;

/** Free space below which a write failure is reported as a probably full disk. */
const DISK_FULL_THRESHOLD = 1024 * 1024;

/** Boomi's message for a file that already exists: `the '<name>' file already exists in the remote directory on the SFTP server.` */
export function fileAlreadyExistsMessage(finalPath: string): string {
  return `the ${quotePath(posix.basename(finalPath))} file already exists in the remote directory on the SFTP server.`;
}

async function unlinkIfExists(session: SftpSession, path: string): Promise<void> {
  try {
    await session.unlink(path);
  } catch (error) {
    if (isSftpConnectorError(error) && error.reason === "NO_SUCH_FILE") return;
    throw error;
  }
}

/** Sets a file's length (SFTP setstat with a size; truncates). */
async function truncate(session: SftpSession, path: string, size: number): Promise<void> {
  await session.request("setstat", path, (cb) => session.raw.sftp.setstat(path, { size }, cb));
}

/** Bytes free for the user on the file system holding `directory`, when the server offers `statvfs@openssh.com`. */
async function freeBytes(session: SftpSession, directory: string): Promise<number | undefined> {
  if (session.closed || !session.extensions.includes("statvfs@openssh.com")) return undefined;
  const [info] = await session.request<{ f_bavail: number | bigint; f_frsize: number | bigint }>("statvfs", directory, (cb) =>
    session.raw.sftp.ext_openssh_statvfs(directory, cb),
  );
  return info ? Number(info.f_bavail) * Number(info.f_frsize) : undefined;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A wrong path option as a message shows it: a string as a path (`'…'`), anything else as a value. */
const showPath = (value: unknown): string => (typeof value === "string" ? quotePath(value) : describeValue(value));

/**
 * Uploads `content` so that `finalPath` never shows a partial file: the bytes go to a temporary
 * file (created exclusively; see `tempPath`), which is then renamed into place as `overwrite`
 * says. With `append` the bytes are appended to `finalPath` directly.
 *
 * On any failure the server is left as it was: the temporary file is removed, nothing new exists
 * at the final path, and an existing file there is untouched (with `append`: a file created by
 * this call is removed, and an existing one is truncated back to its former length, which also
 * drops bytes another writer appended meanwhile). With Boomi's delete-then-rename (`replace` on a
 * server without posix-rename) a failure between the delete and the rename loses the old file;
 * the error says so. The error keeps the reason of its cause and names the final path; a failing
 * content stream gives `FAILURE` naming the content field; a write failure on a full file system
 * says so when the server offers `statvfs@openssh.com`. The content stream is destroyed on failure.
 *
 * `target` is a session, or a session provider: then every step retries on a fresh session after
 * a lost connection, and the upload resumes at the last byte the server acknowledged (see
 * `createResumableWriteStream`; the temporary file is ours, so resuming into it is sound, and a
 * content stream that cannot be re-read works).
 */
export async function uploadViaTemp(target: SessionTarget, options: UploadViaTempOptions): Promise<UploadResult> {
  const operation = options.operation ?? "upload";
  const field = options.contentField ?? "content";
  const mode = options.overwrite ?? "error";
  const logger = options.logger ?? silentLogger;
  const invalid = (what: string) => new SftpConnectorError("INVALID_INPUT", what, { operation, path: options.finalPath });
  if (!UPLOAD_MODES.includes(mode)) throw invalid(`overwrite: expected one of ${UPLOAD_MODES.join(", ")}, got ${JSON.stringify(mode)}`);
  if (!options.finalPath?.startsWith("/")) throw invalid(`finalPath: expected an absolute remote path, got ${showPath(options.finalPath)}`);
  const finalPath = posix.normalize(options.finalPath);
  const tempPath = mode === "append" ? undefined : posix.normalize(options.tempPath ?? posix.join(posix.dirname(finalPath), temporaryFileName(finalPath)));
  if (tempPath !== undefined && !tempPath.startsWith("/")) throw invalid(`tempPath: expected an absolute remote path, got ${showPath(options.tempPath)}`);
  if (tempPath === finalPath) throw invalid(`tempPath: must differ from the final path ${quotePath(finalPath)}`);
  const retry = { attempts: options.retry?.attempts ?? 1, backoffMs: options.retry?.backoffMs ?? 1_000 };
  const connections = options.connections ?? 1;
  if (!Number.isInteger(connections) || connections < 1) throw invalid(`connections: expected an integer of at least 1, got ${describeValue(connections)}`);
  const signal = options.signal;
  const aborted = () => abortedError(operation, finalPath, signal);
  if (signal?.aborted) throw aborted();
  const run = <T>(work: (session: SftpSession, attempt: number) => Promise<T>) =>
    withSessionTarget(target, work, { ...retry, logger, operation, path: finalPath, ...(signal ? { signal } : {}) });
  /** For cleanup after a failure or an abort: not stopped by the signal. */
  const cleanup = <T>(work: (session: SftpSession, attempt: number) => Promise<T>) => withSessionTarget(target, work, { ...retry, logger, operation });
  const alreadyExistsMessage = options.alreadyExistsMessage ?? fileAlreadyExistsMessage;

  const source = await openContent(options.content, { field, operation });
  let bytes = 0;
  let sourceError: unknown;
  source.once("error", (error: unknown) => (sourceError ??= error));
  /** The upload's own failure: pipeline destroys the source with it too, which does not make it the source's. */
  let writeError: unknown;
  /** True when the content stream itself failed (not the upload, whose error pipeline passes to the source). */
  const fromSource = (error: unknown) => error !== undefined && error === sourceError && error !== writeError;
  /** On abort: the transfer stops at once (pipeline destroys every stream, which closes the remote handle). */
  const onAbort = () => source.destroy(aborted());
  signal?.addEventListener("abort", onAbort, { once: true });
  const counter = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      options.onProgress?.(bytes);
      callback(null, chunk);
    },
  });
  const writer = (path: string, flags: "r+" | "a"): Writable => {
    const stream = !isSessionProvider(target)
      ? target.createWriteStream(path, { flags })
      : connections > 1 && flags === "r+"
        ? createParallelWriteStream(target, path, {
            connections,
            ...(options.rangeBytes === undefined ? {} : { rangeBytes: options.rangeBytes }),
            ...retry,
            logger,
            operation,
            ...(signal ? { signal } : {}),
          })
        : createResumableWriteStream(target, path, { flags, ...retry, logger });
    stream.once("error", (error: unknown) => (writeError ??= error));
    return stream;
  };

  /** Errors already in their final form (not wrapped again). */
  const final = new WeakSet<object>();
  let phase: "prepare" | "write" | "commit" = "prepare";
  let finalTarget = finalPath;

  /** For a failure while writing: a note when the file system looks full (asked before cleanup frees the space). */
  const diagnose = async (error: unknown): Promise<string> => {
    if (phase !== "write" || !isSftpConnectorError(error) || error.reason !== "FAILURE" || fromSource(error)) return "";
    const directory = posix.dirname(tempPath ?? finalPath);
    const free = await cleanup((session) => freeBytes(session, directory)).catch(() => undefined);
    return free !== undefined && free < DISK_FULL_THRESHOLD ? `; the file system holding ${quotePath(directory)} has ${free} bytes free (disk full?)` : "";
  };

  /** The error to throw: the cause's reason, naming the final path, with notes about what was (not) cleaned up. */
  const describeFailure = (error: unknown, diagnosis: string, notes: string[]): SftpConnectorError => {
    signal?.removeEventListener("abort", onAbort);
    const suffix = notes.length > 0 ? `; ${notes.join("; ")}` : "";
    if (signal?.aborted) {
      const abort = aborted();
      return notes.length === 0
        ? abort
        : new SftpConnectorError("ABORTED", `${abort.message}${suffix}`, { operation, path: finalTarget, cause: signal.reason, retryable: false });
    }
    if (fromSource(error) || !isSftpConnectorError(error)) {
      return new SftpConnectorError("FAILURE", `${field}: reading the content failed after ${bytes} bytes: ${messageOf(error)}${suffix}`, {
        operation,
        path: finalTarget,
        cause: error,
        retryable: false,
      });
    }
    if (final.has(error) || error.reason === "INVALID_INPUT") {
      if (notes.length === 0) return error;
      return new SftpConnectorError(error.reason, `${error.message}${suffix}`, {
        operation,
        path: error.path ?? finalTarget,
        cause: error,
        retryable: error.retryable,
      });
    }
    return new SftpConnectorError(
      error.reason,
      `An error occurred while creating the file at path ${quotePath(finalTarget)}. Cause: ${error.message}${diagnosis}${suffix}`,
      { operation, path: finalTarget, cause: error, retryable: error.retryable },
    );
  };

  if (mode === "append") {
    let before: FileStats | undefined;
    let checked = false;
    try {
      before = await run((session) => session.statIfExists(finalPath));
      checked = true;
      phase = "write";
      await pipeline(source, counter, writer(finalPath, "a"));
      signal?.removeEventListener("abort", onAbort);
      if (signal?.aborted) throw aborted();
      return { path: finalPath, bytesWritten: bytes, appendedAt: before?.size ?? 0 };
    } catch (error) {
      source.destroy();
      const diagnosis = await diagnose(error);
      const notes: string[] = [];
      if (checked) {
        try {
          await cleanup(async (session) => {
            const now = await session.statIfExists(finalPath);
            if (!now) return;
            if (!before) await unlinkIfExists(session, finalPath);
            else if (now.size > before.size) await truncate(session, finalPath, before.size);
          });
        } catch (cleanupError) {
          notes.push(
            before
              ? `${quotePath(finalPath)} could not be truncated back to its former ${before.size} bytes (${messageOf(cleanupError)})`
              : `the partly written ${quotePath(finalPath)} could not be removed (${messageOf(cleanupError)})`,
          );
          logger.warn(`${operation}: cleanup after a failed append to ${quotePath(finalPath)} failed: ${messageOf(cleanupError)}`);
        }
      }
      throw describeFailure(error, diagnosis, notes);
    }
  }

  const temp = tempPath!;
  let tempCreated = false;
  let deletedOld = false;
  const useAtomicReplace = (session: SftpSession) => options.replaceStrategy !== "delete-then-rename" && session.hasPosixRename;

  const renameFailed = (error: unknown, to: string) => {
    const cause = isSftpConnectorError(error) ? error : undefined;
    const elsewhere =
      (cause?.reason ?? "FAILURE") === "FAILURE" && posix.dirname(temp) !== posix.dirname(to)
        ? ` (is ${quotePath(posix.dirname(temp))} on another file system than ${quotePath(posix.dirname(to))}? A rename cannot cross file systems)`
        : "";
    const wrapped = new SftpConnectorError(
      cause?.reason ?? "FAILURE",
      `Could not rename path ${quotePath(temp)} to ${quotePath(to)} Cause: ${messageOf(error)}${elsewhere}`,
      {
        operation,
        path: to,
        cause: error,
        retryable: cause?.retryable ?? false,
      },
    );
    final.add(wrapped);
    return wrapped;
  };

  const commitOnce = async (session: SftpSession, to: string, attempt: number): Promise<void> => {
    if (attempt > 0 && !(await lstatIfExists(session, temp))) {
      // The rename of an earlier attempt may have happened with its answer lost.
      const there = await lstatIfExists(session, to);
      if (there?.isFile && there.size === bytes) return;
    }
    if (mode === "replace") {
      if (useAtomicReplace(session)) {
        await session.rename(temp, to, { overwrite: true }).catch((error: unknown) => {
          throw renameFailed(error, to);
        });
        return;
      }
      // Boomi: delete the old file, then rename (a window in which no file is at `to`).
      if (await lstatIfExists(session, to)) {
        await session.unlink(to);
        deletedOld = true;
      }
      await session.rename(temp, to).catch((error: unknown) => {
        throw renameFailed(error, to);
      });
      return;
    }
    try {
      await session.rename(temp, to);
    } catch (error) {
      if (!isRetryable(error) && (await lstatIfExists(session, to).catch(() => undefined))) {
        const conflict = new SftpConnectorError("ALREADY_EXISTS", alreadyExistsMessage(to), { operation, path: to, cause: error });
        final.add(conflict);
        throw conflict;
      }
      throw renameFailed(error, to);
    }
  };

  try {
    await run(async (session, attempt) => {
      try {
        const handle = await session.open(temp, "wx", options.mode);
        await session.close(handle, temp);
      } catch (error) {
        if (isRetryable(error)) {
          tempCreated = true; // it may have been created before the connection went; removing our own unique name is safe
          throw error;
        }
        if (isSftpConnectorError(error) && error.reason !== "NO_SUCH_FILE" && error.reason !== "PERMISSION_DENIED") {
          if (await lstatIfExists(session, temp).catch(() => undefined)) {
            if (attempt > 0) return; // our own create of an earlier attempt, whose answer was lost
            const exists = new SftpConnectorError(
              "ALREADY_EXISTS",
              `the temporary file ${quotePath(temp)} already exists (left by an earlier upload, or another upload uses the same name); remove it, or use a temporary name with $UUID`,
              { operation, path: temp, cause: error },
            );
            final.add(exists);
            throw exists;
          }
        }
        throw error;
      }
    });
    tempCreated = true;
    phase = "write";
    await pipeline(source, counter, writer(temp, "r+"));
    phase = "commit";
    signal?.removeEventListener("abort", onAbort);
    if (signal?.aborted) throw aborted();
    for (let conflicts = 0; ; conflicts += 1) {
      try {
        // Not stopped by the signal: a rename once sent completes (fully old or fully new).
        await cleanup((session, attempt) => commitOnce(session, finalTarget, attempt));
        break;
      } catch (error) {
        const canRetry = mode === "error" && isSftpConnectorError(error) && error.reason === "ALREADY_EXISTS" && final.has(error);
        if (!canRetry || !options.onConflict || conflicts >= MAX_CONFLICTS) throw error;
        const current = finalTarget;
        const next = await run((session) => options.onConflict!(session, current));
        if (next === undefined || next === current) throw error;
        finalTarget = posix.normalize(next);
      }
    }
    return { path: finalTarget, bytesWritten: bytes, tempPath: temp };
  } catch (error) {
    source.destroy();
    const diagnosis = await diagnose(error);
    const notes: string[] = [];
    if (tempCreated) {
      try {
        await cleanup((session) => unlinkIfExists(session, temp));
      } catch (cleanupError) {
        // Our own unique name, unreachable only because the connection is gone: the pool removes it once it reconnects.
        const deferred =
          isRetryableAt(cleanupError, 1) &&
          isTemporaryFileName(posix.basename(temp)) &&
          isSessionProvider(target) &&
          target.removeWhenReconnected !== undefined;
        if (deferred) target.removeWhenReconnected!(temp);
        const later = deferred ? "; it will be removed once the connection is re-established" : "";
        notes.push(`the temporary file ${quotePath(temp)} could not be removed (${messageOf(cleanupError)})${later}`);
        logger.warn(`${operation}: removing the temporary file ${quotePath(temp)} failed: ${messageOf(cleanupError)}${later}`);
      }
    }
    if (deletedOld)
      notes.push(
        `the former ${quotePath(finalTarget)} was deleted before the rename failed (Boomi's delete-then-rename; atomic replacement needs posix-rename@openssh.com)`,
      );
    throw describeFailure(error, diagnosis, notes);
  }
}
