// Polls a directory through a list() function: snapshots, added/modified/removed events in rdp4j's order, stable files, checkpoints and a singleton lock.
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";
import { asPollerError } from "./asPollerError.js";
import { backoffDelay } from "./backoffDelay.js";
import { Checkpointer } from "./Checkpointer.js";
import { DeliveryCancelled, EventChannel } from "./EventChannel.js";
import { normalizePollerOptions, type DirectoryPollerOptions, type NormalizedPollerOptions } from "./normalizePollerOptions.js";
import type { AddedEvent, CycleStats, ModifiedEvent, PollEvent, PolledEntry, RemovedEvent } from "./PollEvent.js";
import type { Lease } from "./PollerLock.js";
import type { SnapshotStoreContext } from "./SnapshotStore.js";
import { SnapshotDiff } from "./SnapshotDiff.js";

/** Where a poller is in its life. `running` includes standing by for a lock held elsewhere. */
export type PollerState = "idle" | "starting" | "running" | "stopping" | "stopped";

/** A change of lock ownership, given to `lock` listeners. */
export interface LockChange {
  /** Whether this poller now holds the lock (and polls). */
  readonly held: boolean;
  /** The lease's fencing token, when the lock gives one and `held` is true. */
  readonly fencingToken?: string;
}

/** The listeners `poller.on(type, listener)` takes, by type. */
export interface PollerListeners {
  /** A new entry. Awaited: the change counts as delivered once every listener (and the handler) completed. */
  added: (event: AddedEvent) => void | Promise<void>;
  /** A changed entry. Awaited, like `added`. */
  modified: (event: ModifiedEvent) => void | Promise<void>;
  /** A vanished entry. Awaited, like `added`. */
  removed: (event: RemovedEvent) => void | Promise<void>;
  /** A failure: a listing (`operation: "poll.list"`), a delivery (`"poll.deliver"`, `path` = the entry), the store (`"poll.store"`) or the lock (`"poll.lock"`). The poller keeps going. */
  error: (error: SftpConnectorError) => void;
  /** A completed cycle, with its statistics. */
  cycle: (stats: CycleStats) => void;
  /** This poller took or lost the lock (lost also when its lease ran out locally or the store refused a save with `LOCK_LOST`). */
  lock: (change: LockChange) => void;
}

/** A running (or runnable) directory poller. Iterate it with `for await`, or give it a handler, or listen with `on`. */
export interface DirectoryPoller extends AsyncIterable<PollEvent> {
  /**
   * Loads the snapshot from the store (and tries the lock), then runs the first cycle at once and the
   * next ones `intervalMs` after each other. Resolves when polling has begun; rejects, at start, when the
   * store is unreadable or corrupt or the lock cannot be tried.
   */
  start(): Promise<void>;
  /**
   * Stops polling: events of the current cycle not yet started are left for the next run, deliveries in
   * progress (handlers, listeners) are awaited, the snapshot is saved and the lock released. Do not
   * await it inside a handler (that would wait for itself); call `void poller.stop()` there.
   */
  stop(): Promise<void>;
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof PollerListeners>(type: K, listener: PollerListeners[K]): () => void;
  /** Removes a listener. */
  off<K extends keyof PollerListeners>(type: K, listener: PollerListeners[K]): void;
  /** Where the poller is in its life. */
  readonly state: PollerState;
  /** Whether it polls now: it runs and, with a lock, holds it. */
  readonly holdsLock: boolean;
  /** The snapshot: every entry as last delivered (or found by the baseline). */
  snapshot(): PolledEntry[];
  /**
   * Iterates the events (starting the poller if needed). An event counts as delivered when the loop asks
   * for the next one, so the next cycle waits for the loop. Leaving the loop stops the poller; the event in
   * hand then (and any a `stop()` cuts short) is delivered again after the next start: at least once.
   * One loop at a time.
   */
  [Symbol.asyncIterator](): AsyncIterator<PollEvent>;
}

type Counts = { added: number; modified: number; removed: number; failed: number; skipped: number };

