// Runs work on what an operation was given: a plain session as is, or a session provider with reconnect-and-retry.
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import { withRetry, type WithRetryOptions } from "./withRetry.js";

/** What an operation runs on: one open session (no retries possible), or a provider (a pool) that can replace a lost session. */
export type SessionTarget = SftpSession | SessionProvider;

/** True when `target` lends sessions (`acquire`/`release`) rather than being one. */
export function isSessionProvider(target: SessionTarget): target is SessionProvider {
  const candidate = target as Partial<SessionProvider>;
  return typeof candidate.acquire === "function" && typeof candidate.release === "function";
}

/**
 * Runs `work(session, attempt)`: on a plain session once (attempt 0; a lost session cannot be
 * replaced, so `options` is not used); on a provider through {@link withRetry}, which retries
 * on a fresh session after `CONNECTION_LOST` or `TIMEOUT` up to `options.attempts` times.
 */
export function withSessionTarget<T>(
  target: SessionTarget,
  work: (session: SftpSession, attempt: number) => Promise<T>,
  options: WithRetryOptions = {},
): Promise<T> {
  if (isSessionProvider(target)) return withRetry(target, work, options);
  return work(target, 0);
}
