// The fencing seam with a fake lock, store and clock: the token reaches the store and the events, LOCK_LOST sends the poller to standby, a lease lapses locally.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SftpConnectorError } from "@sftp-connector/core";
import { createDirectoryPoller, type DirectoryPoller, type LockChange } from "./createDirectoryPoller.js";
import { FakeDirectory, until } from "./FakeDirectory.js";
import type { DirectoryPollerOptions } from "./normalizePollerOptions.js";
import type { CycleStats, PollEvent } from "./PollEvent.js";
import type { Lease, PollerLock } from "./PollerLock.js";
import { silentLogger } from "./PollerLogger.js";
import type { Snapshot, SnapshotStore, SnapshotStoreContext } from "./SnapshotStore.js";

const T0 = 1_700_000_000_000;
const pollers: DirectoryPoller[] = [];

beforeEach(() => {
  vi.useFakeTimers({
    now: T0,
    toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "setInterval", "clearInterval", "Date", "performance"],
  });
});

afterEach(async () => {
  for (const poller of pollers.splice(0)) await poller.stop().catch(() => {});
  vi.useRealTimers();
});

/** A lock whose answer the test sets: `answer` is what acquire resolves to; every call is counted. With `stall`, calls hang (an unreachable engine) until `unstall()` answers them `false`. */
class FakeLock implements PollerLock {
  answer: boolean | Lease = true;
  acquires = 0;
  releases = 0;
  stall = false;
  private readonly stalled: Array<(value: boolean) => void> = [];
  async acquire(): Promise<boolean | Lease> {
    this.acquires += 1;
    if (this.stall) return new Promise<boolean>((resolve) => this.stalled.push(resolve));
    return this.answer;
  }
  unstall(): void {
    this.stall = false;
    for (const resolve of this.stalled.splice(0)) resolve(false);
  }
  async release(): Promise<void> {
    this.releases += 1;
  }
}

/** A store in memory that records the arguments of every call and can refuse saves with LOCK_LOST. */
class FakeStore implements SnapshotStore {
  snapshot: Snapshot | undefined;
  /** The fencing token the "engine" holds live: a save with another token is refused with LOCK_LOST. Undefined: no check. */
  liveToken: string | undefined;
  readonly loads: unknown[][] = [];
  readonly saves: { args: number; context: SnapshotStoreContext | undefined; names: string[] }[] = [];
  /** How long a load takes on the (fake) clock. */
  loadDelayMs = 0;
  async load(...args: [string, SnapshotStoreContext?]): Promise<Snapshot | undefined> {
    this.loads.push(args);
    if (this.loadDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.loadDelayMs));
    return this.snapshot;
  }
  async save(key: string, snapshot: Snapshot, context?: SnapshotStoreContext): Promise<void> {
    // biome-ignore lint/complexity/noArguments: the test counts the arguments the poller really passed, which a rest parameter would change.
    this.saves.push({ args: arguments.length, context, names: snapshot.entries.map((e) => e.name).sort() });
    if (this.liveToken !== undefined && context?.fencingToken !== this.liveToken) {
      throw new SftpConnectorError("LOCK_LOST", `fencing token ${String(context?.fencingToken)} of "${key}" is stale`, { operation: "poll.store" });
    }
    this.snapshot = snapshot;
  }
}

function harness(options: Partial<DirectoryPollerOptions> & { dir: FakeDirectory; lock: PollerLock; store: SnapshotStore }) {
  const log: string[] = [];
  const events: PollEvent[] = [];
  const stats: CycleStats[] = [];
  const locks: LockChange[] = [];
  const errors: SftpConnectorError[] = [];
  const { dir, ...rest } = options;
  const poller = createDirectoryPoller({ list: dir.list, intervalMs: 1000, logger: silentLogger, ...rest });
  pollers.push(poller);
  poller.on("added", (event) => {
    events.push(event);
    log.push(`${event.type} ${event.entry.name}`);
  });
  poller.on("cycle", (s) => stats.push(s));
  poller.on("lock", (change) => locks.push(change));
  poller.on("error", (error) => errors.push(error));
  return {
    poller,
    log,
    events,
    stats,
    locks,
    errors,
    async start(): Promise<void> {
      await poller.start();
      await until(() => stats.length >= 1, "the first cycle");
    },
    /** Moves the fake clock by one interval and waits until the lock was asked again and that cycle ended (or stood by). */
    async cycle(lock: FakeLock, ms = 1000): Promise<void> {
      const asked = lock.acquires;
      const before = stats.length;
      await vi.advanceTimersByTimeAsync(ms);
      await until(() => lock.acquires > asked, "an acquire");
      await until(() => stats.length > before || !poller.holdsLock, "the cycle");
    },
  };
}

