// Saves downloaded content to a local file through a temporary name and a rename, so a failed download never leaves a partial file.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SftpConnectorError, isSftpConnectorError, quotePath, type ErrorReason } from "@sftp-connector/core";

/** Options of {@link writeLocalFile}. */
export interface WriteLocalFileOptions {
  /** Create the file's directory (and its parents) when missing. @default false */
  createDirectories?: boolean;
}

const REASONS: Readonly<Record<string, ErrorReason>> = {
  ENOENT: "NO_SUCH_FILE",
  ENOTDIR: "NO_SUCH_FILE",
  EACCES: "PERMISSION_DENIED",
  EPERM: "PERMISSION_DENIED",
  EROFS: "PERMISSION_DENIED",
  EEXIST: "ALREADY_EXISTS",
  EISDIR: "ALREADY_EXISTS",
};

/**
 * A local file system error as an {@link SftpConnectorError} (`cannot <action> '<path>' (<code>)`):
 * ENOENT → NO_SUCH_FILE, EACCES/EPERM → PERMISSION_DENIED, EEXIST/EISDIR → ALREADY_EXISTS, else
 * FAILURE. An SftpConnectorError (a remote failure) is returned as it is.
 */
export function localFileError(error: unknown, action: string, path: string): SftpConnectorError {
  if (isSftpConnectorError(error)) return error;
  const code = (error as { code?: string }).code;
  return new SftpConnectorError(REASONS[code ?? ""] ?? "FAILURE", `cannot ${action} ${quotePath(path)}${code ? ` (${code})` : ""}`, {
    operation: "local file",
    path,
    cause: error,
    retryable: false,
  });
}

/**
 * Writes `content` to `path`: into `.<name>.<random>.part` beside it, then renamed over `path`
 * once complete (replacing a file, or a symbolic link, at `path` rather than writing through it).
 * When the content or the write fails, the temporary file is removed and `path` is untouched.
 * Resolves with the bytes written.
 */
export async function writeLocalFile(path: string, content: Readable, options: WriteLocalFileOptions = {}): Promise<number> {
  const directory = dirname(path);
  if (options.createDirectories) {
    try {
      await mkdir(directory, { recursive: true });
    } catch (error) {
      content.destroy();
      throw localFileError(error, "create the directory", directory);
    }
  }
  const temp = join(directory, `.${basename(path)}.${randomBytes(6).toString("hex")}.part`);
  let sourceFailed: unknown;
  content.on("error", (error: unknown) => (sourceFailed ??= error));
  const sink = createWriteStream(temp, { flags: "wx", mode: 0o666 });
  try {
    await pipeline(content, sink);
    await rename(temp, path);
    return sink.bytesWritten;
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw sourceFailed === undefined ? localFileError(error, "write", path) : localFileError(sourceFailed, "read", path);
  }
}
