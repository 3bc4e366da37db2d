// Reconnect and retry: runs work with a session, and on a lost connection or a timeout takes a fresh session and tries again, with backoff.
import { abortedError, isRetryable, isSftpConnectorError, retryDelay, SftpConnectorError, type NormalizedRetryOptions } from "@sftp-connector/core";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import { silentLogger, type Logger } from "./Logger.js";

/** Options of {@link withRetry}. */
export interface WithRetryOptions extends Partial<NormalizedRetryOptions> {
  /** Told about every retry. @default silent */
  logger?: Logger;
  /** Called before each retry with the error and the retry number (1-based). */
  onRetry?: (error: SftpConnectorError, retry: number) => void;
  /** The operation, for errors. */
  operation?: string;
  /**
   * Once aborted, nothing is retried, nor logged as a retry: a failure after the abort, or the
   * abort during the backoff, rejects with `ABORTED` (the signal's reason as cause). @default none
   */
  signal?: AbortSignal;
  /** The path named by the `ABORTED` error. @default none */
  path?: string;
}

/** Core's {@link isRetryable}, where transport always exported it: true for failures a fresh connection may cure. */
export { isRetryable };

/**
 * True when a retry may follow `error`, met on try number `attempt` (0 = the first try): core's
 * `isRetryable(error, { attempt })`, so on a retry also a reconnect that was refused or found no
 * route (`HOST_UNREACHABLE`: the server is likely restarting), while a first connect that is
 * refused is still not retried (see core's `RETRY_RULES`).
 */
export function isRetryableAt(error: unknown, attempt: number): error is SftpConnectorError {
  return isRetryable(error, { attempt });
}

/**
 * The error to throw once retries ran out at try number `attempt`: a reconnect that could not reach
 * the server (`HOST_UNREACHABLE` on a retry) becomes `CONNECTION_LOST`, which is what happened to
 * the operation, with the last reconnect's error as its cause; any other error is returned as is.
 */
export function retriesExhausted(error: unknown, attempt: number): unknown {
  if (attempt === 0 || !isSftpConnectorError(error) || error.reason !== "HOST_UNREACHABLE") return error;
  return new SftpConnectorError(
    "CONNECTION_LOST",
    `the connection was lost and could not be re-established in ${attempt} ${attempt === 1 ? "retry" : "retries"}: ${error.message}`,
    { operation: error.operation, path: error.path, cause: error },
  );
}

/** Waits `ms`, or less when `signal` aborts meanwhile. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * Runs `work(session, attempt)` with a session from `provider`. When it fails with a retryable
 * error, the session is discarded as broken, and after `backoffMs × 2^(retry-1)` the work runs
 * again on a fresh session, up to `attempts` retries (Boomi: one); a retry that finds the server
 * refusing connections (restarting) is retried too, and ends as `CONNECTION_LOST` when retries
 * run out (see core's `isRetryable` and `RETRY_RULES`). Work that moves bytes should
 * resume from what it already moved (it is called again with the attempt number).
 */
export async function withRetry<T>(
  provider: SessionProvider,
  work: (session: SftpSession, attempt: number) => Promise<T>,
  options: WithRetryOptions = {},
): Promise<T> {
  const retries = options.attempts ?? 1;
  const backoffMs = options.backoffMs ?? 1_000;
  const logger = options.logger ?? silentLogger;
  const aborted = () => abortedError(options.operation ?? "operation", options.path, options.signal);
  for (let attempt = 0; ; attempt += 1) {
    if (options.signal?.aborted) throw aborted();
    let session: SftpSession | undefined;
    try {
      session = await provider.acquire(options.signal === undefined ? undefined : { signal: options.signal });
      const result = await work(session, attempt);
      provider.release(session);
      return result;
    } catch (error) {
      if (session) provider.release(session, { broken: session.closed || isRetryable(error) });
      if (options.signal?.aborted) throw isSftpConnectorError(error) && error.reason === "ABORTED" ? error : aborted();
      if (!isRetryable(error, { attempt }) || attempt >= retries) throw retriesExhausted(error, attempt);
      const wait = retryDelay(attempt, { backoffMs });
      logger.warn(`${options.operation ?? "operation"} failed (${error.reason}: ${error.message}); retry ${attempt + 1} of ${retries} in ${wait} ms`);
      options.onRetry?.(error, attempt + 1);
      await sleep(wait, options.signal);
    }
  }
}
