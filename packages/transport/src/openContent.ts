// Turns document content (a Readable, bytes, UTF-8 text, or a local file path) into a Readable, checking a local file before anything is sent.
import { Readable } from "node:stream";
import { open, type FileHandle } from "node:fs/promises";
import { SftpConnectorError, describeValue, quotePath, type DocumentContentInput } from "@sftp-connector/core";

/** Options of {@link openContent}. */
export interface OpenContentOptions {
  /** The input field the content came from, for errors. @default "content" */
  field?: string;
  /** The operation, for errors. @default "upload" */
  operation?: string;
  /** Size of the pieces bytes and text are handed out in, and the read size of a local file. @default 1 MiB */
  chunkSize?: number;
}

/** True for a Node Readable (or anything that pipes and emits like one, e.g. a Readable from another copy of Node's stream module). */
export function isReadableContent(content: unknown): content is Readable {
  if (content instanceof Readable) return true;
  if (typeof content !== "object" || content === null) return false;
  const candidate = content as { pipe?: unknown; on?: unknown; read?: unknown };
  return typeof candidate.pipe === "function" && typeof candidate.on === "function" && typeof candidate.read === "function";
}

function* slices(bytes: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, Math.min(offset + size, bytes.length));
}

/**
 * Opens document content as a Readable: a Readable is returned as is; a Buffer or Uint8Array is
 * handed out in `chunkSize` pieces (no copy); a string is encoded as UTF-8; `{ path }` opens
 * that local file and streams it. A local file that is missing, unreadable or not a regular file,
 * and content of any other type, are `INVALID_INPUT` naming the field (`content.path`), thrown
 * before anything reaches the server. The stream of a local file closes its descriptor when it
 * ends or is destroyed.
 */
export async function openContent(content: DocumentContentInput, options: OpenContentOptions = {}): Promise<Readable> {
  const field = options.field ?? "content";
  const operation = options.operation ?? "upload";
  const chunkSize = Math.max(1, options.chunkSize ?? 1024 * 1024);
  if (isReadableContent(content)) return content;
  if (typeof content === "string") return Readable.from(slices(Buffer.from(content, "utf8"), chunkSize), { objectMode: false });
  if (Buffer.isBuffer(content)) return Readable.from(slices(content, chunkSize), { objectMode: false });
  if (content instanceof Uint8Array) {
    const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    return Readable.from(slices(bytes, chunkSize), { objectMode: false });
  }
  if (typeof content === "object" && content !== null && "path" in content) {
    const path = (content as { path: unknown }).path;
    const invalid = (what: string, cause?: unknown) =>
      new SftpConnectorError("INVALID_INPUT", `${field}.path: ${what}`, { operation, path: typeof path === "string" ? path : undefined, cause });
    if (typeof path !== "string" || path.trim() === "")
      throw invalid(`expected the path of a local file, got ${describeValue(path, { as: "type", keys: true })}`);
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") throw invalid(`no such local file ${quotePath(path)}`, error);
      if (code === "EACCES" || code === "EPERM") throw invalid(`cannot read the local file ${quotePath(path)}: permission denied`, error);
      throw invalid(`cannot open the local file ${quotePath(path)}: ${(error as Error).message}`, error);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw invalid(`${quotePath(path)} is not a regular file`);
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
    return handle.createReadStream({ highWaterMark: chunkSize });
  }
  throw new SftpConnectorError(
    "INVALID_INPUT",
    `${field}: expected a Readable, a Buffer, a Uint8Array, a string or { path } of a local file, got ${describeValue(content, { as: "type", keys: true })}`,
    { operation },
  );
}
