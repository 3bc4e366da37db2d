// UPSERT: creates or replaces a file through a temporary name and a rename, or appends to it, as Boomi's SFTP V2 UPSERT does.
import { posix } from "node:path";
import type { Readable } from "node:stream";
import {
  SftpConnectorError,
  formatTimestamp,
  isSftpConnectorError,
  resolveRemoteFile,
  type DocumentContentInput,
} from "@sftp-connector/core";
import { openContent, temporaryFileName, uploadViaTemp, withSessionTarget, type SessionTarget, type SftpSession } from "@sftp-connector/transport";

/** Boomi's success message of CREATE and UPSERT. */
export const FILE_CREATED_MESSAGE = "Created the file successfully";

/** Boomi's message for a blank `fileName`. */
export const MISSING_FILE_NAME_MESSAGE =
  "the 'File Name' input document property is required, and must contain a non-blank value. This property contains the name of the file to upload.";

/** The input document of UPSERT: content plus Boomi's document properties. */
export interface UpsertFileInput {
  /** The bytes: a Readable, a Buffer, a Uint8Array, a string (UTF-8) or `{ path }` of a local file. */
  content: DocumentContentInput;
  /** The target name; may hold a sub-path (`in/a.txt`) inside the remote directory. Trimmed. */
  fileName: string;
  /** Overrides the connection's remote directory (relative → home). @default the connection's, else home */
  remoteDirectory?: string;
}

/** Options of {@link upsertFile} (Boomi's operation fields, plus what goes past Boomi). */
export interface UpsertFileOptions {
  /** Append to the file (created when missing) instead of replacing it. @default false */
  append?: boolean;
  /** Create the file's directory, recursively, when it is missing (else "Remote directory does not exist"). @default false */
  createDir?: boolean;
  /** Add `timestamp` (the file's mtime, `yyyy-MM-dd HH:mm:ss.SSS`, local time) to the response (Boomi's extended profile). @default false */
  includeAll?: boolean;
  /** Let `fileName` be absolute or climb out of the remote directory with `..`. @default false */
  allowAbsolutePaths?: boolean;
  /** Called with the total bytes taken from the content so far. @default none */
  onProgress?: (bytes: number) => void;
  /**
   * With a session provider: retries after a lost connection or a timeout, each on a fresh
   * session; the upload resumes at the last acknowledged byte. Not used with a plain session.
   * @default { attempts: 1, backoffMs: 1000 }
   */
  retry?: { attempts?: number; backoffMs?: number };
}

/** Boomi's CREATE/UPSERT response JSON (simple profile; `timestamp` with the extended one). */
export interface UpsertFileResponse {
  /** The file's name. */
  fileName: string;
  /** The absolute directory the file is in. */
  remoteDirectory: string;
  /** The file's modification time, `yyyy-MM-dd HH:mm:ss.SSS` in local time; with `includeAll`. */
  timestamp?: string;
}

/** What {@link upsertFile} returns. */
export interface UpsertFileResult {
  /** Boomi's response document. */
  response: UpsertFileResponse;
  /** Boomi's status message: "Created the file successfully". */
  message: typeof FILE_CREATED_MESSAGE;
  /** The file's absolute path. */
  path: string;
  /** Bytes written. */
  bytesWritten: number;
  /** Whether a file existed at the path before (replaced or appended to). */
  existed: boolean;
}

const OPERATION = "upsert";

const invalid = (message: string) => new SftpConnectorError("INVALID_INPUT", message, { operation: OPERATION });

function optionalBoolean(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw invalid(`${field}: expected true or false, got ${JSON.stringify(value)}`);
  return value;
}

function validateRetry(retry: unknown): { attempts: number; backoffMs: number } {
  if (retry === undefined || retry === null) return { attempts: 1, backoffMs: 1_000 };
  if (typeof retry !== "object") throw invalid(`retry: expected { attempts, backoffMs }, got ${typeof retry}`);
  const { attempts = 1, backoffMs = 1_000 } = retry as { attempts?: unknown; backoffMs?: unknown };
  if (typeof attempts !== "number" || !Number.isInteger(attempts) || attempts < 0) {
    throw invalid(`retry.attempts: expected an integer of at least 0, got ${JSON.stringify(attempts)}`);
  }
  if (typeof backoffMs !== "number" || !Number.isFinite(backoffMs) || backoffMs < 0) {
    throw invalid(`retry.backoffMs: expected a number of at least 0, got ${JSON.stringify(backoffMs)}`);
  }
  return { attempts, backoffMs };
}

async function lstatIfExists(session: SftpSession, path: string) {
  try {
    return await session.lstat(path);
  } catch (error) {
    if (isSftpConnectorError(error) && error.reason === "NO_SUCH_FILE") return undefined;
    throw error;
  }
}

