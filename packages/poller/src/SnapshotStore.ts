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

/**
 * Keeps snapshots by key. Implement it to checkpoint into a database or a shared store; a poller
 * calls `load` when it starts (and when it takes over a lock) and `save` as events are delivered.
 *
 * `load` resolves `undefined` only when nothing was ever saved for the key (a first run); a store
 * it cannot read or does not understand must reject, since treating it as empty would deliver
 * every file again.
 */
export interface SnapshotStore {
  /** The snapshot last saved for `key`, or undefined when none was ever saved. Rejects when the store is unreadable or corrupt. */
  load(key: string): Promise<Snapshot | undefined>;
  /** Replaces the snapshot for `key`. It must be atomic: after a crash, `load` finds either the old or the new snapshot. */
  save(key: string, snapshot: Snapshot): Promise<void>;
}
