// Runs a streamed listing on a session from a provider, and starts it again on a fresh session after a lost connection or a timeout, but only while it has yielded nothing.
import { setTimeout as delay } from "node:timers/promises";
import { abortedError, isRetryable, isSftpConnectorError, retryDelay } from "@sftp-connector/core";
import type { Logger } from "./Logger.js";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import { retriesExhausted } from "./withRetry.js";

/** One run of the iteration, on one session. */
export interface IterationRun<T> {
  /** What the run yields. */
  items: AsyncIterable<T>;
  /** Resolves once the run no longer uses the session (e.g. contents handed out have ended); it is given back then. @default given back when `items` ends */
  idle?: () => Promise<void>;
}

/** Options of {@link iterateWithRetry}. */
export interface IterateWithRetryOptions {
  /** Times to start again after the first try. */
  attempts: number;
  /** Wait before the first new start, doubled each time, in ms. */
  backoffMs: number;
  /** Warned before each new start. */
  logger: Logger;
  /** The operation, for the warning: `list failed before its first entry (…); retry 1 of 1`. */
  operation: string;
  /** What one item is called in the warning (`entry`, `document`). */
  item: string;
  /**
   * Once aborted, nothing is started again, nor logged as a retry: an abort before the first pull
   * takes no session, and a failure after the abort, or the abort during the backoff, throws `ABORTED`
   * (the signal's reason as cause). The run itself should watch the signal too, to stop promptly.
   * @default none
   */
  signal?: AbortSignal | undefined;
  /** The path named by the `ABORTED` error (the listed directory). @default none */
  path?: string | undefined;
}

/**
 * Yields the items of `start(session)` on a session taken from `provider` on the first pull. When
 * it fails with a lost connection or a timeout before it has yielded anything, the session is given
 * back as broken and, after `backoffMs × 2^(retry-1)`, the run starts again on a fresh session, up to
 * `attempts` times. Once an item was yielded a failure is thrown as is (starting again would repeat
 * items). The session is given back when the run ends, fails or is stopped (broken when it failed
 * with a retryable error or closed), after `idle()` when the run has one. With a `signal`, an abort
 * is never retried: see {@link IterateWithRetryOptions.signal}.
 */
export async function* iterateWithRetry<T>(
  provider: SessionProvider,
  start: (session: SftpSession) => IterationRun<T>,
  options: IterateWithRetryOptions,
): AsyncGenerator<T, void, undefined> {
  const { signal } = options;
  const aborted = () => abortedError(options.operation, options.path, signal);
  for (let attempt = 0; ; attempt += 1) {
    if (signal?.aborted) throw aborted();
    let session: SftpSession | undefined;
    let run: IterationRun<T> | undefined;
    let emitted = false;
    let broken = false;
    try {
      session = await provider.acquire(signal === undefined ? undefined : { signal });
      run = start(session);
      for await (const item of run.items) {
        emitted = true;
        yield item;
      }
      return;
    } catch (error) {
      broken = session?.closed === true || isRetryable(error);
      if (signal?.aborted) throw isSftpConnectorError(error) && error.reason === "ABORTED" ? error : aborted();
      if (emitted || !isRetryable(error, { attempt }) || attempt >= options.attempts) throw emitted ? error : retriesExhausted(error, attempt);
      options.logger.warn(
        `${options.operation} failed before its first ${options.item} (${error.reason}: ${error.message}); retry ${attempt + 1} of ${options.attempts}`,
      );
    } finally {
      const held = session;
      if (held) {
        const release = () => provider.release(held, { broken: broken || held.closed });
        if (run?.idle) void run.idle().then(release);
        else release();
      }
    }
    // An abort ends the wait at once; the next turn then throws ABORTED.
    await delay(retryDelay(attempt, { backoffMs: options.backoffMs }), undefined, signal ? { signal } : {}).catch(() => {});
  }
}
