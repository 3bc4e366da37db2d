import { describe, expect, it } from "vitest";
import { createMemoryQueue } from "./createMemoryQueue.js";
import { createWorkConsumer } from "./createWorkConsumer.js";
import { silentLogger } from "./PollerLogger.js";
import type { PollEvent } from "./PollEvent.js";
import type { ClaimedChange } from "./WorkQueue.js";

const added = (name: string, size = 1): PollEvent => ({
  type: "added",
  entry: { name, size, mtime: 1000, isDirectory: false },
  previous: undefined,
  attempt: 1,
  cycle: 1,
});

/** Resolves once `test()` holds, checking after each turn of the event loop (bounded by a count of turns, not by time). */
async function until(test: () => boolean | Promise<boolean>, turns = 500_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (await test()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error("condition not reached");
}

describe("createWorkConsumer", () => {
  it("three workers handle every change once, never two changes of one file at once, in order per file", async () => {
    const queue = createMemoryQueue();
    const events = Array.from({ length: 30 }, (_, i) => added(`f${i % 5}`, i));
    await queue.enqueue("k", events);
    const handled: Array<[string, number]> = [];
    const busy = new Set<string>();
    let overlaps = 0;
    const workers = ["w1", "w2", "w3"].map((consumer) =>
      createWorkConsumer({
        queue,
        key: "k",
        consumer,
        idleMs: 1,
        concurrency: 2,
        logger: silentLogger,
        handler: async (change) => {
          const name = change.event.entry.name;
          if (busy.has(name)) overlaps++;
          busy.add(name);
          await new Promise((r) => setImmediate(r));
          handled.push([name, change.event.entry.size]);
          busy.delete(name);
        },
      }),
    );
    for (const w of workers) w.start();
    await until(async () => (await queue.size("k")) === 0);
    await Promise.all(workers.map((w) => w.stop()));
    expect(overlaps).toBe(0);
    expect(handled).toHaveLength(30);
    for (let f = 0; f < 5; f++) {
      const sizes = handled.filter(([name]) => name === `f${f}`).map(([, size]) => size);
      expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    }
    expect(workers.reduce((sum, w) => sum + w.stats.handled, 0)).toBe(30);
  });

  it("a failing handler gives the change back: it is handled on a later claim with deliveries 2", async () => {
    const queue = createMemoryQueue();
    await queue.enqueue("k", [added("a")]);
    const seen: number[] = [];
    const worker = createWorkConsumer({
      queue,
      key: "k",
      consumer: "w1",
      idleMs: 1,
      retryBackoffMs: 0,
      logger: silentLogger,
      handler: (change) => {
        seen.push(change.deliveries);
        if (change.deliveries === 1) throw new Error("sink down");
      },
    });
    worker.start();
    await until(async () => (await queue.size("k")) === 0);
    await worker.stop();
    expect(seen).toEqual([1, 2]);
    expect(worker.stats).toMatchObject({ handled: 1, failed: 1 });
  });

  it("a lost claim aborts the handler's signal and is not acknowledged", async () => {
    let now = 0;
    const queue = createMemoryQueue({ now: () => now });
    await queue.enqueue("k", [added("a")]);
    let signal: AbortSignal | undefined;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const worker = createWorkConsumer({
      queue,
      key: "k",
      consumer: "w1",
      visibilityMs: 300,
      idleMs: 1,
      logger: silentLogger,
      handler: async (_change: ClaimedChange, lost) => {
        signal = lost;
        await held;
      },
    });
    worker.start();
    await until(() => signal !== undefined);
    now = 10_000; // the claim lapsed on the queue's clock; another worker takes it
    const other = await queue.claim("k", "w2", 300);
    expect(other?.deliveries).toBe(2);
    await until(() => signal?.aborted === true);
    release();
    await worker.stop();
    expect(worker.stats).toMatchObject({ handled: 0, lost: 1 });
    expect(await queue.size("k")).toBe(1);
  });

  it("refuses bad options, naming them", () => {
    expect(() => createWorkConsumer({ queue: createMemoryQueue(), key: "", consumer: "w", handler: () => {}, concurency: 2 } as never)).toThrow(
      /unknown option "concurency"; did you mean "concurrency"\?[\s\S]*key: expected a non-empty string/,
    );
  });
});
