// The factory of a Redis coordination: a lease lock, a fenced checkpoint store and a shared work queue on the user's ioredis client, sharing one fencing token.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { SftpConnectorError, checkOptions, describeValue } from "@sftp-connector/core";
import type { Coordination } from "@sftp-connector/poller";
import type { Cluster, Redis } from "ioredis";
import { checkRedisPersistence, type RedisServerCheck } from "./checkRedisPersistence.js";
import { createRedisLock, type RedisLock } from "./createRedisLock.js";
import { createRedisQueue, type RedisQueue } from "./createRedisQueue.js";
import { createRedisStore, type RedisStore } from "./createRedisStore.js";
import type { RedisContext } from "./RedisContext.js";
import { redisKeysFor, type RedisCoordinationKeys } from "./redisKeysFor.js";
import { RedisScriptRunner, type RedisCallable } from "./RedisScriptRunner.js";

/** Options of {@link createRedisCoordination}. */
export interface RedisCoordinationOptions {
  /** Your ioredis client (`new Redis(…)` or `new Redis.Cluster(…)`); the coordination never closes it. */
  client: Redis | Cluster;
  /** The namespace of every key: two groups of listeners on one Redis never meet when their `key` differs. @default "sftp-connector" */
  key?: string;
  /** The lease length in ms, by Redis's clock (PX); a holder that stops renewing loses the lease this long after its last acquire. From 1000 to 2147483647. @default 30000 */
  ttlMs?: number;
  /** This holder's identity. Give each process its own. @default `${os.hostname()}:${process.pid}:${8 random hex digits}` */
  owner?: string;
  /** The deadline of every Redis call in ms, below a third of `ttlMs`; a call past it rejects with `TIMEOUT` and its outcome is unknown. @default Math.floor(ttlMs / 4) */
  operationTimeoutMs?: number;
  /** Accept a server that may lose state (appendonly off, or an evicting maxmemory-policy). @default false: such a server is refused with INVALID_CONFIG */
  allowVolatile?: boolean;
}

/** A lock, a store and a queue on one Redis, sharing the fencing token: what {@link createRedisCoordination} returns. */
export interface RedisCoordination extends Coordination {
  /** The lease lock: `acquire(key)` resolves `{ fencingToken, ttlMs, expiresAt }` while this owner holds the lease, `false` otherwise. */
  readonly lock: RedisLock;
  /** The checkpoint store: `save` needs the lock's live token (`LOCK_LOST` otherwise); `resetState(key)` starts over on purpose. */
  readonly store: RedisStore;
  /** The shared work queue (`mode: "shared"`): enqueue fenced by the lock's token; claim, extend, ack and release by any worker. */
  readonly queue: RedisQueue;
  /** This holder's identity. */
  readonly owner: string;
  /**
   * Checks the server now: reads `INFO persistence` and `INFO memory` and rejects with `INVALID_CONFIG`
   * (naming `allowVolatile`) when it may lose state, unless `allowVolatile`. The lock, store and queue
   * run the same check before their first call anyway; call it at start-up to fail early.
   */
  check(): Promise<RedisServerCheck>;
  /** The Redis keys of a poller key (to inspect, back up or restore them). */
  keysFor(key: string): RedisCoordinationKeys;
}

/** The defaults of {@link RedisCoordinationOptions}. */
export const REDIS_COORDINATION_DEFAULTS = {
  key: "sftp-connector",
  ttlMs: 30_000,
  minTtlMs: 1_000,
} as const;

const KNOWN_OPTIONS = ["client", "key", "ttlMs", "owner", "operationTimeoutMs", "allowVolatile"] as const;

