// A read stream that survives a lost connection: on a retryable failure it takes a fresh session and resumes at the byte offset already delivered.
import { Readable } from "node:stream";
import type { SessionProvider } from "./SessionPool.js";
import type { ReadStreamOptions } from "./SftpReadStream.js";
import { isRetryable } from "./withRetry.js";
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
      const session = await provider.acquire();
      let broken = false;
      try {
        const stream = session.createReadStream(path, { ...readOptions, start: offset });
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          offset += chunk.length;
          yield chunk;
        }
        return;
      } catch (error) {
        broken = session.closed || isRetryable(error);
        if (!isRetryable(error) || retry >= attempts) throw error;
        logger.warn(`reading ${path} failed at byte ${offset} (${error.reason}); resuming on a new session (retry ${retry + 1} of ${attempts})`);
      } finally {
        provider.release(session, { broken });
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** retry));
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: readOptions.highWaterMark ?? 1024 * 1024 });
}
