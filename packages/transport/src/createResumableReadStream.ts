// A read stream that survives a lost connection: on a retryable failure it takes a fresh session and resumes at the byte offset already delivered.
import { Readable } from "node:stream";
import { isRetryable, quotePath, retryDelay } from "@sftp-connector/core";
import type { SessionProvider } from "./SessionPool.js";
import type { ReadStreamOptions } from "./SftpReadStream.js";
import type { SftpSession } from "./SftpSession.js";
import { retriesExhausted } from "./withRetry.js";
import { silentLogger, type Logger } from "./Logger.js";

/** Options of {@link createResumableReadStream}. */
export interface ResumableReadStreamOptions extends ReadStreamOptions {
  /** Retries after a lost connection or a timeout. @default 1 */
  attempts?: number;
  /** Wait before the first retry, doubled for each next one, in ms. @default 1000 */
  backoffMs?: number;
  /** Told about every resume. @default silent */
  logger?: Logger;
}

/**
 * Streams a remote file through sessions from `provider`. When the connection is lost or times
 * out mid-file, the session is discarded and the read resumes on a fresh one at the offset
 * reached, up to `attempts` times; the bytes delivered are exactly the file's, with no gap and no repeat.
 */
export function createResumableReadStream(provider: SessionProvider, path: string, options: ResumableReadStreamOptions = {}): Readable {
  const { attempts = 1, backoffMs = 1_000, logger = silentLogger, ...readOptions } = options;
  async function* chunks(): AsyncGenerator<Buffer> {
    let offset = readOptions.start ?? 0;
    for (let retry = 0; ; retry += 1) {
      let session: SftpSession | undefined;
      let broken = false;
      try {
        // Inside the try: a reconnect refused while the server restarts counts as a retry too.
        session = await provider.acquire();
        const stream = session.createReadStream(path, { ...readOptions, start: offset });
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          offset += chunk.length;
          yield chunk;
        }
        return;
      } catch (error) {
        broken = session?.closed === true || isRetryable(error);
        if (!isRetryable(error, { attempt: retry }) || retry >= attempts) throw retriesExhausted(error, retry);
        logger.warn(`reading ${quotePath(path)} failed at byte ${offset} (${error.reason}); resuming on a new session (retry ${retry + 1} of ${attempts})`);
      } finally {
        if (session) provider.release(session, { broken });
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelay(retry, { backoffMs })));
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: readOptions.highWaterMark ?? 1024 * 1024 });
}
