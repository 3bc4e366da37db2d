// A write stream that survives a lost connection: it keeps the bytes the server has not acknowledged and replays them on a fresh session.
import { Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { isRetryable, quotePath, retryDelay } from "@sftp-connector/core";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import { writeWindow, type SftpWriteStream, type WriteStreamOptions } from "./SftpWriteStream.js";
import { retriesExhausted } from "./withRetry.js";
import { silentLogger, type Logger } from "./Logger.js";

/** Options of {@link createResumableWriteStream}. */
export interface ResumableWriteStreamOptions extends WriteStreamOptions {
  /** Retries after a lost connection or a timeout. @default 1 */
  attempts?: number;
  /** Wait before the first retry, doubled for each next one, in ms. @default 1000 */
  backoffMs?: number;
  /** Told about every resume. @default silent */
  logger?: Logger;
}

/**
 * Writes a remote file through sessions from `provider`. Bytes are kept until the server
 * acknowledges them (at most about `concurrency × chunkSize` plus the buffer); when the connection
 * is lost or times out, the session is discarded and writing resumes on a fresh one at the last
 * acknowledged offset (the file opened with `r+`), up to `attempts` times.
 */
export function createResumableWriteStream(provider: SessionProvider, path: string, options: ResumableWriteStreamOptions = {}): Writable {
  const { attempts = 1, backoffMs = 1_000, logger = silentLogger, ...writeOptions } = options;
  let session: SftpSession | undefined;
  let inner: SftpWriteStream | undefined;
  /** Absolute offset of the first retained byte. */
  let retainedFrom = 0;
  const retained: Buffer[] = [];
  let retries = 0;
  /** The file was opened once with the caller's flags: every later open resumes it (`r+` at `retainedFrom`). */
  let opened = false;
  /** Aborted when the stream is destroyed: ends a wait before a retry. */
  const waitEnded = new AbortController();

  const acknowledged = () => (inner ? inner.startOffset + inner.bytesWritten : retainedFrom);

  /** Drops retained bytes the server has acknowledged. */
  const trim = () => {
    const upTo = acknowledged();
    while (retained.length > 0 && retainedFrom + retained[0]!.length <= upTo) retainedFrom += retained.shift()!.length;
    if (retained.length > 0 && retainedFrom < upTo) {
      retained[0] = retained[0]!.subarray(upTo - retainedFrom);
      retainedFrom = upTo;
    }
  };

  const whenOpen = (stream: SftpWriteStream) =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      stream.once("error", onError);
      stream.once("ready", () => {
        stream.off("error", onError);
        resolve();
      });
    });

  /** Opens (or reopens after a failure) the inner stream and replays what was not acknowledged. */
  const connect = async (resume: boolean) => {
    const acquired = await provider.acquire();
    if (outer.destroyed) {
      // Destroyed (e.g. aborted) while a session was being taken: give it back, write nothing.
      provider.release(acquired);
      throw new Error(`writing ${quotePath(path)} stopped: the stream was destroyed`);
    }
    session = acquired;
    // After a failure, fewer requests in flight (halved per retry): a link that drops every
    // connection after a while must see some bytes acknowledged before the next cut, which a full
    // window sent at once (and lost at once) would never get.
    // Halved from the window the first attempt used (the given one, else the default for the server's write size).
    const halved = () => Math.max(1, Math.floor(writeWindow(writeOptions, acquired.limits.maxWriteLength).concurrency / 2 ** retries));
    const options = retries > 0 ? { ...writeOptions, concurrency: halved() } : writeOptions;
    inner = session.createWriteStream(path, resume ? { ...options, flags: "r+", start: retainedFrom } : options);
    inner.on("error", () => {}); // failures surface through write callbacks and are retried there
    await whenOpen(inner);
    if (!resume) retainedFrom = inner.startOffset;
    // From here on the file exists with our bytes: a failure during the replay below (which waits
    // for acknowledgements once the window is full) must resume at the byte reached with `r+`,
    // never open it again with the caller's flags (`w` would truncate it and write the retained
    // bytes at offset 0).
    opened = true;
    for (const chunk of retained) await writeInner(chunk);
  };

  /** Writes to the inner stream; a stream that already failed reports its own (classified) error. */
  const writeInner = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const stream = inner!;
      if (stream.errored) return reject(stream.errored);
      stream.write(chunk, (error) => (error ? reject(stream.errored ?? error) : resolve()));
    });

  /** Ends the inner stream; a failure it met earlier (a write the server refused after its callback ran, e.g. a full disk) rejects too. */
  const endInner = () =>
    new Promise<void>((resolve, reject) => {
      const stream = inner!;
      if (stream.errored) return reject(stream.errored);
      stream.once("error", reject);
      stream.end((error?: Error | null) => (error || stream.errored ? reject(stream.errored ?? error) : resolve()));
    });

  /**
   * Runs `step`; on a retryable failure reconnects and runs it again. `step` is told whether the
   * stream was (re)opened just now, in which case every retained byte was already replayed.
   */
  const guarded = async (step: (replayed: boolean) => Promise<void>) => {
    for (;;) {
      try {
        const replayed = !inner;
        if (!inner) await connect(opened);
        await step(replayed);
        trim();
        return;
      } catch (error) {
        trim();
        if (session) provider.release(session, { broken: true });
        inner?.destroy();
        inner = undefined;
        session = undefined;
        // A destroyed stream (aborted, or its pipeline failed) is never resumed: the failure is the destroy's own.
        if (outer.destroyed) throw error;
        if (!isRetryable(error, { attempt: retries }) || retries >= attempts) throw retriesExhausted(error, retries);
        retries += 1;
        logger.warn(`writing ${quotePath(path)} failed at byte ${retainedFrom} (${error.reason}); resuming on a new session (retry ${retries} of ${attempts})`);
        // A destroy (abort, the pipeline failing) ends the wait, and nothing is taken after it.
        await delay(retryDelay(retries - 1, { backoffMs }), undefined, { signal: waitEnded.signal }).catch(() => {});
        if (outer.destroyed) throw error;
      }
    }
  };

  const outer: Writable = new Writable({
    highWaterMark: writeOptions.highWaterMark ?? 1024 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      retained.push(chunk);
      guarded((replayed) => (replayed ? Promise.resolve() : writeInner(chunk))).then(() => callback(), callback);
    },
    final(callback) {
      guarded(endInner).then(() => {
        if (session) provider.release(session);
        session = undefined;
        callback();
      }, callback);
    },
    destroy(error, callback) {
      waitEnded.abort();
      inner?.destroy();
      if (session) provider.release(session, { broken: true });
      session = undefined;
      callback(error);
    },
  });
  return outer;
}
