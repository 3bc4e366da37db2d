// UPSERT: creates or replaces a file through a temporary name and a rename, or appends to it, as Boomi's SFTP V2 UPSERT does.
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { SftpConnectorError, type DocumentContentInput } from "@sftp-connector/core";
import { MISSING_FILE_NAME_MESSAGE, buildUploadResult, checkUploadOptions, lstatIfExists, openContent, resolveUploadTarget } from "@sftp-connector/transport";
import { temporaryFileName, uploadViaTemp, withSessionTarget, type SessionTarget, type UploadFileOptions, type UploadFileResult, type UploadResponse } from "@sftp-connector/transport";

/** The input document of UPSERT: content plus Boomi's document properties. */
export interface UpsertFileInput {
  /** The bytes: a Readable, a Buffer, a Uint8Array, a string (UTF-8) or `{ path }` of a local file. */
  content: DocumentContentInput;
  /** The target name; may hold a sub-path (`in/a.txt`) inside the remote directory. Trimmed. */
  fileName: string;
  /** Overrides the connection's remote directory (relative → home). @default the connection's, else home */
  remoteDirectory?: string;
}

/** Options of {@link upsertFile} (Boomi's operation fields, plus what goes past Boomi, and `allowAbsolutePaths`, `onProgress` and `retry` as every upload has). */
export interface UpsertFileOptions extends UploadFileOptions {
  /** Append to the file (created when missing) instead of replacing it. @default false */
  append?: boolean;
  /** Create the file's directory, recursively, when it is missing (else "Remote directory does not exist"). @default false */
  createDir?: boolean;
  /** Add `timestamp` (the file's mtime, `yyyy-MM-dd HH:mm:ss.SSS`, local time) to the response (Boomi's extended profile). @default false */
  includeAll?: boolean;
}

/** Boomi's UPSERT response JSON: the file's name and directory; `timestamp` only with `includeAll`. */
export type UpsertFileResponse = UploadResponse;

/** What {@link upsertFile} returns: the response, Boomi's "Created the file successfully", the path and the bytes written, and whether the file existed. */
export interface UpsertFileResult extends UploadFileResult {
  /** Whether a file existed at the path before (replaced or appended to). */
  existed: boolean;
}

const OPERATION = "upsert";

const invalid = (message: string) => new SftpConnectorError("INVALID_INPUT", message, { operation: OPERATION });

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
  const { append, createDir, includeAll, allowAbsolutePaths, retry, logger } = checkUploadOptions(options, ["append", "createDir", "includeAll", "allowAbsolutePaths"], OPERATION);
  if (typeof input.fileName !== "string" || input.fileName.trim() === "") throw invalid(MISSING_FILE_NAME_MESSAGE);
  if (input.remoteDirectory !== undefined && input.remoteDirectory !== null && typeof input.remoteDirectory !== "string") {
    throw invalid(`remoteDirectory: expected a string, got ${typeof input.remoteDirectory}`);
  }

  const source: Readable = await openContent(input.content, { field: "content", operation: OPERATION });
  try {
    const plan = await withSessionTarget(
      target,
      async (session) => {
        const file = await resolveUploadTarget(session, input.fileName, {
          remoteDirectory: input.remoteDirectory,
          allowAbsolutePaths,
          createDirectories: createDir,
          operation: OPERATION,
        });
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
      logger,
      operation: OPERATION,
    });
    const result = await buildUploadResult(target, uploaded, { includeTimestamp: includeAll, retry, operation: OPERATION });
    return { ...result, existed: plan.existed };
  } catch (error) {
    source.destroy();
    throw error;
  }
}