/**
 * Creates a directory poller over `list()` (it knows nothing of SFTP: `list` can read any directory-like
 * source). It does not poll until `start()` (or a `for await` loop) starts it.
 *
 * Semantics (rdp4j's, with its known failures fixed):
 * - The first cycle runs at once; cycles never overlap (the next is scheduled `intervalMs` after one ends).
 * - The first cycle of a first run is a baseline: the listing becomes the snapshot and nothing is delivered
 *   (unless `emitInitial`). With a store that has a snapshot, the first cycle compares against it instead, so
 *   changes made while the poller was down are delivered and nothing already delivered is delivered again.
 * - Each cycle delivers every `removed`, then every `added`, then every `modified` event. Modified means size
 *   or mtime changed (`compare` overrides). Directories are ignored unless `includeDirectories`.
 * - With `stableAfter`, a new or changed entry waits until its size and mtime held still that long.
 * - The snapshot advances per event only once it was delivered (handler, listeners and loop completed). A
 *   delivery that fails leaves its entry as it was: it is retried in a later cycle, after `retryBackoffMs`,
 *   while other events proceed. Checkpoints are saved to the store during and at the end of each cycle.
 * - A failing `list()` is an `error` event; the poller retries with exponential backoff and never stops on
 *   its own.
 * - With a `lock`, it polls only while it holds the lock and otherwise stands by, trying again every interval.
 *   A lease with `ttlMs` stops deliveries and saves once `sent + ttlMs × (1 − leaseMargin)` passed without a
 *   newer confirmation; a lease's `fencingToken` goes to the store with every load and save and on every
 *   event. A store that refuses a save with `LOCK_LOST` sends the poller back to standby: it drops its
 *   snapshot and reloads it from the store when it holds the lock again.
 *
 * @throws SftpConnectorError INVALID_CONFIG naming each bad option (`intervalMs`, `list`, `filter`, …).
 *
 * @example
 * ```ts
 * const poller = createDirectoryPoller({
 *   list: () => sftp.readdir("/inbox"), // any function returning { name, size, mtime, isDirectory }[]
 *   intervalMs: 5_000,
 *   filter: 'fileName ~ "*.csv"',
 *   stableAfter: { polls: 2 },
 *   store: createFileStore("/var/lib/etl/inbox.json"),
 *   handler: async (event) => { if (event.type !== "removed") await importFile(event.entry.name); },
 * });
 * await poller.start();
 * ```
 */
export function createDirectoryPoller(options: DirectoryPollerOptions): DirectoryPoller {
  return new Poller(normalizePollerOptions(options));
}

