// The checkpoint store contract: where a poller keeps the snapshot of what it delivered, so a restart resumes instead of starting over.
import type { PolledEntry } from "./PollEvent.js";

/** One entry of a snapshot: the state of a name as last delivered (or as found by the baseline). */
export type SnapshotEntry = PolledEntry;

/** What a poller has delivered for one key: every entry it knows, as last delivered. */
export interface Snapshot {
  /** The entries, each name once. */
  readonly entries: readonly SnapshotEntry[];
  /** When it was saved, in epoch milliseconds (informational). */
  readonly savedAt?: number;
}

/** What the poller passes to `load` and `save` when its lock gave a lease with a fencing token. */
export interface SnapshotStoreContext {
  /** The fencing token of the lease the poller holds (a decimal string, see `Lease.fencingToken`). */
  readonly fencingToken?: string;
}

/**
 * Keeps snapshots by key. Implement it to checkpoint into a database or a shared store; a poller
 * calls `load` when it starts (and when it takes over a lock) and `save` as events are delivered.
 *
 * `load` resolves `undefined` only when nothing was ever saved for the key (a first run); a store
 * it cannot read or does not understand must reject, since treating it as empty would deliver
 * every file again. A shared store must tell "never started" (undefined) from "state lost" (reject).
 *
 * Fencing (a store shared by a cluster, next to a lock that gives a `fencingToken`): `save` stores the
 * snapshot only in the same atomic step that checks the live lease (the token it got is the current
 * holder's), and keeps the token beside the snapshot. A save with a stale token must reject with an
 * `SftpConnectorError` of reason `LOCK_LOST`: the poller then stops delivering at once, forgets its
 * snapshot and stands by (it reloads from the store when it next holds the lock); it does not retry that
 * save. Any other rejection is a store error, reported and retried after the next cycle. A store that
 * gets no context (no lock, or a lock without tokens) saves as usual.
 */
export interface SnapshotStore {
  /** The snapshot last saved for `key`, or undefined when none was ever saved. Rejects when the store is unreadable or corrupt. */
  load(key: string, context?: SnapshotStoreContext): Promise<Snapshot | undefined>;
  /**
   * Replaces the snapshot for `key`. It must be atomic: after a crash, `load` finds either the old or the new snapshot.
   * With `context.fencingToken`, rejects with reason `LOCK_LOST` unless that token is the live lease's.
   */
  save(key: string, snapshot: Snapshot, context?: SnapshotStoreContext): Promise<void>;
}
