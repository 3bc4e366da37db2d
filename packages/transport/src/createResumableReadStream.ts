// A read stream that survives a lost connection: on a retryable failure it takes a fresh session and resumes at the byte offset already delivered.
import { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { SftpConnectorError, abortedError, isRetryable, quotePath, retryDelay } from "@sftp-connector/core";
import type { SessionProvider } from "./SessionPool.js";
import type { ReadStreamOptions } from "./SftpReadStream.js";
import type { SftpSession } from "./SftpSession.js";
import { retriesExhausted } from "./withRetry.js";
import { readChunks } from "./readChunks.js";
import { silentLogger, type Logger } from "./Logger.js";

/** Options of {@link createResumableReadStream}. */
export interface ResumableReadStreamOptions extends ReadStreamOptions {
  /** Retries after a lost connection or a timeout. @default 1 */
  attempts?: number;
  /** Wait before the first retry, doubled for each next one, in ms. @default 1000 */
  backoffMs?: number;
  /** Told about every resume. @default silent */
  logger?: Logger;
  /**
   * The session to read on first, lent by the caller: the stream never releases it (the caller
   * does, as broken when it is `closed`); resumes take fresh sessions from the provider.
   * @default none: the first session comes from the provider too
   */
  session?: Pick<SftpSession, "createReadStream"> | undefined;
  /**
   * Once aborted, a failure is never resumed (nor logged as a resume): it becomes `ABORTED`; an
   * abort ends the wait before a retry and reaches the provider's `acquire`. @default none
   */
  signal?: AbortSignal | undefined;
  /** The operation named by an `ABORTED` error. @default "read" */
  operation?: string | undefined;
  /** Told the running total of bytes delivered, after each chunk. */
  onProgress?: ((total: number) => void) | undefined;
  /**
   * How many bytes this stream buffers itself, on top of the read stream's own window (its
   * `highWaterMark`); 0 leaves the buffering to the read stream. @default highWaterMark, else 1 MiB
   */
  bufferBytes?: number | undefined;
}

/**
 * Streams a remote file from `options.session` and/or sessions from `provider`. When the
 * connection is lost or times out mid-file (or at open), a session from the provider is discarded
 * as broken and the read resumes on a fresh one at the offset reached, up to `attempts` times;
 * the bytes delivered are exactly the file's, with no gap and no repeat. Without a provider
 * nothing is resumed. The stream emits `ready` each time the file has been opened on a session
 * (a caller can wait for it to know the file could be opened), and gives every session it took
 * back when it ends or is destroyed.
 */
export function createResumableReadStream(provider: SessionProvider | undefined, path: string, options: ResumableReadStreamOptions = {}): Readable {
  const {
    attempts = 1,
    backoffMs = 1_000,
    logger = silentLogger,
    session: lent,
    signal,
    operation = "read",
    onProgress,
    bufferBytes,
    ...readOptions
  } = options;
  const first = readOptions.start ?? 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    let offset = first;
    for (let retry = 0; ; retry += 1) {
      let session: Pick<SftpSession, "createReadStream"> | undefined;
      let lease: SftpSession | undefined;
      let broken = false;
      try {
        // Inside the try: a reconnect refused while the server restarts counts as a retry too.
        if (retry === 0 && lent) session = lent;
        else if (provider) session = lease = await provider.acquire(signal === undefined ? undefined : { signal });
        else throw new SftpConnectorError("INVALID_INPUT", "createResumableReadStream: give a session or a provider to read with", { operation, path });
        const stream = session.createReadStream(path, { ...readOptions, start: offset });
        stream.once("ready", () => output.emit("ready"));
        for await (const chunk of readChunks(stream)) {
          offset += chunk.length;
          onProgress?.(offset - first);
          yield chunk;
        }
        return;
      } catch (error) {
        broken = lease?.closed === true || isRetryable(error);
        if (signal?.aborted) throw abortedError(operation, path, signal);
        if (!provider || !isRetryable(error, { attempt: retry }) || retry >= attempts) throw retriesExhausted(error, retry);
        logger.warn(`reading ${quotePath(path)} failed at byte ${offset} (${error.reason}); resuming on a new session (retry ${retry + 1} of ${attempts})`);
      } finally {
        if (lease && provider) provider.release(lease, { broken: broken || lease.closed });
      }
      // An abort or a destroy of the stream ends the wait; then nothing more is taken or opened.
      await delay(retryDelay(retry, { backoffMs }), undefined, { signal: waitEnded.signal }).catch(() => {});
      if (signal?.aborted) throw abortedError(operation, path, signal);
      if (output.destroyed) return;
    }
  }
  const waitEnded = new AbortController();
  const output = Readable.from(chunks(), { objectMode: false, highWaterMark: bufferBytes ?? readOptions.highWaterMark ?? 1024 * 1024 });
  output.once("close", () => waitEnded.abort());
  if (signal) {
    const onAbort = () => waitEnded.abort();
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      output.once("close", () => signal.removeEventListener("abort", onAbort));
    }
  }
  return output;
}