class Poller implements DirectoryPoller {
  private current: PollerState = "idle";
  /** The snapshot and the comparison of each listing against it. */
  private readonly diff: SnapshotDiff;
  /** Saves the snapshot to the store. */
  private readonly checkpoints: Checkpointer;
  private lockHeld = false;
  /** The current lease's fencing token, if the lock gave one. */
  private fencingToken: string | undefined;
  /** `performance.now()` after which the lease may have lapsed (undefined: the lock gave no `ttlMs`). */
  private leaseDeadline: number | undefined;
  /** Bumped whenever the lock is lost: a delivery that started under an older lease does not advance the snapshot. */
  private leaseEpoch = 0;
  /** Renews the lease every third of its `ttlMs` while it is held, so a long listing or delivery does not outlive it. */
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** A renewal in flight (one at a time: a renewal that hangs is cut off by the lease's local deadline). */
  private renewing: Promise<boolean | Lease> | undefined;
  /** Set when start() just took the lock, so the first cycle does not ask again at once. */
  private lockJustTaken = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private listFailures = 0;
  private cycles = 0;
  private channel: EventChannel | undefined;
  private readonly listeners: { [K in keyof PollerListeners]: Set<PollerListeners[K]> } = {
    added: new Set(),
    modified: new Set(),
    removed: new Set(),
    error: new Set(),
    cycle: new Set(),
    lock: new Set(),
  };

  constructor(private readonly o: NormalizedPollerOptions) {
    this.diff = new SnapshotDiff(o);
    this.checkpoints = new Checkpointer({
      store: o.store,
      key: o.key,
      entries: () => this.diff.entries(),
      context: () => this.storeContext(),
      onError: (error) => this.emitError(error),
      // Without a lock there is no lease to lose: a LOCK_LOST from the store is then a store error like any other.
      onLockLost: o.lock === undefined ? undefined : (error) => this.loseLock(`the store refused a save: ${error.message}`),
    });
  }

  get state(): PollerState {
    return this.current;
  }

  get holdsLock(): boolean {
    return this.current === "running" && (this.o.lock === undefined || this.lockHeld);
  }

  snapshot(): PolledEntry[] {
    return this.diff.entries();
  }

  on<K extends keyof PollerListeners>(type: K, listener: PollerListeners[K]): () => void {
    const set = this.listeners[type] as Set<PollerListeners[K]> | undefined;
    if (set === undefined)
      throw new SftpConnectorError("INVALID_INPUT", `on: unknown event "${String(type)}" (known: ${Object.keys(this.listeners).join(", ")})`, {
        operation: "poll.on",
      });
    if (typeof listener !== "function") throw new SftpConnectorError("INVALID_INPUT", `on("${type}"): expected a listener function`, { operation: "poll.on" });
    set.add(listener);
    return () => this.off(type, listener);
  }

  off<K extends keyof PollerListeners>(type: K, listener: PollerListeners[K]): void {
    (this.listeners[type] as Set<PollerListeners[K]> | undefined)?.delete(listener);
  }

  start(): Promise<void> {
    if (this.current === "starting" || this.current === "running") return this.starting ?? Promise.resolve();
    if (this.current === "stopping") return (this.stopping ?? Promise.resolve()).then(() => this.start());
    this.current = "starting";
    this.stopping = undefined;
    this.starting = this.begin();
    return this.starting;
  }

  stop(): Promise<void> {
    if (this.current === "idle" || this.current === "stopped") {
      this.detachChannel();
      return Promise.resolve();
    }
    this.stopping ??= this.end();
    return this.stopping;
  }

  [Symbol.asyncIterator](): AsyncIterator<PollEvent> {
    if (this.channel !== undefined) {
      throw new SftpConnectorError("INVALID_INPUT", "This poller is already being iterated: use one for-await loop at a time", { operation: "poll.iterate" });
    }
    const channel = new EventChannel(async () => {
      if (this.channel === channel) this.channel = undefined;
      await this.stop();
    });
    this.channel = channel;
    if (this.current !== "starting" && this.current !== "running") this.start().catch(() => {}); // a failed start ends the loop with its error
    return channel;
  }

  // ── life cycle ─────────────────────────────────────────────────────────────────────────────

  private async begin(): Promise<void> {
    const { lock, key, logger } = this.o;
    try {
      if (lock !== undefined) {
        let result: boolean | Lease;
        const sent = performance.now();
        try {
          result = await lock.acquire(key);
        } catch (error) {
          throw asPollerError(error, "poll.lock", "Cannot try the lock at start");
        }
        this.lockHeld = isHeld(result);
        this.takeLease(result, sent);
        this.lockJustTaken = this.lockHeld;
      }
      await this.loadSnapshot(); // at start even without the lock: a corrupt store is an error now, not later
    } catch (error) {
      if (this.lockHeld) await this.releaseLock();
      this.current = "stopped";
      const channel = this.channel;
      this.channel = undefined;
      channel?.close(error);
      throw error;
    }
    this.current = "running";
    logger.info("poller started", { key, snapshotEntries: this.diff.hasSnapshot ? this.diff.size : undefined });
    if (this.lockHeld) this.emitLockTaken();
    this.tick();
  }

  private async end(): Promise<void> {
    if (this.current === "starting") await this.starting?.catch(() => {});
    if (this.current !== "running") return; // the start failed
    this.current = "stopping";
    if (this.timer !== undefined) clearTimeout(this.timer);
    // Renewals go on while the handlers in flight finish (their changes are saved under the lease).
    this.timer = undefined;
    this.detachChannel();
    await this.inFlight;
    await this.checkpoints.flush();
    this.diff.forgetListing();
    if (this.lockHeld) {
      await this.releaseLock();
      this.emit("lock", { held: false });
    } else if (this.o.lock !== undefined) {
      // A lease this poller stopped trusting locally (expired by its own clock, LOCK_LOST) may still be
      // its own in the engine: give it up, so another poller need not wait out the TTL. A lock's release
      // does nothing for a holder that is not the owner.
      await this.releaseLock();
    }
    this.current = "stopped";
    this.o.logger.info("poller stopped", { key: this.o.key });
  }

  private detachChannel(): void {
    const channel = this.channel;
    this.channel = undefined;
    channel?.close();
  }

  private async releaseLock(): Promise<void> {
    this.lockHeld = false;
    this.takeLease(false, 0);
    // A renewal still on its way would take the lease back after the release: let it land first (bounded by the lock's own timeout).
    await this.renewing?.catch(() => undefined);
    try {
      await this.o.lock?.release(this.o.key);
    } catch (error) {
      this.emitError(asPollerError(error, "poll.lock", "Cannot release the lock"));
    }
  }

  private async loadSnapshot(): Promise<void> {
    this.diff.load(await this.checkpoints.load(this.tokenContext()), this.o.key);
    this.checkpoints.markClean();
  }

  private forgetState(): void {
    this.diff.forget();
    this.checkpoints.markClean();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.current !== "running") return;
    this.inFlight = this.safeCycle().then((delay) => {
      this.inFlight = undefined;
      if (this.current === "running") this.timer = setTimeout(() => this.tick(), delay);
    });
  }

