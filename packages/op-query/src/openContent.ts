// Opens one queried file: resolves once the file is open, with its content as a Readable that prefetches and, through a provider, resumes after a lost connection.
import { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { abortedError, isRetryable, quotePath, retryDelay } from "@sftp-connector/core";
import { MetadataJsonEncoder, retriesExhausted, type Logger, type SessionProvider, type SftpSession } from "@sftp-connector/transport";

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

/** Opens `path` on `session` at `start`; resolves once the server has opened it, and starts prefetching. */
function openSource(session: ContentSession, path: string, start: number, sizeHint?: number): Promise<Readable> {
  const stream = session.createReadStream(path, { ...(start > 0 ? { start } : {}), ...(sizeHint !== undefined ? { sizeHint } : {}) });
  return new Promise<Readable>((resolve, reject) => {
    const onReady = () => {
      stream.off("error", onError);
      // A failure while nobody reads yet must not crash the process: the stream keeps the error and
      // whoever iterates it later gets it.
      stream.on("error", () => {});
      stream.read(0); // fill the stream's buffer now, so a later consumer finds data waiting
      resolve(stream);
    };
    const onError = (error: Error) => {
      stream.off("ready", onReady);
      reject(error);
    };
    stream.once("ready", onReady);
    stream.once("error", onError);
  });
}

/**
 * Opens a file for a QUERY document. Resolves once the file is open (rejects with the classified
 * error when it cannot be: a missing file, permission denied, …), with a Readable of its content that
 * is already filling its buffer. The file's handle stays open until the Readable ends or is destroyed.
 * With a provider, a lost connection (at open or mid-file) is retried on a fresh session from it,
 * resuming at the byte reached, up to `attempts` times.
 */
export async function openContent(options: OpenContentOptions): Promise<Readable> {
  const { provider, path, signal } = options;
  const throwIfAborted = () => {
    if (signal?.aborted) throw abortedError("query", path, signal);
  };
  let lease: SftpSession | undefined; // a session taken from the provider for a retry
  let retry = 0;
  const releaseLease = () => {
    if (lease && provider) provider.release(lease, { broken: lease.closed });
    lease = undefined;
  };
  /** After a failure: throws it when it may not be retried; otherwise gives the broken session back and waits. */
  const beforeRetry = async (error: unknown, offset: number): Promise<SessionProvider> => {
    throwIfAborted();
    if (!provider || !isRetryable(error, { attempt: retry }) || retry >= options.attempts) throw retriesExhausted(error, retry);
    if (lease) provider.release(lease, { broken: true });
    lease = undefined;
    options.logger.warn(`reading ${quotePath(path)} failed at byte ${offset} (${error.reason}); resuming on a new session (retry ${retry + 1} of ${options.attempts})`);
    await delay(retryDelay(retry, { backoffMs: options.backoffMs }), undefined, signal ? { signal } : {}).catch(() => {});
    throwIfAborted();
    retry += 1;
    return provider;
  };
  /** Opens at `offset`, on fresh sessions while failures may be retried (a reconnect refused while the server restarts counts as one). */
  const reopen = async (failure: unknown, offset: number): Promise<Readable> => {
    for (;;) {
      const from = await beforeRetry(failure, offset);
      try {
        lease = await from.acquire(signal === undefined ? undefined : { signal });
        return await openSource(lease, path, offset, options.sizeHint);
      } catch (error) {
        failure = error;
      }
    }
  };

  let source: Readable;
  try {
    source = await openSource(options.session, path, 0, options.sizeHint);
  } catch (error) {
    try {
      source = await reopen(error, 0);
    } catch (final) {
      releaseLease();
      throw final;
    }
  }

  let current = source;
  async function* generate(): AsyncGenerator<Buffer> {
    const encoder = options.metadataDate === undefined ? undefined : new MetadataJsonEncoder(options.metadataDate);
    if (encoder) yield encoder.start();
    let offset = 0;
    for (;;) {
      try {
        for await (const chunk of current as AsyncIterable<Buffer>) {
          offset += chunk.length;
          options.onBytes?.(offset);
          const out = encoder ? encoder.write(chunk) : chunk;
          if (out.length > 0) yield out;
        }
        break;
      } catch (error) {
        current = await reopen(error, offset);
      }
    }
    if (encoder) yield encoder.end();
  }
  // highWaterMark 0: this stream holds nothing itself; the source keeps its pipelined window.
  const content = Readable.from(generate(), { objectMode: false, highWaterMark: 0 });
  content.once("close", () => {
    if (!current.destroyed) current.destroy();
    releaseLease();
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
