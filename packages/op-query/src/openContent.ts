// Opens one queried file: resolves once the file is open, with its content as a Readable that prefetches and, through a provider, resumes after a lost connection (transport's resumable read stream).
import { Readable } from "node:stream";
import { encodeMetadataJson } from "@sftp-connector/core";
import { createResumableReadStream, type Logger, type SessionProvider, type SftpSession } from "@sftp-connector/transport";

/** The session calls {@link openContent} uses. */
export type ContentSession = Pick<SftpSession, "createReadStream">;

/** What {@link openContent} needs. */
export interface OpenContentOptions {
  /** The session the query lists on: every download starts on it. */
  session: ContentSession;
  /** With a provider, a download that fails with a lost connection or a timeout resumes on a fresh session from it. */
  provider?: SessionProvider | undefined;
  /** Retries (with a provider). */
  attempts: number;
  /** Wait before the first retry, doubled each time, in ms. */
  backoffMs: number;
  /** The file's absolute path. */
  path: string;
  /** With `includeAllMetadata`: the JSON's `modifiedDate`; the content is then the JSON instead of the raw bytes. */
  metadataDate?: string | undefined;
  /** The file's size in the listing: lets a small file be read in one round trip (the read still goes to end of file). */
  sizeHint?: number | undefined;
  /** Told the running total of this file's bytes read. */
  onBytes?: ((total: number) => void) | undefined;
  /** Told about resumes. */
  logger: Logger;
  /** Once aborted, a failure is never resumed (nor logged as a resume): it becomes `ABORTED`, and an abort ends the backoff wait. @default none */
  signal?: AbortSignal | undefined;
}

/**
 * Opens a file for a QUERY document. Resolves once the file is open (rejects with the classified
 * error when it cannot be: a missing file, permission denied, …), with a Readable of its content that
 * is already filling its buffer. The file's handle stays open until the Readable ends or is destroyed.
 * With a provider, a lost connection (at open or mid-file) is retried on a fresh session from it,
 * resuming at the byte reached, up to `attempts` times.
 */
export async function openContent(options: OpenContentOptions): Promise<Readable> {
  // bufferBytes 0: the stream holds nothing itself; the read stream keeps its pipelined window.
  const raw = createResumableReadStream(options.provider, options.path, {
    session: options.session,
    attempts: options.attempts,
    backoffMs: options.backoffMs,
    logger: options.logger,
    signal: options.signal,
    operation: "query",
    onProgress: options.onBytes,
    bufferBytes: 0,
    ...(options.sizeHint !== undefined ? { sizeHint: options.sizeHint } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      raw.off("ready", settle).off("readable", settle).off("error", settle);
      if (error) reject(error);
      else resolve();
    };
    raw.once("ready", settle).once("readable", settle).once("error", settle);
    raw.read(0); // open now, and fill the read stream's buffer, so a later consumer finds data waiting
  });
  if (options.metadataDate === undefined) return raw;
  const content = Readable.from(encodeMetadataJson(raw, options.metadataDate), { objectMode: false, highWaterMark: 0 });
  content.once("close", () => {
    if (!raw.destroyed) raw.destroy();
  });
  return content;
}

/** Reads a content stream whole. */
export async function readAll(content: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of content as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(chunks, total);
}
