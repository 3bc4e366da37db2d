// A checkpoint store in memory: snapshots survive stop() and start() of a poller, not a restart of the process.
import type { Snapshot, SnapshotStore } from "./SnapshotStore.js";

/** A {@link SnapshotStore} in memory, with a look at what it holds (for tests). */
export interface MemoryStore extends SnapshotStore {
  /** The keys that have a snapshot. */
  keys(): string[];
}

/**
 * Creates a {@link SnapshotStore} that keeps snapshots in memory (copies, so neither side can change the
 * other's). A poller uses one by default; give `createFileStore(path)` to resume after a restart.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const poller = createDirectoryPoller({ list, store });
 * ```
 */
export function createMemoryStore(): MemoryStore {
  const snapshots = new Map<string, Snapshot>();
  const copy = (snapshot: Snapshot): Snapshot => ({
    entries: snapshot.entries.map(({ name, size, mtime, isDirectory }) => ({ name, size, mtime, isDirectory })),
    ...(snapshot.savedAt === undefined ? {} : { savedAt: snapshot.savedAt }),
  });
  return {
    async load(key) {
      const snapshot = snapshots.get(key);
      return snapshot === undefined ? undefined : copy(snapshot);
    },
    async save(key, snapshot) {
      snapshots.set(key, copy(snapshot));
    },
    keys: () => [...snapshots.keys()],
  };
}