  private async safeCycle(): Promise<number> {
    try {
      return await this.cycle();
    } catch (error) {
      // Not expected (every step handles its own failures), but the poller must not stop silently.
      this.emitError(asPollerError(error, "poll.cycle", "A poll cycle failed unexpectedly"));
      return this.o.intervalMs;
    }
  }

  // ── one cycle ──────────────────────────────────────────────────────────────────────────────

  private async cycle(): Promise<number> {
    const { o } = this;
    if (this.lockJustTaken) this.lockJustTaken = false;
    else if (o.lock !== undefined && !(await this.confirmLock())) return o.intervalMs;
    if (this.current !== "running") return o.intervalMs;

    const cycle = ++this.cycles;
    const started = performance.now();
    let listing: { listed: number; entries: number };
    try {
      listing = await this.diff.collect(await o.list(), cycle);
    } catch (error) {
      this.listFailures += 1;
      const delay = backoffDelay(o.backoff, this.listFailures);
      const what = isSftpConnectorError(error) || error instanceof Error ? `: ${error.message}` : "";
      this.emitError(
        new SftpConnectorError(
          isSftpConnectorError(error) ? error.reason : "FAILURE",
          `Listing failed (${this.listFailures} in a row); next try in ${delay} ms${what}`,
          { operation: "poll.list", cause: error, retryable: true, path: isSftpConnectorError(error) ? error.path : undefined },
        ),
      );
      return delay;
    }
    const listMs = performance.now() - started;
    if (this.listFailures > 0) {
      o.logger.info(`listing works again after ${this.listFailures} failure(s)`, { key: o.key });
      this.listFailures = 0;
    }
    if (this.current !== "running") return o.intervalMs;
    if (!this.leaseLive()) return o.intervalMs; // the lease ran out during the listing: nothing of it is delivered
    const { listed, entries } = listing;

    if (!this.diff.hasSnapshot) {
      this.diff.hasSnapshot = true;
      this.checkpoints.markDirty();
      if (!o.emitInitial) {
        this.diff.takeBaseline(cycle);
        await this.checkpoints.flush();
        const counts = { added: 0, modified: 0, removed: 0, failed: 0, skipped: 0 };
        this.emitCycle(cycle, true, listed, entries, counts, 0, listMs, started);
        return o.intervalMs;
      }
    }

    const { events, deferred } = this.diff.compare(cycle, Date.now());
    this.checkpoints.restartClock(Date.now()); // what the cycle started from is saved: checkpoint mid-cycle only after a second of deliveries
    const counts = await this.dispatch(events);
    await this.checkpoints.flush();
    this.emitCycle(cycle, false, listed, entries, counts, deferred, listMs, started);
    return o.intervalMs;
  }

  /** Before each cycle: takes or confirms the lock; on taking it, reloads the snapshot (the last holder advanced it). */
  private async confirmLock(): Promise<boolean> {
    const { lock, key, logger } = this.o;
    let result: boolean | Lease = false;
    const sent = performance.now();
    try {
      result = await lock!.acquire(key);
    } catch (error) {
      // A failed or timed-out acquire is "outcome unknown": this poller does not count itself the holder.
      this.emitError(asPollerError(error, "poll.lock", "Cannot acquire the lock"));
    }
    const held = isHeld(result);
    const token = held ? fencingTokenOf(result) : undefined;
    if (held && this.lockHeld && token !== this.fencingToken) {
      this.loseLock(`the fencing token changed from ${String(this.fencingToken)} to ${String(token)}`); // lost and taken again meanwhile
    }
    if (held && !this.lockHeld) {
      this.takeLease(result, sent);
      try {
        await this.loadSnapshot();
      } catch (error) {
        this.emitError(asPollerError(error, "poll.store", "Took the lock but cannot load the snapshot"));
        await this.releaseLock();
        return false;
      }
      this.lockHeld = true;
      logger.info("took the lock; polling", { key });
      this.emitLockTaken();
    } else if (held) {
      this.takeLease(result, sent);
    } else if (this.lockHeld) {
      this.loseLock("lost the lock to another poller");
    }
    return held;
  }

