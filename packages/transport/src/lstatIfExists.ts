// Stats of a remote path itself (a symbolic link is not followed), or undefined when nothing is there.
import { isSftpConnectorError } from "@sftp-connector/core";
import type { FileStats, SftpSession } from "./SftpSession.js";

/**
 * `session.lstat(path)`, but `undefined` instead of a `NO_SUCH_FILE` error when nothing is at
 * `path` (every other failure is thrown). A symbolic link is not followed: its own stats are returned.
 */
export async function lstatIfExists(session: Pick<SftpSession, "lstat">, path: string): Promise<FileStats | undefined> {
  try {
    return await session.lstat(path);
  } catch (error) {
    if (isSftpConnectorError(error) && error.reason === "NO_SUCH_FILE") return undefined;
    throw error;
  }
}
