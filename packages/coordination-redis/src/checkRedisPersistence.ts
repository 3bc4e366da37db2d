// Finds whether a Redis server keeps what it is told (AOF on, no eviction) from INFO, and refuses a volatile one unless allowed.
import { SftpConnectorError } from "@sftp-connector/core";
import type { RedisScriptRunner } from "./RedisScriptRunner.js";

/** What {@link RedisCoordination.check} found on the server. */
export interface RedisServerCheck {
  /** `INFO persistence` → `aof_enabled:1`: every write is appended to the AOF, so a restart keeps leases' tokens, checkpoints and the queue. */
  readonly aofEnabled: boolean;
  /** `INFO memory` → `maxmemory_policy` (e.g. `noeviction`); undefined when the server does not say. */
  readonly maxmemoryPolicy: string | undefined;
  /** Why the server may lose coordination state (no AOF; a policy that evicts keys), one line each; empty when none. */
  readonly problems: readonly string[];
}

/** Reads `field:value` from an INFO reply. */
function infoField(info: string, field: string): string | undefined {
  const match = new RegExp(`^${field}:(.*)$`, "m").exec(info);
  return match?.[1]?.trim();
}

/**
 * Reads `INFO persistence` and `INFO memory` and tells what would lose state: AOF off (a restart or
 * crash loses every checkpoint and token since the last RDB snapshot, if any), or a `maxmemory-policy`
 * that evicts keys (`allkeys-*`, `volatile-*`: a checkpoint or a lease could vanish under memory pressure).
 * With `allowVolatile` false, rejects with `INVALID_CONFIG` naming `allowVolatile` when there is a problem.
 */
export async function checkRedisPersistence(runner: RedisScriptRunner, allowVolatile: boolean, operation: string): Promise<RedisServerCheck> {
  const persistence = String(await runner.command(operation, "INFO persistence", "info", "persistence"));
  const memory = String(await runner.command(operation, "INFO memory", "info", "memory"));
  const aof = infoField(persistence, "aof_enabled");
  const maxmemoryPolicy = infoField(memory, "maxmemory_policy");
  const problems: string[] = [];
  if (aof !== "1")
    problems.push(`appendonly is off (INFO persistence: aof_enabled:${aof ?? "missing"}): a restart loses checkpoints, fencing tokens and queued changes`);
  if (maxmemoryPolicy !== undefined && /^(allkeys|volatile)-/.test(maxmemoryPolicy)) {
    problems.push(`maxmemory-policy is ${maxmemoryPolicy}: Redis may evict a checkpoint or a lease under memory pressure (use noeviction)`);
  }
  const result: RedisServerCheck = { aofEnabled: aof === "1", maxmemoryPolicy, problems };
  if (problems.length > 0 && !allowVolatile) {
    throw new SftpConnectorError(
      "INVALID_CONFIG",
      `This Redis server may lose coordination state: ${problems.join("; ")}. Turn on appendonly (and a noeviction policy), or pass allowVolatile: true to accept the risk`,
      { operation, problems: problems.map((problem) => `allowVolatile: ${problem}`), retryable: false },
    );
  }
  return result;
}
