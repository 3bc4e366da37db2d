// Coordination in memory: the lease, fenced store and shared queue contract in one process, for tests and as the reference semantics.
import { randomUUID } from "node:crypto";
import { SftpConnectorError } from "@sftp-connector/core";
import { createMemoryQueue } from "./createMemoryQueue.js";
import type { Lease, PollerLock } from "./PollerLock.js";
import type { Snapshot, SnapshotStore, SnapshotStoreContext } from "./SnapshotStore.js";
import type { Coordination } from "./WorkQueue.js";

/** The shared state several in-memory coordinations meet in (what an engine is to the real ones). */
export interface MemoryEngine {
  /** The engine's clock, in ms. */
  readonly now: () => number;
  /** The live lease of `key`, if any: its owner and fencing token. */
  lease(key: string): { owner: string; token: string } | undefined;
}

/** Options of {@link createMemoryCoordination}. */
export interface MemoryCoordinationOptions {
  /** The engine shared by every member of the group. @default a new engine (a group of one) */
  engine?: MemoryEngine;
  /** This member's identity. @default a random id */
  owner?: string;
  /** How long a lease lasts unless renewed, in ms. @default 30_000 */
  ttlMs?: number;
}

interface EngineState {
  now: () => number;
  leases: Map<string, { owner: string; token: number; expiresAt: number }>;
  tokens: Map<string, number>;
  checkpoints: Map<string, { snapshot: Snapshot; token: string }>;
  markers: Set<string>;
  queue: ReturnType<typeof createMemoryQueue>;
}

const states = new WeakMap<MemoryEngine, EngineState>();

/** Creates the shared state for {@link createMemoryCoordination}; `now` is the engine's clock (the only one that decides lease expiry). */
export function createMemoryEngine(now: () => number = Date.now): MemoryEngine {
  const leases = new Map<string, { owner: string; token: number; expiresAt: number }>();
  const live = (key: string) => {
    const lease = leases.get(key);
    return lease !== undefined && lease.expiresAt > now() ? lease : undefined;
  };
  const engine: MemoryEngine = {
    now,
    lease: (key) => {
      const lease = live(key);
      return lease === undefined ? undefined : { owner: lease.owner, token: String(lease.token) };
    },
  };
  states.set(engine, {
    now,
    leases,
    tokens: new Map(),
    checkpoints: new Map(),
    markers: new Set(),
    queue: createMemoryQueue({ now, liveToken: (key) => engine.lease(key)?.token }),
  });
  return engine;
}

const lockLost = (key: string, token: string | undefined, operation: string) =>
  new SftpConnectorError("LOCK_LOST", `the lease of ${JSON.stringify(key)} is no longer held under fencing token ${token ?? "(none)"}`, {
    operation,
    retryable: false,
  });

/**
 * A {@link Coordination} in memory: a lease lock whose fencing token rises on every change of holder,
 * a store that saves only under the live lease (with an init marker, so a lost checkpoint is an error,
 * not a new baseline) and the shared queue. Members of one group share an `engine`. It follows the
 * same contract as `@sftp-connector/coordination-postgres` and `-redis`, inside one process: for tests
 * of handlers and of LISTEN's failover and shared modes, and as the reference for writing your own.
 *
 * @example
 * ```ts
 * const engine = createMemoryEngine();
 * const a = createMemoryCoordination({ engine, owner: "a" });
 * const b = createMemoryCoordination({ engine, owner: "b" });
 * ```
 */
export function createMemoryCoordination(options: MemoryCoordinationOptions = {}): Coordination {
  const engine = options.engine ?? createMemoryEngine();
  const state = states.get(engine);
  if (state === undefined) throw new SftpConnectorError("INVALID_CONFIG", "engine: expected the result of createMemoryEngine()", { operation: "poll.lock" });
  const owner = options.owner ?? randomUUID();
  const ttlMs = options.ttlMs ?? 30_000;
  const lock: PollerLock = {
    async acquire(key): Promise<boolean | Lease> {
      const now = state.now();
      const current = state.leases.get(key);
      if (current !== undefined && current.owner !== owner && current.expiresAt > now) return false;
      let token = current?.token ?? 0;
      if (current?.owner !== owner) {
        token = (state.tokens.get(key) ?? 0) + 1;
        state.tokens.set(key, token);
      }
      state.leases.set(key, { owner, token, expiresAt: now + ttlMs });
      return { fencingToken: String(token), ttlMs, expiresAt: now + ttlMs };
    },
    async release(key) {
      if (state.leases.get(key)?.owner === owner) state.leases.delete(key);
    },
  };
  const store: SnapshotStore = {
    async load(key) {
      const saved = state.checkpoints.get(key);
      if (saved !== undefined) return structuredClone(saved.snapshot);
      if (state.markers.has(key)) {
        throw new SftpConnectorError(
          "FAILURE",
          `the checkpoint of ${JSON.stringify(key)} is gone although one was saved: restore it, or reset the state on purpose`,
          {
            operation: "poll.store",
          },
        );
      }
      return undefined;
    },
    async save(key, snapshot, context?: SnapshotStoreContext) {
      const lease = engine.lease(key);
      if (lease === undefined || lease.owner !== owner || lease.token !== context?.fencingToken) throw lockLost(key, context?.fencingToken, "poll.store");
      state.checkpoints.set(key, { snapshot: structuredClone(snapshot), token: lease.token });
      state.markers.add(key);
    },
  };
  return { lock, store, queue: state.queue, owner };
}