/**
 * Creates a coordination on Redis for LISTEN on several machines: a lease lock whose fencing token
 * rises on every change of holder, a checkpoint store that saves only under the live lease, and a
 * work queue (a stream with a consumer group) for `mode: "shared"`. Every key of one poller key
 * shares one hash tag, so it works on Redis Cluster. Synchronous: nothing is sent until the first call,
 * which first checks that the server is persistent (see {@link RedisCoordination.check}).
 *
 * @example
 * ```ts
 * const coordination = createRedisCoordination({ client: new Redis(process.env.REDIS_URL!) });
 * await coordination.check(); // INVALID_CONFIG when appendonly is off
 * const lease = await coordination.lock.acquire("inbox");
 * if (lease) await coordination.store.save("inbox", { entries: [] }, { fencingToken: lease.fencingToken });
 * ```
 * @throws SftpConnectorError INVALID_CONFIG for an unknown or invalid option.
 */
export function createRedisCoordination(options: RedisCoordinationOptions): RedisCoordination {
  const operation = "createRedisCoordination";
  const problems: string[] = [];
  const o = checkOptions(options, { known: KNOWN_OPTIONS, operation, reason: "INVALID_CONFIG" }, problems);
  const client = o.client as unknown;
  if (typeof client !== "object" || client === null || typeof (client as Partial<RedisCallable>).call !== "function") {
    problems.push(`client: expected an ioredis client (Redis or Cluster), got ${describeValue(client)}`);
  }
  const namespace = o.key ?? REDIS_COORDINATION_DEFAULTS.key;
  if (typeof namespace !== "string" || namespace === "") problems.push(`key: expected a non-empty string, got ${describeValue(namespace)}`);
  const ttlMs = o.ttlMs ?? REDIS_COORDINATION_DEFAULTS.ttlMs;
  const ttlOk = typeof ttlMs === "number" && Number.isInteger(ttlMs) && ttlMs >= REDIS_COORDINATION_DEFAULTS.minTtlMs && ttlMs <= 2_147_483_647;
  if (!ttlOk) {
    problems.push(`ttlMs: expected an integer from ${REDIS_COORDINATION_DEFAULTS.minTtlMs} to 2147483647 (ms), got ${describeValue(ttlMs)}`);
  }
  const owner = o.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  if (typeof owner !== "string" || owner === "") problems.push(`owner: expected a non-empty string, got ${describeValue(owner)}`);
  const operationTimeoutMs = o.operationTimeoutMs ?? (ttlOk ? Math.floor(ttlMs / 4) : 1);
  if (typeof operationTimeoutMs !== "number" || !Number.isInteger(operationTimeoutMs) || operationTimeoutMs < 1 || (ttlOk && operationTimeoutMs * 3 >= ttlMs)) {
    problems.push(`operationTimeoutMs: expected an integer of 1 or more below a third of ttlMs (${ttlMs} ms), got ${describeValue(operationTimeoutMs)}`);
  }
  const allowVolatile = o.allowVolatile ?? false;
  if (typeof allowVolatile !== "boolean") problems.push(`allowVolatile: expected true or false, got ${describeValue(allowVolatile)}`);
  if (problems.length > 0) {
    const message = problems.length === 1 ? problems[0]! : `Invalid options of ${operation}:\n${problems.map((p) => `  - ${p}`).join("\n")}`;
    throw new SftpConnectorError("INVALID_CONFIG", message, { operation, problems });
  }

  const runner = new RedisScriptRunner(client as RedisCallable, operationTimeoutMs);
  let checked: Promise<unknown> | undefined;
  const context: RedisContext = {
    runner,
    owner,
    ttlMs,
    keys: (key) => redisKeysFor(namespace, key),
    ready(op) {
      if (allowVolatile) return Promise.resolve();
      // Checked once; a failed check (refused, or Redis unreachable) runs again on the next call.
      checked ??= checkRedisPersistence(runner, false, op).catch((error: unknown) => {
        checked = undefined;
        throw error;
      });
      return checked.then(() => undefined);
    },
  };
  return {
    lock: createRedisLock(context),
    store: createRedisStore(context),
    queue: createRedisQueue(context),
    owner,
    check: () => checkRedisPersistence(runner, allowVolatile, "poll.check"),
    keysFor: (key) => redisKeysFor(namespace, key),
  };
}