  /** Records what an acquire sent at `sent` (performance.now()) returned: the fencing token and the local deadline of the lease. */
  private takeLease(result: boolean | Lease, sent: number): void {
    if (this.renewTimer !== undefined) clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
    if (!isHeld(result)) {
      this.fencingToken = undefined;
      this.leaseDeadline = undefined;
      return;
    }
    this.fencingToken = fencingTokenOf(result);
    const ttlMs = typeof result === "object" ? result.ttlMs : undefined;
    const timed = typeof ttlMs === "number" && Number.isFinite(ttlMs) && ttlMs >= 0;
    this.leaseDeadline = timed ? sent + ttlMs * (1 - this.o.leaseMargin) : undefined;
    if (timed && ttlMs > 0) {
      this.renewTimer = setTimeout(() => void this.renewLease(ttlMs), Math.max(1, Math.floor(ttlMs / 3)));
      this.renewTimer.unref?.();
    }
  }

  /**
   * The lease's heartbeat: asks the lock again while the lease is held, between and during cycles, so a
   * listing or a handler that runs longer than the lease does not lose it (and its delivery is not
   * repeated forever). The same owner and token extend the local deadline; another answer is a loss.
   * A renewal that fails or hangs changes nothing: the local deadline then stops the deliveries.
   */
  private async renewLease(ttlMs: number): Promise<void> {
    this.renewTimer = undefined;
    const { lock, key } = this.o;
    if (lock === undefined || (this.current !== "starting" && this.current !== "running" && this.current !== "stopping")) return;
    if (this.renewing || !this.lockHeld) {
      this.renewTimer = setTimeout(() => void this.renewLease(ttlMs), Math.max(1, Math.floor(ttlMs / 3)));
      this.renewTimer.unref?.();
      return;
    }
    const epoch = this.leaseEpoch;
    const token = this.fencingToken;
    const sent = performance.now();
    let result: boolean | Lease;
    try {
      this.renewing = Promise.resolve(lock.acquire(key));
      result = await this.renewing;
    } catch (error) {
      this.renewing = undefined;
      this.emitError(asPollerError(error, "poll.lock", "Cannot renew the lease (deliveries stop at its local deadline unless a later renewal succeeds)"));
      if (this.lockHeld && epoch === this.leaseEpoch && this.renewTimer === undefined) {
        this.renewTimer = setTimeout(() => void this.renewLease(ttlMs), Math.max(1, Math.floor(ttlMs / 3)));
        this.renewTimer.unref?.();
      }
      return;
    }
    this.renewing = undefined;
    if (!this.lockHeld || epoch !== this.leaseEpoch || this.fencingToken !== token) return; // lost or re-taken meanwhile
    if (!isHeld(result)) this.loseLock("lost the lock to another poller");
    else if (fencingTokenOf(result) !== token) this.loseLock(`the fencing token changed from ${String(token)} to ${String(fencingTokenOf(result))}`);
    else this.takeLease(result, sent);
  }

  /**
   * Whether this poller may deliver and save now: it has no lock, or holds it and its lease has not run out
   * locally. A lease found run out is given up at once (back to standby until the next acquire confirms).
   */
  private leaseLive(): boolean {
    if (this.o.lock === undefined) return true;
    if (!this.lockHeld) return false;
    if (this.leaseDeadline !== undefined && performance.now() >= this.leaseDeadline) {
      this.loseLock("the lease ran out before it was confirmed again");
      return false;
    }
    return true;
  }

  /** What the store gets with a load or save: the fencing token when the lock gave one; null when the lease is not live (no save). */
  private storeContext(): SnapshotStoreContext | undefined | null {
    return this.leaseLive() ? this.tokenContext() : null;
  }

  /** The fencing token for the store, when the lock gave one (it is set only while the lock is held or being taken). */
  private tokenContext(): SnapshotStoreContext | undefined {
    return this.fencingToken === undefined ? undefined : { fencingToken: this.fencingToken };
  }

  /** Stops delivering at once and stands by: forgets the snapshot (reloaded from the store on the next take) and tells `lock` listeners. */
  private loseLock(why: string): void {
    if (!this.lockHeld) return;
    this.lockHeld = false;
    this.leaseEpoch += 1;
    this.takeLease(false, 0);
    this.forgetState();
    this.o.logger.warn(`${why}; standing by`, { key: this.o.key });
    this.emit("lock", { held: false });
  }

  private emitLockTaken(): void {
    this.emit("lock", this.fencingToken === undefined ? { held: true } : { held: true, fencingToken: this.fencingToken });
  }

