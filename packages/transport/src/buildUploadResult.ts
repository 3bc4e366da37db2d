// What CREATE and UPSERT return once the upload is done: Boomi's response document and status message.
import { posix } from "node:path";
import { formatTimestamp, type NormalizedRetryOptions } from "@sftp-connector/core";
import type { UploadResult } from "./uploadViaTemp.js";
import { withSessionTarget, type SessionTarget } from "./withSessionTarget.js";

/** Boomi's success message of CREATE and UPSERT. */
export const FILE_CREATED_MESSAGE = "Created the file successfully";

/** Boomi's CREATE/UPSERT response JSON (simple profile; `timestamp` with the extended one). */
export interface UploadResponse {
  /** The name the file was written under. */
  fileName: string;
  /** The absolute directory the file is in. */
  remoteDirectory: string;
  /** The file's modification time, `yyyy-MM-dd HH:mm:ss.SSS` in local time; with the extended profile only. */
  timestamp?: string;
}

/** What an upload operation (CREATE, UPSERT) returns. */
export interface UploadFileResult {
  /** Boomi's response document. */
  response: UploadResponse;
  /** Boomi's status message: "Created the file successfully". */
  message: typeof FILE_CREATED_MESSAGE;
  /** The file's absolute path. */
  path: string;
  /** Bytes written. */
  bytesWritten: number;
}

/** Options of {@link buildUploadResult}. */
export interface BuildUploadResultOptions {
  /** Add `timestamp`, the file's mtime read back from the server (Boomi's extended profile). */
  includeTimestamp: boolean;
  /** Retries of that read with a session provider. */
  retry: NormalizedRetryOptions;
  /** The operation, for errors. */
  operation: string;
}

/**
 * The result of an upload operation for what {@link uploadViaTemp} did: the response names the
 * file's base name and directory, with `includeTimestamp` also its mtime (one `lstat` on `target`).
 */
export async function buildUploadResult(target: SessionTarget, uploaded: UploadResult, options: BuildUploadResultOptions): Promise<UploadFileResult> {
  const response: UploadResponse = { fileName: posix.basename(uploaded.path), remoteDirectory: posix.dirname(uploaded.path) };
  if (options.includeTimestamp) {
    const stats = await withSessionTarget(target, (session) => session.lstat(uploaded.path), { ...options.retry, operation: options.operation });
    response.timestamp = formatTimestamp(stats.modifiedAt);
  }
  return { response, message: FILE_CREATED_MESSAGE, path: uploaded.path, bytesWritten: uploaded.bytesWritten };
}
