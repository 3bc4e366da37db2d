// Runs work on a given session, or on sessions from a provider with reconnect-and-retry.
import { withRetry, type Logger, type SessionProvider, type SftpSession } from "@sftp-connector/transport";

/** What an operation runs on: one open session, or a provider (a pool) that lends sessions. */
export type SessionSource = SftpSession | SessionProvider;

/** Retry settings of an operation run on a provider. */
export interface RetrySettings {
  attempts: number;
  backoffMs: number;
}

/** True when `source` is a {@link SessionProvider} (it lends sessions) rather than one session. */
export function isSessionProvider(source: SessionSource): source is SessionProvider {
  return typeof (source as Partial<SessionProvider>).acquire === "function" && typeof (source as Partial<SessionProvider>).release === "function";
}

/**
 * Runs `work` on `source`: directly on a session (no retry: a session cannot reconnect), or
 * through `withRetry` on a provider, which discards a broken session and runs `work` again on a
 * fresh one with the attempt number.
 */
export function runWithSession<T>(
  source: SessionSource,
  retry: RetrySettings,
  logger: Logger,
  operation: string,
  work: (session: SftpSession, attempt: number) => Promise<T>,
): Promise<T> {
  if (isSessionProvider(source)) return withRetry(source, work, { ...retry, logger, operation });
  return work(source, 0);
}
