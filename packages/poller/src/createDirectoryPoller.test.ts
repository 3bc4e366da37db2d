// The poller's rules with fake timers and a fake list(): baseline, order, modification, stability, retries, listing errors, stop, overlap, iteration, bad input.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SftpConnectorError } from "@sftp-connector/core";
import { createDirectoryPoller, type DirectoryPoller } from "./createDirectoryPoller.js";
import { createMemoryStore } from "./createMemoryStore.js";
import { FakeDirectory, settle, until } from "./FakeDirectory.js";
import type { DirectoryPollerOptions } from "./normalizePollerOptions.js";
import type { CycleStats, PollEvent } from "./PollEvent.js";
import { silentLogger } from "./PollerLogger.js";

const T0 = 1_700_000_000_000;
const pollers: DirectoryPoller[] = [];

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});

afterEach(async () => {
  for (const poller of pollers.splice(0)) await poller.stop().catch(() => {});
  vi.useRealTimers();
});

type HarnessOptions = Partial<DirectoryPollerOptions> & { dir?: FakeDirectory };

/** A poller over a FakeDirectory that records its events (as "type name"), cycles and errors. */
function harness(options: HarnessOptions = {}) {
  const { dir = new FakeDirectory(), ...rest } = options;
  const log: string[] = [];
  const events: PollEvent[] = [];
  const stats: CycleStats[] = [];
  const errors: SftpConnectorError[] = [];
  const poller = createDirectoryPoller({ list: dir.list, intervalMs: 1000, logger: silentLogger, ...rest });
  pollers.push(poller);
  const record = (event: PollEvent): void => {
    events.push(event);
    log.push(`${event.type} ${event.entry.name}`);
  };
  poller.on("added", record);
  poller.on("modified", record);
  poller.on("removed", record);
  poller.on("cycle", (s) => stats.push(s));
  poller.on("error", (e) => errors.push(e));
  return {
    dir,
    poller,
    log,
    events,
    stats,
    errors,
    /** Starts and waits for the first cycle. */
    async start(): Promise<void> {
      await poller.start();
      await until(() => stats.length >= 1, "the first cycle");
    },
    /** Moves the fake clock by `ms` (one interval by default) and waits for the cycle it starts. */
    async cycle(ms = 1000): Promise<void> {
      const before = stats.length;
      await vi.advanceTimersByTimeAsync(ms);
      await until(() => stats.length > before, "a cycle");
    },
    names: () =>
      poller
        .snapshot()
        .map((entry) => entry.name)
        .sort(),
  };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("baseline and initial content", () => {
  it("takes the first listing as the baseline and delivers nothing for it", async () => {
    const t = harness({ dir: new FakeDirectory({ "a.csv": 10, "b.csv": 20 }) });
    await t.start();
    expect(t.log).toEqual([]);
    expect(t.stats[0]).toMatchObject({ cycle: 1, baseline: true, listed: 2, entries: 2, events: { added: 0, modified: 0, removed: 0 } });
    expect(t.names()).toEqual(["a.csv", "b.csv"]);
    await t.cycle();
    expect(t.log).toEqual([]);
    expect(t.stats[1]).toMatchObject({ cycle: 2, baseline: false });
  });

  it("runs the first cycle at once and the next ones intervalMs after each other", async () => {
    const t = harness({ intervalMs: 250 });
    await t.start();
    await t.cycle(250);
    await t.cycle(250);
    expect(t.dir.calls).toEqual([T0, T0 + 250, T0 + 500]);
  });

  it("delivers the initial content as added with emitInitial, then polls as usual", async () => {
    const t = harness({ dir: new FakeDirectory({ "a.csv": 10, "b.csv": 20 }), emitInitial: true });
    await t.start();
    expect(t.log).toEqual(["added a.csv", "added b.csv"]);
    expect(t.stats[0]).toMatchObject({ baseline: false, events: { added: 2, modified: 0, removed: 0 } });
    await t.cycle();
    expect(t.log).toHaveLength(2);
  });

  it("does not take a new baseline when the store already has a snapshot (emitInitial does not apply)", async () => {
    const store = createMemoryStore();
    await store.save("default", { entries: [{ name: "a.csv", size: 10, mtime: T0, isDirectory: false }] });
    const dir = new FakeDirectory().set("a.csv", 10, T0).set("new.csv", 1);
    const t = harness({ dir, store, emitInitial: true });
    await t.start();
    expect(t.log).toEqual(["added new.csv"]);
  });
});

describe("events", () => {
  it("delivers each cycle's changes in rdp4j's order: every removed, then every added, then every modified", async () => {
    const dir = new FakeDirectory().set("keep", 1, T0).set("mod1", 1, T0).set("gone1", 1, T0).set("mod2", 1, T0).set("gone2", 1, T0);
    const t = harness({ dir });
    await t.start();
    // changes made in a mixed order
    dir
      .set("mod2", 2, T0)
      .set("new1", 1)
      .remove("gone2")
      .set("mod1", 1, T0 + 5000)
      .set("new2", 1)
      .remove("gone1");
    await t.cycle();
    expect(t.log).toEqual(["removed gone1", "removed gone2", "added new1", "added new2", "modified mod1", "modified mod2"]);
    expect(t.stats[1]!.events).toEqual({ added: 2, modified: 2, removed: 2 });
  });

  it("gives modified and removed events the previous entry, and every event its cycle and attempt", async () => {
    const dir = new FakeDirectory().set("a", 10, T0).set("b", 5, T0);
    const t = harness({ dir });
    await t.start();
    dir.set("a", 11, T0 + 1000).remove("b");
    await t.cycle();
    const [removed, modified] = t.events;
    expect(removed).toMatchObject({ type: "removed", entry: { name: "b", size: 5 }, previous: { name: "b", size: 5 }, cycle: 2, attempt: 1 });
    expect(modified).toMatchObject({
      type: "modified",
      entry: { name: "a", size: 11, mtime: T0 + 1000, isDirectory: false },
      previous: { name: "a", size: 10, mtime: T0 },
    });
  });

  it("sees a change of mtime alone as a modification", async () => {
    const dir = new FakeDirectory().set("a", 10, T0);
    const t = harness({ dir });
    await t.start();
    dir.set("a", 10, T0 + 1);
    await t.cycle();
    expect(t.log).toEqual(["modified a"]);
  });

  it("sees a change of size alone as a modification (rdp4j missed these)", async () => {
    const dir = new FakeDirectory().set("a", 10, T0);
    const t = harness({ dir });
    await t.start();
    dir.set("a", 12, T0);
    await t.cycle();
    expect(t.log).toEqual(["modified a"]);
    await t.cycle();
    expect(t.log).toEqual(["modified a"]); // delivered once: the snapshot took the new size
  });

  it("accepts mtime as a Date and compares in milliseconds", async () => {
    const dir = new FakeDirectory();
    dir.files.set("a", { name: "a", size: 1, mtime: new Date(T0), isDirectory: false });
    const t = harness({ dir });
    await t.start();
    dir.files.set("a", { name: "a", size: 1, mtime: new Date(T0), isDirectory: false });
    await t.cycle();
    dir.files.set("a", { name: "a", size: 1, mtime: new Date(T0 + 1), isDirectory: false });
    await t.cycle();
    expect(t.log).toEqual(["modified a"]);
    expect(t.events[0]!.entry.mtime).toBe(T0 + 1);
  });

  it('keeps rdp4j\'s mtime-only rule behind compare: "mtime", and takes a custom compare', async () => {
    const dir = new FakeDirectory().set("a", 10, T0);
    const t = harness({ dir, compare: "mtime" });
    await t.start();
    dir.set("a", 99, T0);
    await t.cycle();
    expect(t.log).toEqual([]);

    const dir2 = new FakeDirectory().set("a", 10, T0);
    const u = harness({ dir: dir2, compare: (previous, current) => current.size > previous.size });
    await u.start();
    dir2.set("a", 5, T0 + 1);
    await u.cycle();
    dir2.set("a", 50, T0 + 2);
    await u.cycle();
    expect(u.log).toEqual(["modified a"]);
  });

  it("ignores directories, . and .. unless includeDirectories is set", async () => {
    const dir = new FakeDirectory().set(".", 0, T0, true).set("..", 0, T0, true).set("sub", 0, T0, true).set("a", 1, T0);
    const t = harness({ dir, emitInitial: true });
    await t.start();
    expect(t.log).toEqual(["added a"]);
    expect(t.stats[0]).toMatchObject({ listed: 4, entries: 1 });

    const u = harness({ dir, emitInitial: true, includeDirectories: true });
    await u.start();
    expect(u.log).toEqual(["added sub", "added a"]);
  });

  it("polls only what the filter accepts (core filter language, string or tree, or a predicate)", async () => {
    const dir = new FakeDirectory().set("a.csv", 1).set("b.txt", 1).set("big.csv", 5000).set("sub/c.csv", 1);
    const t = harness({ dir, emitInitial: true, filter: 'fileName ~ "*.csv" and fileSize < 1000' });
    await t.start();
    expect(t.log).toEqual(["added a.csv"]); // the glob's * does not cross "/", as in LIST

    const u = harness({ dir, emitInitial: true, filter: { field: "fileName", operator: "WILDCARD", argument: "**.csv" } });
    await u.start();
    expect(u.log).toEqual(["added a.csv", "added big.csv", "added sub/c.csv"]);

    const v = harness({ dir, emitInitial: true, filter: (entry) => entry.name.endsWith(".txt") });
    await v.start();
    expect(v.log).toEqual(["added b.txt"]);
  });

  it("reports an entry that stops matching the filter as removed, and one that starts matching as added", async () => {
    const dir = new FakeDirectory().set("a.csv", 10, T0).set("b.csv", 5000, T0);
    const t = harness({ dir, filter: "fileSize < 1000" });
    await t.start();
    expect(t.names()).toEqual(["a.csv"]);
    dir.set("a.csv", 2000, T0 + 1).set("b.csv", 20, T0 + 1);
    await t.cycle();
    expect(t.log).toEqual(["removed a.csv", "added b.csv"]);
    await t.cycle();
    expect(t.log).toHaveLength(2);
  });

  it("asks a predicate filter again every cycle, even for unchanged entries", async () => {
    const dir = new FakeDirectory().set("a", 1, T0).set("b", 1, T0);
    let wanted = "a";
    const seen: string[] = [];
    const t = harness({ dir, filter: (entry) => (seen.push(entry.name), entry.name === wanted) });
    await t.start();
    wanted = "b";
    await t.cycle();
    expect(t.log).toEqual(["removed a", "added b"]);
    expect(seen).toEqual(["a", "b", "a", "b"]);
  });

  it("takes the last of two entries with the same name", async () => {
    const t = harness({
      emitInitial: true,
      list: () => [
        { name: "a", size: 1, mtime: T0, isDirectory: false },
        { name: "a", size: 2, mtime: T0, isDirectory: false },
      ],
    });
    await t.start();
    expect(t.events.map((e) => e.entry.size)).toEqual([2]);
    expect(t.stats[0]).toMatchObject({ listed: 2, entries: 1 });
  });

  it("takes list() as an async generator too", async () => {
    const t = harness({
      emitInitial: true,
      list: async function* () {
        yield { name: "a", size: 1, mtime: T0, isDirectory: false };
        yield { name: "b", size: 2, mtime: T0 };
      },
    });
    await t.start();
    expect(t.log).toEqual(["added a", "added b"]);
  });
});

describe("stable-file detection", () => {
  it("with { polls: n } delivers a growing file once, complete, after n unchanged polls", async () => {
    const dir = new FakeDirectory();
    const t = harness({ dir, stableAfter: { polls: 2 } });
    await t.start();
    dir.set("upload.bin", 100, T0 + 1000);
    await t.cycle(); // first seen
    dir.set("upload.bin", 200, T0 + 2000);
    await t.cycle(); // changed: the wait starts again
    dir.set("upload.bin", 300, T0 + 3000);
    await t.cycle(); // changed again
    await t.cycle(); // unchanged once
    expect(t.log).toEqual([]);
    expect(t.stats.slice(1).map((s) => s.deferred)).toEqual([1, 1, 1, 1]);
    await t.cycle(); // unchanged twice: stable
    expect(t.log).toEqual(["added upload.bin"]);
    expect(t.events[0]!.entry).toMatchObject({ size: 300, mtime: T0 + 3000 });
    await t.cycle();
    await t.cycle();
    expect(t.log).toEqual(["added upload.bin"]);
    expect(t.poller.snapshot()).toEqual([{ name: "upload.bin", size: 300, mtime: T0 + 3000, isDirectory: false }]);
  });

  it("with { ms: n } delivers once the size and mtime held still for n ms between listings", async () => {
    const dir = new FakeDirectory();
    const t = harness({ dir, stableAfter: { ms: 2500 } });
    await t.start();
    for (const size of [1, 2, 3]) {
      dir.set("upload.bin", size * 1000, Date.now());
      await t.cycle();
    }
    const lastChange = Date.now(); // the listing that saw size 3000 first
    await t.cycle();
    await t.cycle();
    expect(t.log).toEqual([]); // 2000 ms unchanged so far
    await t.cycle();
    expect(t.log).toEqual(["added upload.bin"]);
    expect(Date.now() - lastChange).toBe(3000);
    expect(t.events[0]!.entry.size).toBe(3000);
  });

  it("holds a modification back until stable too, and delivers the complete state", async () => {
    const dir = new FakeDirectory().set("report.csv", 10, T0);
    const t = harness({ dir, stableAfter: { polls: 1 } });
    await t.start();
    dir.set("report.csv", 20, T0 + 1000);
    await t.cycle();
    dir.set("report.csv", 30, T0 + 2000);
    await t.cycle();
    expect(t.log).toEqual([]);
    await t.cycle();
    expect(t.log).toEqual(["modified report.csv"]);
    expect(t.events[0]).toMatchObject({ entry: { size: 30 }, previous: { size: 10 } });
  });

  it("never delivers a file that vanished before it was stable (nor a removal of it)", async () => {
    const dir = new FakeDirectory();
    const t = harness({ dir, stableAfter: { polls: 2 } });
    await t.start();
    dir.set("tmp.part", 5);
    await t.cycle();
    dir.remove("tmp.part");
    await t.cycle();
    await t.cycle();
    expect(t.log).toEqual([]);
  });

  it("does not delay removals", async () => {
    const dir = new FakeDirectory().set("a", 1, T0);
    const t = harness({ dir, stableAfter: { polls: 3 } });
    await t.start();
    dir.remove("a");
    await t.cycle();
    expect(t.log).toEqual(["removed a"]);
  });
});

describe("delivery and retries", () => {
  it("retries a change whose handler threw, with backoff per entry, until it is processed once; other events proceed", async () => {
    const dir = new FakeDirectory();
    const calls: string[] = [];
    let failuresLeft = 2;
    const t = harness({
      dir,
      retryBackoffMs: 1000,
      handler: async (event) => {
        calls.push(`${event.entry.name}#${event.attempt}@${(Date.now() - T0) / 1000}s`);
        if (event.entry.name === "x" && failuresLeft-- > 0) throw new Error("download failed");
      },
    });
    await t.start(); // t = 0
    dir.set("x", 1).set("y", 1);
    await t.cycle(); // 1 s: x fails (retry not before 2 s), y done
    expect(t.names()).toEqual(["y"]);
    await t.cycle(); // 2 s: x fails again (retry not before 4 s)
    await t.cycle(); // 3 s: x waits
    expect(t.stats[3]).toMatchObject({ deferred: 1, failed: 0 });
    await t.cycle(); // 4 s: x done
    await t.cycle();
    expect(calls).toEqual(["x#1@1s", "y#1@1s", "x#2@2s", "x#3@4s"]);
    expect(t.names()).toEqual(["x", "y"]);
    expect(t.log.filter((line) => line === "added x")).toHaveLength(3); // every consumer sees every attempt; none after the success
    expect(t.errors.map((e) => [e.operation, e.path, e.reason, e.retryable])).toEqual([
      ["poll.deliver", "x", "FAILURE", true],
      ["poll.deliver", "x", "FAILURE", true],
    ]);
    expect(t.errors[1]!.message).toContain("attempt 2");
    expect((t.errors[0]!.cause as Error).message).toBe("download failed");
  });

  it("takes retryBackoffMs as a function of the failure count", async () => {
    const dir = new FakeDirectory();
    const attempts: number[] = [];
    const t = harness({
      dir,
      retryBackoffMs: (failures) => failures * 3000,
      handler: (event) => {
        attempts.push(Date.now() - T0);
        if (event.attempt < 3) throw new Error("no");
      },
    });
    await t.start();
    dir.set("x", 1);
    for (let i = 0; i < 10; i++) await t.cycle();
    expect(attempts).toEqual([1000, 4000, 10_000]);
  });

  it("advances the snapshot only for events every consumer completed (an on() listener that throws counts)", async () => {
    const dir = new FakeDirectory();
    const t = harness({ dir });
    let fail = true;
    const off = t.poller.on("added", async (event) => {
      if (event.entry.name === "b" && fail) throw new Error("listener failed");
    });
    await t.start();
    dir.set("a", 1).set("b", 1);
    await t.cycle();
    expect(t.names()).toEqual(["a"]);
    fail = false;
    await t.cycle();
    expect(t.names()).toEqual(["a", "b"]);
    off();
  });

  it("retries a failed removal as well", async () => {
    const dir = new FakeDirectory().set("a", 1, T0);
    let fail = true;
    const t = harness({
      dir,
      handler: (event) => {
        if (fail) {
          fail = false;
          throw new Error("no");
        }
        void event;
      },
    });
    await t.start();
    dir.remove("a");
    await t.cycle();
    expect(t.names()).toEqual(["a"]);
    await t.cycle();
    expect(t.names()).toEqual([]);
    expect(t.log).toEqual(["removed a", "removed a"]);
  });

  it("runs at most `concurrency` deliveries at once, started in order", async () => {
    const dir = new FakeDirectory();
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const t = harness({
      dir,
      concurrency: 3,
      handler: async (event) => {
        started.push(event.entry.name);
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 100));
        running--;
      },
    });
    await t.start();
    for (const name of ["a", "b", "c", "d", "e", "f", "g"]) dir.set(name, 1);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(500);
    await until(() => t.stats.length === 2);
    expect(most).toBe(3);
    expect(started).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
    expect(t.names()).toHaveLength(7);
  });
});

