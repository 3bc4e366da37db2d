// The shared work queue contract: the lease holder appends each change; every worker claims, handles and acknowledges them.
import type { PollEvent } from "./PollEvent.js";

/** What a fenced call carries: the fencing token the lock gave with the lease (a decimal string). */
export interface FenceContext {
  /** The token of the lease the caller holds; a store or queue refuses a stale one with `LOCK_LOST`. */
  readonly fencingToken?: string;
}

/** A change as a queue keeps it: the event the lease holder saw, in JSON-safe form. */
export interface QueuedChange {
  /** The queue's id of the change (a PostgreSQL bigserial or a Redis stream id, as a string); ids rise in enqueue order. */
  readonly id: string;
  /** The change: `type`, `entry` (and `previous` for modified/removed); `attempt` and `cycle` as the leader had them. */
  readonly event: PollEvent;
  /** The fencing token of the lease holder that enqueued it. */
  readonly fencingToken?: string;
  /** How many times it has been claimed: 1 the first time, 2 after one claim lapsed or failed, and so on. */
  readonly deliveries: number;
}

/** A change claimed by one worker: hidden from the others until it is acknowledged or its visibility deadline passes. */
export interface ClaimedChange extends QueuedChange {
  /** The receipt of this claim (the queue's own value): `extend`, `ack` and `release` must present it. */
  readonly receipt: string;
}

/**
 * A durable queue of changes shared by the workers of one listener group (`mode: "shared"`): the
 * lease holder polls and enqueues; every worker, holder or not, claims a change, handles it and
 * acknowledges it. A change not acknowledged before its visibility deadline is claimed again by
 * another worker (at-least-once). Two changes of the same file are never claimed at the same time:
 * a change is only claimable once every older change of the same `entry.name` is acknowledged, so
 * the order per file is kept. Implemented by `@sftp-connector/coordination-postgres` and
 * `@sftp-connector/coordination-redis` in the same engine (and under the same lease) as their lock
 * and store.
 */
export interface WorkQueue {
  /**
   * Appends `events` for `key` in order, in the same atomic step that checks the lease of
   * `context.fencingToken` is live (rejects with reason `LOCK_LOST` when it is not, adding nothing).
   * Idempotent per change (`type`, `entry.name`, `entry.size`, `entry.mtime`): a change already
   * waiting or claimed is not added twice, so a new leader that re-sees a change enqueues nothing.
   */
  enqueue(key: string, events: readonly PollEvent[], context?: FenceContext): Promise<void>;
  /**
   * Claims the oldest claimable change of `key` for `consumer`, hidden from others for
   * `visibilityMs` (the engine's clock decides), or resolves `undefined` when none is claimable.
   */
  claim(key: string, consumer: string, visibilityMs: number): Promise<ClaimedChange | undefined>;
  /** Pushes a claim's deadline to now + `visibilityMs` while its handler runs; `false` when the claim was lost (it lapsed and another worker took it). */
  extend(key: string, change: ClaimedChange, visibilityMs: number): Promise<boolean>;
  /** Acknowledges a handled change (it leaves the queue); `false` when the claim had lapsed and another worker took it. */
  ack(key: string, change: ClaimedChange): Promise<boolean>;
  /** Gives a claim back after a failed handler: claimable again after `delayMs` (a retry backoff). `false` when the claim was lost. */
  release(key: string, change: ClaimedChange, delayMs: number): Promise<boolean>;
  /** How many changes of `key` are in the queue, waiting or claimed (for monitoring and tests). */
  size(key: string): Promise<number>;
}

/** A lock, a store and (for `mode: "shared"`) a queue from ONE engine, sharing the fencing token: what a coordination factory returns. */
export interface Coordination {
  /** The lease lock: `acquire` resolves a `Lease` with `fencingToken` and `ttlMs`. */
  readonly lock: import("./PollerLock.js").PollerLock;
  /** The checkpoint store, fenced by the lock's token. */
  readonly store: import("./SnapshotStore.js").SnapshotStore;
  /** The shared work queue, fenced by the same token. */
  readonly queue: WorkQueue;
  /** This holder's identity in the engine (hostname, pid and a random part unless given). */
  readonly owner: string;
}
