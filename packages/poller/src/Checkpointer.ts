// Saves a poller's snapshot to its store: tracks whether it changed, runs saves one at a time, and turns store failures into errors.
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { asPollerError } from "./asPollerError.js";
import type { PolledEntry } from "./PollEvent.js";
import type { Snapshot, SnapshotStore, SnapshotStoreContext } from "./SnapshotStore.js";

/** Mid-cycle checkpoints are saved at most this often (and always at the end of a cycle). */
export const CHECKPOINT_EVERY_MS = 1000;

/** What a {@link Checkpointer} works with. */
export interface CheckpointerOptions {
  readonly store: SnapshotStore;
  readonly key: string;
  /** The entries to save, read when a save starts. */
  readonly entries: () => PolledEntry[];
  /**
   * What goes to the store with a save, read when the save starts: the lease's fencing token (or undefined
   * without one); null when the poller may not save now (its lease ran out), which skips the save.
   * @default always undefined (no lock)
   */
  readonly context?: () => SnapshotStoreContext | undefined | null;
  /** Where a failed save is reported (it is retried by the next flush). */
  readonly onError: (error: SftpConnectorError) => void;
  /** Where a save the store refused with `LOCK_LOST` goes (a stale fencing token): it is not retried. @default onError */
  readonly onLockLost?: (error: SftpConnectorError) => void;
}

/**
 * The checkpoints of one poller: `changed()` after each delivered event (it saves if the last save is a
 * second old), `flush()` at the end of a cycle and on stop. Saves run one at a time, in order; a failed save
 * is reported and leaves the snapshot dirty, so the next flush tries again, except one refused with
 * `LOCK_LOST`, which goes to `onLockLost` and is not retried.
 */
export class Checkpointer {
  private dirty = false;
  private flushQueued = false;
  private lastSaveAt = 0;
  private saveChain: Promise<void> = Promise.resolve();

  constructor(private readonly o: CheckpointerOptions) {}

  /** Loads the snapshot last saved, or undefined for a first run. @throws SftpConnectorError when the store rejects. */
  async load(context?: SnapshotStoreContext): Promise<Snapshot | undefined> {
    try {
      return await (context === undefined ? this.o.store.load(this.o.key) : this.o.store.load(this.o.key, context));
    } catch (error) {
      throw asPollerError(error, "poll.store", `Cannot load the snapshot "${this.o.key}" from the store`);
    }
  }

  /** Whether a change waits to be saved. */
  get isDirty(): boolean {
    return this.dirty;
  }

  /** The snapshot changed (and must be saved by the next flush). */
  markDirty(): void {
    this.dirty = true;
  }

  /** Forgets unsaved changes (the snapshot was replaced from the store or dropped). */
  markClean(): void {
    this.dirty = false;
  }

  /** The snapshot a cycle starts from counts as saved now: the next mid-cycle checkpoint comes a second after. */
  restartClock(now: number): void {
    this.lastSaveAt = now;
  }

  /** An event was delivered: marks the snapshot dirty and saves it if the last save is at least a second old. */
  changed(now: number): void {
    this.dirty = true;
    if (!this.flushQueued && now - this.lastSaveAt >= CHECKPOINT_EVERY_MS) void this.flush();
  }

  /** Saves the snapshot if it changed; saves run one at a time. Never rejects: a failed save is an error and is retried. */
  flush(): Promise<void> {
    this.flushQueued = true;
    this.saveChain = this.saveChain.then(() => this.save());
    return this.saveChain;
  }

  private async save(): Promise<void> {
    this.flushQueued = false;
    if (!this.dirty) return;
    const context = this.o.context?.();
    if (context === null) return; // may not save now; whoever ends the lease forgets the snapshot
    this.dirty = false;
    this.lastSaveAt = Date.now();
    const snapshot: Snapshot = { entries: this.o.entries(), savedAt: this.lastSaveAt };
    try {
      await (context === undefined ? this.o.store.save(this.o.key, snapshot) : this.o.store.save(this.o.key, snapshot, context));
    } catch (error) {
      if (isSftpConnectorError(error) && error.reason === "LOCK_LOST" && this.o.onLockLost !== undefined) {
        this.o.onLockLost(error); // a newer holder owns the checkpoint: saving again cannot succeed
        return;
      }
      this.dirty = true;
      this.o.onError(asPollerError(error, "poll.store", "Cannot save the snapshot (it is retried after the next cycle)"));
    }
  }
}