describe("listing errors", () => {
  it("reports each failed listing as an error event, backs off exponentially (capped) and recovers", async () => {
    const dir = new FakeDirectory().set("a", 1, T0);
    const t = harness({ dir, backoff: { initialMs: 1000, factor: 2, maxMs: 3000 } });
    await t.start(); // 0 s
    dir.failures = 4;
    dir.set("b", 1); // changed during the outage
    for (let i = 0; i < 12; i++) await vi.advanceTimersByTimeAsync(1000);
    await until(() => t.stats.length >= 2);
    expect(t.dir.calls.map((at) => (at - T0) / 1000).slice(0, 7)).toEqual([0, 1, 2, 4, 7, 10, 11]);
    expect(t.errors).toHaveLength(4);
    expect(t.errors.map((e) => e.operation)).toEqual(["poll.list", "poll.list", "poll.list", "poll.list"]);
    expect(t.errors.map((e) => e.message.match(/next try in (\d+) ms/)?.[1])).toEqual(["1000", "2000", "3000", "3000"]);
    expect(t.errors[0]!.message).toContain("connection reset");
    expect(t.log).toEqual(["added b"]);
    expect(t.poller.state).toBe("running");
  });

  it("keeps the reason of an SftpConnectorError from list() and survives a list() that throws synchronously", async () => {
    const { SftpConnectorError } = await import("@sftp-connector/core");
    let mode = 0;
    const t = harness({
      list: () => {
        mode++;
        if (mode === 2) throw new SftpConnectorError("CONNECTION_LOST", "Connection lost", { path: "/inbox" });
        if (mode === 3) throw new TypeError("boom");
        return [{ name: "a", size: 1, mtime: T0, isDirectory: false }];
      },
    });
    await t.start();
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000);
    await t.cycle(2000);
    expect(t.errors.map((e) => [e.reason, e.path])).toEqual([
      ["CONNECTION_LOST", "/inbox"],
      ["FAILURE", undefined],
    ]);
    expect(t.log).toEqual([]);
  });

  it("treats an invalid entry as a failed listing, keeping the snapshot (nothing is reported removed)", async () => {
    let bad = false;
    const t = harness({
      list: () => [{ name: "a", size: 1, mtime: T0, isDirectory: false }, ...(bad ? [{ name: "b", size: -1, mtime: T0 }] : [])],
    });
    await t.start();
    bad = true;
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => t.errors.length === 1);
    expect(t.errors[0]).toMatchObject({ reason: "INVALID_INPUT", operation: "poll.list" });
    expect(t.errors[0]!.message).toContain('entry #1 ("b"): size: expected a number of bytes ≥ 0, got -1');
    expect(t.names()).toEqual(["a"]);
  });

  it("logs errors no listener takes, so nothing fails silently", async () => {
    const dir = new FakeDirectory();
    const logger = { ...silentLogger, error: vi.fn() };
    const poller = createDirectoryPoller({ list: dir.list, intervalMs: 1000, logger });
    pollers.push(poller);
    dir.failures = 1;
    await poller.start();
    await until(() => logger.error.mock.calls.length === 1);
    expect(logger.error.mock.calls[0]![0]).toContain("Listing failed");
    expect(logger.error.mock.calls[0]![1]).toMatchObject({ operation: "poll.list", key: "default" });
  });
});