describe("fencing token", () => {
  it("reaches the store's load and save as context, the lock event and every delivered event", async () => {
    const dir = new FakeDirectory().set("a.csv", 1, T0);
    const lock = new FakeLock();
    lock.answer = { fencingToken: "41" };
    const store = new FakeStore();
    const t = harness({ dir, lock, store });
    await t.start();
    expect(store.loads).toEqual([["default", { fencingToken: "41" }]]);
    expect(store.saves).toEqual([{ args: 3, context: { fencingToken: "41" }, names: ["a.csv"] }]); // the baseline
    expect(t.locks).toEqual([{ held: true, fencingToken: "41" }]);

    dir.set("b.csv", 2);
    await t.cycle(lock);
    expect(t.log).toEqual(["added b.csv"]);
    expect(t.events[0]).toMatchObject({ type: "added", fencingToken: "41" });
    expect(store.saves.at(-1)).toEqual({ args: 3, context: { fencingToken: "41" }, names: ["a.csv", "b.csv"] });
  });

  it("a lock without tokens or ttl (true, or a lease with expiresAt only) behaves as before: no context, no token on events, no local expiry", async () => {
    for (const answer of [true, { expiresAt: T0 + 1 }] as const) {
      const dir = new FakeDirectory().set("a.csv", 1, T0);
      const lock = new FakeLock();
      lock.answer = answer;
      const store = new FakeStore();
      const t = harness({ dir, lock, store });
      await t.start();
      dir.delayMs = 60_000; // a listing far longer than any lease: without ttlMs nothing lapses
      dir.set("b.csv", 2);
      await vi.advanceTimersByTimeAsync(1000 + 60_000);
      await until(() => t.stats.length === 2, "the slow cycle");
      expect(t.log).toEqual(["added b.csv"]);
      expect("fencingToken" in t.events[0]!).toBe(false);
      expect(t.locks).toEqual([{ held: true }]);
      expect(store.loads).toEqual([["default"]]);
      expect(store.saves.map((s) => s.args)).toEqual([2, 2]);
      await t.poller.stop();
      expect(lock.releases).toBe(1);
    }
  });
});

