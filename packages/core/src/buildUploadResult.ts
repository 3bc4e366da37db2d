// What CREATE and UPSERT return once the upload is done: Boomi's response document and status message.
import { posix } from "node:path";
import { formatTimestamp } from "./FileDocument.js";

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

/** What the upload did: the file's absolute path and the bytes written (transport's `UploadResult`). */
export interface UploadedFile {
  /** The file's absolute path. */
  path: string;
  /** Bytes written. */
  bytesWritten: number;
}

/** Options of {@link buildUploadResult}. */
export interface BuildUploadResultOptions {
  /** The file's mtime read back from the server: adds `timestamp` (Boomi's extended profile). @default none (no timestamp) */
  modifiedAt?: Date | undefined;
}

/**
 * The result of an upload operation for what the upload did: the response names the file's base
 * name and directory, and with `modifiedAt` also its timestamp. Asks nothing of the server.
 *
 * @example
 * ```ts
 * buildUploadResult({ path: "/data/in/a.txt", bytesWritten: 5 });
 * // { response: { fileName: "a.txt", remoteDirectory: "/data/in" }, message: "Created the file successfully", path: "/data/in/a.txt", bytesWritten: 5 }
 * ```
 */
export function buildUploadResult(uploaded: UploadedFile, options: BuildUploadResultOptions = {}): UploadFileResult {
  const response: UploadResponse = { fileName: posix.basename(uploaded.path), remoteDirectory: posix.dirname(uploaded.path) };
  if (options.modifiedAt !== undefined) response.timestamp = formatTimestamp(options.modifiedAt);
  return { response, message: FILE_CREATED_MESSAGE, path: uploaded.path, bytesWritten: uploaded.bytesWritten };
}