describe("scheduling and stop", () => {
  it("never overlaps cycles: a slow list() pushes the next cycle back", async () => {
    const dir = new FakeDirectory();
    dir.delayMs = 2500;
    const t = harness({ dir });
    await poller(t).start();
    for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(dir.maxInFlight).toBe(1);
    expect(dir.calls.map((at) => at - T0)).toEqual([0, 3500, 7000]);
  });

  it("stop() waits for the delivery in flight, starts no further event, and they come after the next start", async () => {
    const dir = new FakeDirectory();
    const gate = deferred();
    const handled: string[] = [];
    const t = harness({
      dir,
      handler: async (event) => {
        handled.push(`start ${event.entry.name}`);
        if (event.entry.name === "a") await gate.promise;
        handled.push(`done ${event.entry.name}`);
      },
    });
    await t.start();
    dir.set("a", 1).set("b", 1);
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => handled.length === 1);
    let stopped = false;
    const stopping = t.poller.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    expect(t.poller.state).toBe("stopping");
    gate.resolve();
    await stopping;
    expect(handled).toEqual(["start a", "done a"]);
    expect(t.stats[1]).toMatchObject({ events: { added: 1 }, skipped: 1 });
    expect(t.names()).toEqual(["a"]);
    expect(t.poller.state).toBe("stopped");

    await t.poller.start(); // same (memory) store: resumes from the snapshot
    await until(() => t.stats.length === 3);
    expect(handled).toEqual(["start a", "done a", "start b", "done b"]);
  });

  it("stop() waits for a listing in flight and delivers nothing from it", async () => {
    const dir = new FakeDirectory();
    const t = harness({ dir });
    await t.start();
    dir.delayMs = 500;
    dir.set("a", 1);
    await vi.advanceTimersByTimeAsync(1000); // the listing has begun
    expect(dir.inFlight).toBe(1);
    let stopped = false;
    const stopping = t.poller.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    await stopping;
    expect(t.log).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(dir.calls).toHaveLength(2); // no cycle after stop
  });
});