describe("a save refused with LOCK_LOST", () => {
  it("stops deliveries, emits a lock loss and stands by without retrying the save; the next take reloads the store and resumes without loss or duplicate", async () => {
    const dir = new FakeDirectory().set("a.csv", 1, T0);
    const lock = new FakeLock();
    lock.answer = { fencingToken: "1", ttlMs: 30_000 };
    const store = new FakeStore();
    store.snapshot = { entries: [{ name: "a.csv", size: 1, mtime: T0, isDirectory: false }] };
    store.liveToken = "1";
    const t = harness({ dir, lock, store });
    await t.start();

    // Another poller took the lock (token 2) while this one still delivers: its save is refused.
    store.liveToken = "2";
    dir.set("b.csv", 2, T0);
    await t.cycle(lock);
    expect(t.log).toEqual(["added b.csv"]);
    await until(() => t.locks.length === 2, "the lock loss");
    expect(t.locks).toEqual([{ held: true, fencingToken: "1" }, { held: false }]);
    expect(t.poller.holdsLock).toBe(false);
    expect(t.poller.state).toBe("running");
    expect(t.poller.snapshot()).toEqual([]); // dropped: it reloads from the store
    expect(t.errors).toEqual([]); // not a store error
    const refused = store.saves.length;
    expect(store.saves.at(-1)).toMatchObject({ context: { fencingToken: "1" }, names: ["a.csv", "b.csv"] });

    // The other holder delivers b.csv and c.csv and saves; this one stands by and delivers nothing.
    lock.answer = false;
    dir.set("c.csv", 3, T0);
    await t.cycle(lock);
    await t.cycle(lock);
    store.snapshot = { entries: ["a.csv", "b.csv", "c.csv"].map((name, i) => ({ name, size: i + 1, mtime: T0, isDirectory: false })) };
    expect(t.log).toEqual(["added b.csv"]);
    expect(store.saves).toHaveLength(refused); // the refused save was not retried

    // This poller takes the lock again (token 3): it reloads the store's snapshot and delivers only what is new.
    lock.answer = { fencingToken: "3", ttlMs: 30_000 };
    store.liveToken = "3";
    dir.set("d.csv", 4, T0);
    await t.cycle(lock);
    expect(store.loads.at(-1)).toEqual(["default", { fencingToken: "3" }]);
    expect(t.locks.at(-1)).toEqual({ held: true, fencingToken: "3" });
    expect(t.log).toEqual(["added b.csv", "added d.csv"]);
    expect(t.events.at(-1)).toMatchObject({ fencingToken: "3" });
    expect(store.saves.at(-1)).toEqual({ args: 3, context: { fencingToken: "3" }, names: ["a.csv", "b.csv", "c.csv", "d.csv"] });
  });

  it("stop() after a LOCK_LOST still gives the lease up, so another poller need not wait out the TTL", async () => {
    const dir = new FakeDirectory().set("a.csv", 1, T0);
    const lock = new FakeLock();
    lock.answer = { fencingToken: "1", ttlMs: 30_000 };
    const store = new FakeStore();
    store.liveToken = "1";
    const t = harness({ dir, lock, store });
    await t.start();
    store.liveToken = "2";
    dir.set("b.csv", 2, T0);
    await t.cycle(lock);
    await until(() => !t.poller.holdsLock, "the lock loss");
    expect(lock.releases).toBe(0);
    await t.poller.stop();
    expect(lock.releases).toBe(1);
  });

  it("without a lock, a LOCK_LOST from the store is an error like any other and the poller keeps delivering", async () => {
    const dir = new FakeDirectory().set("a.csv", 1, T0);
    const store = new FakeStore();
    store.liveToken = "9"; // refuses every save (no context is given without a lock)
    const errors: SftpConnectorError[] = [];
    const log: string[] = [];
    const stats: CycleStats[] = [];
    const poller = createDirectoryPoller({ list: dir.list, intervalMs: 1000, logger: silentLogger, store, handler: (e) => void log.push(e.entry.name) });
    pollers.push(poller);
    poller.on("error", (e) => errors.push(e));
    poller.on("cycle", (s) => stats.push(s));
    await poller.start();
    await until(() => stats.length === 1);
    dir.set("b.csv", 2);
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => stats.length === 2);
    expect(log).toEqual(["b.csv"]);
    expect(poller.holdsLock).toBe(true);
    expect(errors.map((e) => e.reason)).toEqual(["LOCK_LOST", "LOCK_LOST"]);
  });
});

