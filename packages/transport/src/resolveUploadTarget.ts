// Where an upload goes: its file name resolved inside the remote directory, and that file's directory checked (or created).
import { SftpConnectorError, notADirectory, quotePath, remoteDirectoryNotFound, resolveRemoteFile, type ResolvedRemoteFile } from "@sftp-connector/core";
import type { SftpSession } from "./SftpSession.js";

/** The session calls {@link resolveUploadTarget} uses (an `SftpSession` has them all). */
export type UploadTargetSession = Pick<SftpSession, "resolveDirectory" | "statIfExists" | "mkdir">;

/** Options of {@link resolveUploadTarget}. */
export interface ResolveUploadTargetOptions {
  /** The per-call remote directory (relative → home). @default the connection's, else home */
  remoteDirectory?: string | undefined;
  /** Let the name be absolute or climb out of the remote directory. */
  allowAbsolutePaths: boolean;
  /** Create the file's directory (recursively) when it is missing. */
  createDirectories: boolean;
  /** The operation, for errors. */
  operation: string;
}

/**
 * Resolves `fileName` (field `fileName`; it may hold a sub-path) against the session's effective
 * remote directory and makes sure the file's directory exists ({@link ensureRemoteDirectory}).
 * @throws SftpConnectorError INVALID_INPUT for an absolute or escaping name; NO_SUCH_FILE "Remote directory does not exist: '<dir>'".
 */
export async function resolveUploadTarget(session: UploadTargetSession, fileName: string, options: ResolveUploadTargetOptions): Promise<ResolvedRemoteFile> {
  const { allowAbsolutePaths, operation } = options;
  const base = session.resolveDirectory(options.remoteDirectory);
  const file = resolveRemoteFile(base, fileName, { allowAbsolutePaths, operation, field: "fileName" });
  await ensureRemoteDirectory(session, file.directory, { create: options.createDirectories, operation });
  return file;
}

/**
 * Makes sure `directory` exists: creates it (with its parents) when it is missing and `create`,
 * else fails with Boomi's `NO_SUCH_FILE` "Remote directory does not exist: '<dir>'" (`… is not a
 * directory` when a file is in the way). A failed mkdir is "An error occurred while creating the
 * '<dir>' directory. Cause: …" with the failure's reason.
 */
export async function ensureRemoteDirectory(
  session: Pick<SftpSession, "statIfExists" | "mkdir">,
  directory: string,
  options: { create: boolean; operation: string },
): Promise<void> {
  const { operation } = options;
  const stats = await session.statIfExists(directory);
  if (stats?.isDirectory) return;
  if (stats) {
    throw notADirectory(directory, operation);
  }
  if (!options.create) throw remoteDirectoryNotFound(directory, operation);
  try {
    await session.mkdir(directory, { recursive: true });
  } catch (error) {
    const cause = error as SftpConnectorError;
    throw new SftpConnectorError(cause.reason ?? "FAILURE", `An error occurred while creating the ${quotePath(directory)} directory. Cause: ${cause.message}`, {
      operation,
      path: directory,
      cause: error,
      retryable: cause.retryable,
    });
  }
}
