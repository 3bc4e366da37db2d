// Boomi's Test Connection: opens a session, reports what the server said and how fast it answers, closes it.
import { abortedError, checkSignalOption, throwIfAborted, type ConnectionConfig, type NormalizedConnectionConfig } from "@sftp-connector/core";
import { openSession, type OpenSessionOptions } from "./openSession.js";
import type { SessionInfo } from "./SftpSession.js";

/** What {@link testConnection} reports. */
export interface ConnectionReport extends SessionInfo {
  /** Milliseconds from start to an open SFTP session. */
  connectMs: number;
  /** Milliseconds of one SFTP round trip (a `stat` of the home directory). */
  roundTripMs: number;
}

/**
 * Connects, verifies, logs in, opens SFTP, times one round trip, and closes. Rejects with the
 * same classified errors as `openSession`; with `options.signal` aborted (before or during),
 * with `ABORTED` and no connection left open.
 *
 * @example
 * ```ts
 * const report = await testConnection(config);
 * console.log(report.banner, report.hostKey.fingerprint, report.algorithms.cipher, report.roundTripMs);
 * ```
 */
export async function testConnection(config: ConnectionConfig | NormalizedConnectionConfig, options: OpenSessionOptions = {}): Promise<ConnectionReport> {
  const signal = checkSignalOption(options.signal, "test");
  throwIfAborted(signal, "test");
  const started = performance.now();
  let session: Awaited<ReturnType<typeof openSession>>;
  try {
    session = await openSession(config, options);
  } catch (error) {
    if (signal?.aborted) throw abortedError("test", undefined, signal);
    throw error;
  }
  try {
    throwIfAborted(signal, "test");
    const connectMs = performance.now() - started;
    const before = performance.now();
    await session.stat(session.info.homeDirectory);
    const roundTripMs = performance.now() - before;
    return { ...session.info, connectMs: Math.round(connectMs), roundTripMs: Math.round(roundTripMs * 100) / 100 };
  } finally {
    await session.close();
  }
}