describe("lease expiry by the local deadline", () => {
  it("stops deliveries once sent + ttlMs × (1 − leaseMargin) passed, until an acquire confirms again", async () => {
    const dir = new FakeDirectory().set("a.csv", 1, T0);
    const lock = new FakeLock();
    lock.answer = { fencingToken: "5", ttlMs: 2000 }; // with the default margin 0.2: 1600 ms after each acquire was sent
    const store = new FakeStore();
    const t = harness({ dir, lock, store });
    await t.start();
    const saves = store.saves.length;

    // A listing that takes 1700 ms while the engine stops answering (renewals hang) outlives the lease: nothing of it is delivered or saved.
    dir.delayMs = 1700;
    dir.set("b.csv", 2);
    await vi.advanceTimersByTimeAsync(1000); // the cycle's acquire is answered; its listing starts
    lock.stall = true;
    await vi.advanceTimersByTimeAsync(1700);
    await until(() => t.locks.length === 2, "the lease to lapse");
    expect(t.locks).toEqual([{ held: true, fencingToken: "5" }, { held: false }]);
    expect(t.log).toEqual([]);
    expect(store.saves).toHaveLength(saves);
    expect(t.poller.holdsLock).toBe(false);

    // The engine answers again; the next acquire confirms: it reloads and delivers b.csv once.
    lock.unstall();
    dir.delayMs = 1500; // within the lease
    await vi.advanceTimersByTimeAsync(1000 + 1500);
    await until(() => t.log.length === 1, "the delivery");
    expect(t.locks.at(-1)).toEqual({ held: true, fencingToken: "5" });
    expect(t.log).toEqual(["added b.csv"]);
    await vi.advanceTimersByTimeAsync(1000 + 1500);
    await until(() => t.stats.length === 3, "a cycle with nothing new");
    expect(t.log).toEqual(["added b.csv"]);
  });

  it("a slow delivery past the deadline stops the events after it in the same cycle", async () => {
    const dir = new FakeDirectory().set("a.csv", 1, T0);
    const lock = new FakeLock();
    lock.answer = { fencingToken: "5", ttlMs: 1000 };
    const store = new FakeStore();
    const started: string[] = [];
    const t = harness({
      dir,
      lock,
      store,
      leaseMargin: 0.5, // 500 ms
      handler: async (event) => {
        started.push(event.entry.name);
        await new Promise((resolve) => setTimeout(resolve, 600));
      },
    });
    await t.start();
    dir.set("b.csv", 2).set("c.csv", 3);
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => started.length === 1);
    lock.stall = true; // the engine stops answering: the renewals hang
    await vi.advanceTimersByTimeAsync(600);
    await until(() => t.locks.length === 2, "the lease to lapse");
    expect(started).toEqual(["b.csv"]); // c.csv was not handed out
    expect(t.stats.at(-1)).toMatchObject({ skipped: 1 });
    lock.unstall();
  });

  it("renewals go on through a start whose store load outlasts a third of the lease", async () => {
    const dir = new FakeDirectory().set("a.csv", 1, T0);
    const lock = new FakeLock();
    lock.answer = { fencingToken: "5", ttlMs: 1000 };
    const store = new FakeStore();
    store.loadDelayMs = 700; // past the first renewal (333 ms) and the local deadline (500 ms) of the lease taken at start
    const t = harness({ dir, lock, store, leaseMargin: 0.5 });
    const starting = t.poller.start();
    await vi.advanceTimersByTimeAsync(700);
    await starting;
    const before = lock.acquires;
    await vi.advanceTimersByTimeAsync(2000);
    await until(() => t.stats.length >= 2, "two cycles");
    expect(lock.acquires - before).toBeGreaterThanOrEqual(6); // the renewals every 333 ms went on, besides the cycles' acquires
    expect(t.locks).toEqual([{ held: true, fencingToken: "5" }]);
    expect(t.poller.holdsLock).toBe(true);
  });

  it("renewals keep the lease through a delivery longer than the lease: each change is delivered once, never repeated", async () => {
    const dir = new FakeDirectory().set("a.csv", 1, T0);
    const lock = new FakeLock();
    lock.answer = { fencingToken: "5", ttlMs: 1000 };
    const store = new FakeStore();
    store.liveToken = "5";
    const started: string[] = [];
    const t = harness({
      dir,
      lock,
      store,
      leaseMargin: 0.5, // 500 ms after each acquire, renewed every 333 ms
      handler: async (event) => {
        started.push(event.entry.name);
        await new Promise((resolve) => setTimeout(resolve, 1500));
      },
    });
    await t.start();
    dir.set("b.csv", 2).set("c.csv", 3);
    const before = lock.acquires;
    await vi.advanceTimersByTimeAsync(1000 + 1500 + 1500);
    await until(() => t.stats.length >= 2, "the cycle to end");
    expect(lock.acquires - before).toBeGreaterThanOrEqual(9); // one per cycle plus one every 333 ms
    expect(t.locks).toEqual([{ held: true, fencingToken: "5" }]);
    expect(t.stats.at(-1)).toMatchObject({ events: { added: 2, modified: 0, removed: 0 }, failed: 0, skipped: 0 });
    expect(store.saves.at(-1)).toMatchObject({ context: { fencingToken: "5" }, names: ["a.csv", "b.csv", "c.csv"] });
    await vi.advanceTimersByTimeAsync(3000);
    await until(() => t.stats.length >= 4, "two more cycles");
    expect(started).toEqual(["b.csv", "c.csv"]);
  });

  it("refuses a leaseMargin outside (0, 1)", () => {
    for (const leaseMargin of [0, 1, -0.1, Number.NaN, "0.2"]) {
      expect(() => createDirectoryPoller({ list: () => [], leaseMargin: leaseMargin as number })).toThrow(
        expect.objectContaining({ reason: "INVALID_CONFIG", problems: [expect.stringMatching(/^leaseMargin: expected a number between 0 and 1/)] }),
      );
    }
  });
});
