// Boomi's Test Connection: opens a session, reports what the server said and how fast it answers, closes it.
import type { ConnectionConfig, NormalizedConnectionConfig } from "@sftp-connector/core";
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
 * same classified errors as `openSession`.
 *
 * @example
 * ```ts
 * const report = await testConnection(config);
 * console.log(report.banner, report.hostKey.fingerprint, report.algorithms.cipher, report.roundTripMs);
 * ```
 */
export async function testConnection(
  config: ConnectionConfig | NormalizedConnectionConfig,
  options: OpenSessionOptions = {},
): Promise<ConnectionReport> {
  const started = performance.now();
  const session = await openSession(config, options);
  try {
    const connectMs = performance.now() - started;
    const before = performance.now();
    await session.stat(session.info.homeDirectory);
    const roundTripMs = performance.now() - before;
    return { ...session.info, connectMs: Math.round(connectMs), roundTripMs: Math.round(roundTripMs * 100) / 100 };
  } finally {
    await session.close();
  }
}