/**
 * UPSERT: writes `input.content` as `input.fileName`, replacing an existing file, or appending to
 * it with `append`, as Boomi's SFTP V2 UPSERT does. Replacing uploads to a temporary name
 * (`.<name>.<uuid>.sftp-tmp` beside the file; see `isTemporaryFileName`) and renames it into
 * place, atomically with posix-rename where the server offers it (Boomi's delete-then-rename
 * where it does not). Appending writes to the file itself. With `createDir` a missing directory
 * is created recursively.
 *
 * On any failure the temporary file is removed, nothing new exists at the name, an existing file
 * is untouched, and an append is truncated back to the former length.
 *
 * `target` is a session, or a session provider (a `SessionPool`): then every step retries on a
 * fresh session after a lost connection, and the upload resumes at the last acknowledged byte.
 *
 * Errors (`SftpConnectorError`): `INVALID_INPUT` for a blank name (Boomi's message), an escaping
 * name, bad options or a missing local file, before anything reaches the server; `NO_SUCH_FILE`
 * "Remote directory does not exist" with the path; `PERMISSION_DENIED`, `FAILURE` (e.g. a full disk) naming the path.
 * The content stream is consumed, and destroyed when the call fails.
 */
export async function upsertFile(target: SessionTarget, input: UpsertFileInput, options: UpsertFileOptions = {}): Promise<UpsertFileResult> {
  if (typeof input !== "object" || input === null) throw invalid("input: expected { content, fileName, remoteDirectory? }");
  const append = optionalBoolean(options.append, "append");
  const createDir = optionalBoolean(options.createDir, "createDir");
  const includeAll = optionalBoolean(options.includeAll, "includeAll");
  const allowAbsolutePaths = optionalBoolean(options.allowAbsolutePaths, "allowAbsolutePaths");
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") throw invalid("onProgress: expected a function");
  const retry = validateRetry(options.retry);
  if (typeof input.fileName !== "string" || input.fileName.trim() === "") throw invalid(MISSING_FILE_NAME_MESSAGE);
  if (input.remoteDirectory !== undefined && input.remoteDirectory !== null && typeof input.remoteDirectory !== "string") {
    throw invalid(`remoteDirectory: expected a string, got ${typeof input.remoteDirectory}`);
  }

  const source: Readable = await openContent(input.content, { field: "content", operation: OPERATION });
  try {
    const plan = await withSessionTarget(
      target,
      async (session) => {
        const base = session.resolveDirectory(input.remoteDirectory);
        const file = resolveRemoteFile(base, input.fileName, { allowAbsolutePaths, operation: OPERATION, field: "fileName" });
        const stats = await session.statIfExists(file.directory);
        if (!stats?.isDirectory) {
          if (stats || !createDir) {
            throw new SftpConnectorError(
              "NO_SUCH_FILE",
              `Remote directory does not exist: ${file.directory}${stats ? " is not a directory" : ""}`,
              { operation: OPERATION, path: file.directory },
            );
          }
          try {
            await session.mkdir(file.directory, { recursive: true });
          } catch (error) {
            const cause = error as SftpConnectorError;
            throw new SftpConnectorError(
              cause.reason ?? "FAILURE",
              `An error occurred while creating the '${file.directory}' directory. Cause: ${cause.message}`,
              { operation: OPERATION, path: file.directory, cause: error, retryable: cause.retryable },
            );
          }
        }
        const existing = await lstatIfExists(session, file.path);
        if (existing?.isDirectory) {
          throw new SftpConnectorError("ALREADY_EXISTS", `cannot ${append ? "append to" : "replace"} ${file.path}: it is a directory`, {
            operation: OPERATION,
            path: file.path,
          });
        }
        return { path: file.path, existed: existing !== undefined };
      },
      { ...retry, operation: OPERATION },
    );
    const uploaded = await uploadViaTemp(target, {
      content: source,
      finalPath: plan.path,
      ...(append ? { overwrite: "append" as const } : { overwrite: "replace" as const, tempPath: posix.join(posix.dirname(plan.path), temporaryFileName(plan.path)) }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      retry,
      operation: OPERATION,
    });
    const response: UpsertFileResponse = { fileName: posix.basename(uploaded.path), remoteDirectory: posix.dirname(uploaded.path) };
    if (includeAll) {
      const stats = await withSessionTarget(target, (session) => session.lstat(uploaded.path), { ...retry, operation: OPERATION });
      response.timestamp = formatTimestamp(stats.modifiedAt);
    }
    return { response, message: FILE_CREATED_MESSAGE, path: uploaded.path, bytesWritten: uploaded.bytesWritten, existed: plan.existed };
  } catch (error) {
    source.destroy();
    throw error;
  }
}