describe("async iteration", () => {
  it("hands events to a for-await loop with backpressure: the next cycle waits for the loop", async () => {
    const dir = new FakeDirectory({ a: 1, b: 2 });
    const poller = createDirectoryPoller({ list: dir.list, intervalMs: 1000, logger: silentLogger, emitInitial: true });
    pollers.push(poller);
    const seen: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const loop = (async () => {
      for await (const event of poller) {
        seen.push(`${event.type} ${event.entry.name}`);
        await gates[seen.length - 1]?.promise;
        if (seen.length === 3) break;
      }
    })();
    await until(() => seen.length === 1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(dir.calls).toHaveLength(1); // the loop still holds "a": no new cycle
    expect(poller.snapshot()).toEqual([]); // and "a" is not delivered until the loop asks for more
    gates[0]!.resolve();
    await until(() => seen.length === 2);
    expect(poller.snapshot().map((e) => e.name)).toEqual(["a"]);
    gates[1]!.resolve();
    await until(() => poller.snapshot().length === 2);
    dir.set("c", 3);
    await vi.advanceTimersByTimeAsync(1000); // one interval after the loop took the last event
    await until(() => seen.length === 3);
    expect(dir.calls.map((at) => at - T0)).toEqual([0, 6000]);
    gates[2]!.resolve();
    await loop; // break stops the poller
    expect(poller.state).toBe("stopped");
    expect(seen).toEqual(["added a", "added b", "added c"]);
    expect(poller.snapshot().map((e) => e.name)).toEqual(["a", "b"]); // "c" was in hand at the break: delivered again next time
  });

  it("ends the loop when the poller is stopped", async () => {
    const dir = new FakeDirectory();
    const poller = createDirectoryPoller({ list: dir.list, intervalMs: 1000, logger: silentLogger });
    pollers.push(poller);
    let ended = false;
    const loop = (async () => {
      for await (const _event of poller) void _event;
      ended = true;
    })();
    await until(() => dir.calls.length === 1);
    await poller.stop();
    await loop;
    expect(ended).toBe(true);
  });

  it("allows one loop at a time", async () => {
    const poller = createDirectoryPoller({ list: () => [], logger: silentLogger });
    pollers.push(poller);
    const first = poller[Symbol.asyncIterator]();
    expect(() => poller[Symbol.asyncIterator]()).toThrow(/already being iterated/);
    await first.return?.();
  });
});

describe("bad input", () => {
  const list = () => [];
  const problemsOf = (options: unknown): readonly string[] => {
    try {
      createDirectoryPoller(options as DirectoryPollerOptions);
    } catch (error) {
      expect(error).toMatchObject({ name: "SftpConnectorError", reason: "INVALID_CONFIG", operation: "createDirectoryPoller" });
      return (error as SftpConnectorError).problems;
    }
    throw new Error("expected an error");
  };

  it("refuses a negative or absurdly small interval", () => {
    expect(problemsOf({ list, intervalMs: -1 })).toEqual(["intervalMs: expected a number of milliseconds of at least 10, got -1 (it must not be negative)"]);
    expect(problemsOf({ list, intervalMs: 5 })).toEqual(["intervalMs: expected a number of milliseconds of at least 10, got 5"]);
    expect(problemsOf({ list, intervalMs: 0 })[0]).toMatch(/^intervalMs: /);
    expect(problemsOf({ list, intervalMs: Number.NaN })[0]).toMatch(/^intervalMs: /);
    expect(problemsOf({ list, intervalMs: "1000" })[0]).toMatch(/^intervalMs: .*got "1000"/);
    expect(() => createDirectoryPoller({ list, intervalMs: 10 })).not.toThrow();
  });

  it("refuses a list that is not a function", () => {
    expect(problemsOf({})).toEqual(["list: expected a function returning the directory's entries, got undefined undefined"]);
    expect(problemsOf({ list: ["a"] })[0]).toBe("list: expected a function returning the directory's entries, got an array");
    expect(problemsOf(undefined)[0]).toMatch(/^options: /);
  });

  it("refuses an invalid filter, naming where in the filter", () => {
    expect(problemsOf({ list, filter: { field: "fileSize", operator: "WILDCARD", argument: "*" } })).toEqual([
      "filter.operator: Pattern type operators (regex and wildcard) are currently only supported for filenames",
    ]);
    expect(problemsOf({ list, filter: { and: [{ field: "owner", operator: "EQUALS", argument: "x" }] } })).toEqual([
      "filter.and[0].field: Unknown property: owner",
    ]);
    const parse = problemsOf({ list, filter: "fileName ~" });
    expect(parse[0]).toBe("filter: expected a value at column 11, found end of input");
  });

  it("refuses bad stableAfter, compare, concurrency, retryBackoffMs, backoff, store, lock and unknown options, all at once", () => {
    const problems = problemsOf({
      list,
      stableAfter: { polls: 1.5 },
      compare: "size-and-name",
      concurrency: 0,
      retryBackoffMs: -5,
      backoff: { factor: 0.5 },
      store: {},
      lock: { acquire() {} },
      interval: 1000,
    });
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      'unknown option "interval"; did you mean "intervalMs"?',
      "compare",
      "stableAfter",
      "store",
      "lock",
      "concurrency",
      "backoff.factor",
      "retryBackoffMs",
    ]);
  });

  it("accepts { ms } and { polls } for stableAfter, 0 meaning at once", () => {
    expect(() => createDirectoryPoller({ list, stableAfter: { ms: 500 } })).not.toThrow();
    expect(() => createDirectoryPoller({ list, stableAfter: { polls: 0 } })).not.toThrow();
    expect(problemsOf({ list, stableAfter: { polls: 1, ms: 5 } })[0]).toMatch(/^stableAfter: /);
  });

  it("refuses unknown event names in on()", () => {
    const poller = createDirectoryPoller({ list });
    expect(() => poller.on("changed" as "added", () => {})).toThrow(/unknown event "changed"/);
  });
});

/** The poller of a harness (for readability where only the poller matters). */
function poller(t: { poller: DirectoryPoller }): DirectoryPoller {
  return t.poller;
}
