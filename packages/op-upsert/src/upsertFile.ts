// UPSERT: creates or replaces a file through a temporary name and a rename, or appends to it, as Boomi's SFTP V2 UPSERT does.
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { SftpConnectorError, checkOptions, quotePath, throwIfAborted, type DocumentContentInput, type OptionsSpec } from "@sftp-connector/core";
import { MISSING_FILE_NAME_MESSAGE, UPLOAD_OPTION_ALIASES, UPLOAD_OPTION_NAMES, buildUploadResult, checkUploadOptions } from "@sftp-connector/core";
import type { UploadFileOptions, UploadFileResult, UploadResponse } from "@sftp-connector/core";
import { withSessionTarget, type SessionTarget } from "@sftp-connector/transport";
import { lstatIfExists, openContent, resolveUploadTarget, temporaryFileName, uploadViaTemp } from "@sftp-connector/transport/upload";

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
  /** Create the file's directory, recursively, when it is missing (else "Remote directory does not exist"); CREATE's name too. @default false */
  createDirectories?: boolean;
  /** Add `timestamp` (the file's mtime, `yyyy-MM-dd HH:mm:ss.SSS`, local time) to the response (Boomi's extended profile); CREATE's and GET's name too. @default false */
  includeAllMetadata?: boolean;
  /**
   * Boomi UPSERT's id for {@link UpsertFileOptions.createDirectories}, accepted as an alias (both with different values is INVALID_INPUT).
   * @deprecated Boomi's id; use `createDirectories`, the name CREATE uses too.
   */
  createDir?: boolean;
  /**
   * Boomi UPSERT's id for {@link UpsertFileOptions.includeAllMetadata}, accepted as an alias (both with different values is INVALID_INPUT).
   * @deprecated Boomi's id; use `includeAllMetadata`, the name CREATE and GET use too.
   */
  includeAll?: boolean;
}

/** Boomi's UPSERT response JSON: the file's name and directory; `timestamp` only with `includeAllMetadata`. */
export type UpsertFileResponse = UploadResponse;

/** What {@link upsertFile} returns: the response, Boomi's "Created the file successfully", the path and the bytes written, and whether the file existed. */
export interface UpsertFileResult extends UploadFileResult {
  /** Whether a file existed at the path before (replaced or appended to). */
  existed: boolean;
}

const OPERATION = "upsert";

/** The keys of UPSERT's input: its content and Boomi's document properties. */
export const UPSERT_INPUT_SPEC: OptionsSpec = {
  known: Object.keys({ content: true, fileName: true, remoteDirectory: true } satisfies Record<keyof UpsertFileInput, true>),
  operation: OPERATION,
  what: "input field",
  field: "input",
};

/** The keys of UPSERT's options: `append`, and CREATE's names for the shared switches, with Boomi's UPSERT ids `createDir` and `includeAll` as aliases. */
export const UPSERT_OPTIONS_SPEC: OptionsSpec = {
  known: [
    ...UPLOAD_OPTION_NAMES,
    ...Object.keys({
      append: true,
      createDirectories: true,
      includeAllMetadata: true,
    } satisfies Record<Exclude<keyof UpsertFileOptions, keyof UploadFileOptions | "createDir" | "includeAll">, true>),
  ],
  aliases: UPLOAD_OPTION_ALIASES,
  operation: OPERATION,
};

const invalid = (message: string) => new SftpConnectorError("INVALID_INPUT", message, { operation: OPERATION });

/**
 * UPSERT: writes `input.content` as `input.fileName`, replacing an existing file, or appending to
 * it with `append`, as Boomi's SFTP V2 UPSERT does. Replacing uploads to a temporary name
 * (`.<name>.<uuid>.sftp-tmp` beside the file; see `isTemporaryFileName`) and renames it into
 * place, atomically with posix-rename where the server offers it (Boomi's delete-then-rename
 * where it does not). Appending writes to the file itself. With `createDirectories` (Boomi's
 * `createDir`) a missing directory is created recursively.
 *
 * Options are strict: an unknown key is `INVALID_INPUT` naming the closest known one. Boomi's ids
 * `createDir` and `includeAll` are accepted for `createDirectories` and `includeAllMetadata` (CREATE's names).
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
export async function upsertFile(target: SessionTarget, input: UpsertFileInput, givenOptions: UpsertFileOptions = {}): Promise<UpsertFileResult> {
  if (typeof input !== "object" || input === null) throw invalid("input: expected { content, fileName, remoteDirectory? }");
  checkOptions(input, UPSERT_INPUT_SPEC);
  const options = checkOptions(givenOptions, UPSERT_OPTIONS_SPEC);
  const { append, createDirectories, includeAllMetadata, allowAbsolutePaths, retry, logger, signal, connections } = checkUploadOptions(
    options,
    ["append", "createDirectories", "includeAllMetadata", "allowAbsolutePaths"],
    OPERATION,
  );
  if (typeof input.fileName !== "string" || input.fileName.trim() === "") throw invalid(MISSING_FILE_NAME_MESSAGE);
  if (input.remoteDirectory !== undefined && input.remoteDirectory !== null && typeof input.remoteDirectory !== "string") {
    throw invalid(`remoteDirectory: expected a string, got ${typeof input.remoteDirectory}`);
  }

  throwIfAborted(signal, OPERATION, input.fileName.trim());
  const source: Readable = await openContent(input.content, { field: "content", operation: OPERATION });
  try {
    const plan = await withSessionTarget(
      target,
      async (session) => {
        const file = await resolveUploadTarget(session, input.fileName, {
          remoteDirectory: input.remoteDirectory,
          allowAbsolutePaths,
          createDirectories,
          operation: OPERATION,
        });
        const existing = await lstatIfExists(session, file.path);
        if (existing?.isDirectory) {
          throw new SftpConnectorError("ALREADY_EXISTS", `cannot ${append ? "append to" : "replace"} ${quotePath(file.path)}: it is a directory`, {
            operation: OPERATION,
            path: file.path,
          });
        }
        return { path: file.path, existed: existing !== undefined };
      },
      { ...retry, operation: OPERATION, ...(signal ? { signal } : {}) },
    );
    const uploaded = await uploadViaTemp(target, {
      content: source,
      finalPath: plan.path,
      ...(append
        ? { overwrite: "append" as const }
        : { overwrite: "replace" as const, tempPath: posix.join(posix.dirname(plan.path), temporaryFileName(plan.path)) }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(signal ? { signal } : {}),
      retry,
      connections,
      logger,
      operation: OPERATION,
    });
    const modifiedAt = includeAllMetadata
      ? (await withSessionTarget(target, (session) => session.lstat(uploaded.path), { ...retry, operation: OPERATION })).modifiedAt
      : undefined;
    const result = buildUploadResult(uploaded, { modifiedAt });
    return { ...result, existed: plan.existed };
  } catch (error) {
    source.destroy();
    throw error;
  }
}