  /** Delivers the events, at most `concurrency` at once, in order of starting; stops starting new ones on stop(). */
  private async dispatch(events: PollEvent[]): Promise<Counts> {
    const counts: Counts = { added: 0, modified: 0, removed: 0, failed: 0, skipped: 0 };
    let next = 0;
    const epoch = this.leaseEpoch;
    const worker = async (): Promise<void> => {
      while (next < events.length) {
        const event = events[next++]!;
        if (this.current !== "running" || epoch !== this.leaseEpoch || !this.leaseLive()) {
          counts.skipped++;
          continue;
        }
        const token = this.fencingToken;
        try {
          await this.deliver(token === undefined ? event : { ...event, fencingToken: token });
        } catch (error) {
          if (error instanceof DeliveryCancelled) counts.skipped++;
          else {
            counts.failed++;
            this.recordFailure(event, error);
          }
          continue;
        }
        if (epoch !== this.leaseEpoch) {
          counts.skipped++; // delivered under a lease since lost: the snapshot it would advance is gone
          continue;
        }
        this.diff.advance(event);
        this.checkpoints.changed(Date.now());
        counts[event.type]++;
      }
    };
    const workers = Math.min(this.o.concurrency, events.length);
    if (workers === 1) await worker();
    else if (workers > 1) await Promise.all(Array.from({ length: workers }, worker));
    return counts;
  }

  /** Hands one event to the handler, the listeners of its type and the loop; settles when all are done, rejecting if any failed. */
  private async deliver(event: PollEvent): Promise<void> {
    const tasks: Promise<unknown>[] = [];
    if (this.o.handler !== undefined) tasks.push(invoke(this.o.handler, event));
    for (const listener of this.listeners[event.type] as Set<(event: PollEvent) => unknown>) tasks.push(invoke(listener, event));
    if (this.channel !== undefined) tasks.push(this.channel.push(event));
    if (tasks.length === 0) return;
    if (tasks.length === 1) {
      await tasks[0];
      return;
    }
    const results = await Promise.allSettled(tasks); // every consumer finishes before the outcome counts
    const failure = results.find((result) => result.status === "rejected");
    if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
  }

  private recordFailure(event: PollEvent, error: unknown): void {
    const { name } = event.entry;
    const { delay } = this.diff.recordFailure(name, Date.now(), this.o.retryDelay);
    this.emitError(
      new SftpConnectorError(
        isSftpConnectorError(error) ? error.reason : "FAILURE",
        `Delivering the "${event.type}" event of ${name} failed (attempt ${event.attempt}); it stays undelivered and is retried in ${delay} ms or later`,
        { operation: "poll.deliver", path: name, cause: error, retryable: true },
      ),
    );
  }

  // ── listeners ──────────────────────────────────────────────────────────────────────────────

  private emitCycle(
    cycle: number,
    baseline: boolean,
    listed: number,
    entries: number,
    counts: Counts,
    deferred: number,
    listMs: number,
    started: number,
  ): void {
    const { added, modified, removed, failed, skipped } = counts;
    const stats: CycleStats = {
      cycle,
      baseline,
      listed,
      entries,
      events: { added, modified, removed },
      failed,
      deferred,
      skipped,
      listMs,
      durationMs: performance.now() - started,
    };
    this.o.logger.debug("poll cycle", { key: this.o.key, ...stats });
    this.emit("cycle", stats);
  }

  private emitError(error: SftpConnectorError): void {
    if (this.listeners.error.size === 0) {
      this.o.logger.error(error.message, { key: this.o.key, reason: error.reason, operation: error.operation, path: error.path });
      return;
    }
    this.emit("error", error);
  }

  private emit<K extends "error" | "cycle" | "lock">(type: K, value: Parameters<PollerListeners[K]>[0]): void {
    for (const listener of this.listeners[type] as Set<(value: unknown) => void>) {
      try {
        listener(value);
      } catch (error) {
        this.o.logger.error(`a "${type}" listener threw`, { key: this.o.key, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}

function isHeld(result: boolean | Lease | undefined | null): boolean {
  return result !== false && result !== undefined && result !== null;
}

function fencingTokenOf(result: boolean | Lease): string | undefined {
  return typeof result === "object" && result !== null && typeof result.fencingToken === "string" ? result.fencingToken : undefined;
}

function invoke(fn: (event: PollEvent) => unknown, event: PollEvent): Promise<unknown> {
  try {
    return Promise.resolve(fn(event));
  } catch (error) {
    return Promise.reject(error);
  }
}
