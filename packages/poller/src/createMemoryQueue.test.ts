import { describe, expect, it } from "vitest";
import { createMemoryQueue } from "./createMemoryQueue.js";
import type { PollEvent } from "./PollEvent.js";

const added = (name: string, size = 1, mtime = 1000): PollEvent => ({
  type: "added",
  entry: { name, size, mtime, isDirectory: false },
  previous: undefined,
  attempt: 1,
  cycle: 1,
});

describe("createMemoryQueue", () => {
  it("enqueue is idempotent per change (type, name, size, mtime)", async () => {
    const queue = createMemoryQueue();
    await queue.enqueue("k", [added("a"), added("a"), added("b")]);
    await queue.enqueue("k", [added("a")]);
    expect(await queue.size("k")).toBe(2);
    await queue.enqueue("k", [added("a", 2)]);
    expect(queue.peek("k").map((c) => [c.event.entry.name, c.event.entry.size])).toEqual([
      ["a", 1],
      ["b", 1],
      ["a", 2],
    ]);
    expect(await queue.size("other")).toBe(0);
  });

  it("claims the oldest change of each file only: a file's second change waits for the first's ack", async () => {
    const queue = createMemoryQueue({ now: () => 0 });
    await queue.enqueue("k", [added("a", 1), added("a", 2), added("b")]);
    const first = await queue.claim("k", "w1", 1000);
    const second = await queue.claim("k", "w2", 1000);
    expect([first?.event.entry.name, first?.event.entry.size]).toEqual(["a", 1]);
    expect(second?.event.entry.name).toBe("b");
    expect(await queue.claim("k", "w3", 1000)).toBeUndefined();
    expect(await queue.ack("k", first!)).toBe(true);
    const third = await queue.claim("k", "w3", 1000);
    expect([third?.event.entry.name, third?.event.entry.size]).toEqual(["a", 2]);
  });

  it("a lapsed claim is claimed again (deliveries 2) and the first claimant's late ack is refused", async () => {
    let now = 0;
    const queue = createMemoryQueue({ now: () => now });
    await queue.enqueue("k", [added("a")]);
    const first = await queue.claim("k", "w1", 1000);
    expect(first?.deliveries).toBe(1);
    now = 999;
    expect(await queue.claim("k", "w2", 1000)).toBeUndefined();
    now = 1000;
    const again = await queue.claim("k", "w2", 1000);
    expect(again?.deliveries).toBe(2);
    expect(await queue.ack("k", first!)).toBe(false);
    expect(await queue.extend("k", first!, 1000)).toBe(false);
    expect(await queue.ack("k", again!)).toBe(true);
    expect(await queue.size("k")).toBe(0);
  });

  it("release gives a change back after its delay; extend keeps it hidden", async () => {
    let now = 0;
    const queue = createMemoryQueue({ now: () => now });
    await queue.enqueue("k", [added("a")]);
    const claimed = await queue.claim("k", "w1", 1000);
    now = 900;
    expect(await queue.extend("k", claimed!, 1000)).toBe(true);
    now = 1500;
    expect(await queue.claim("k", "w2", 1000)).toBeUndefined();
    expect(await queue.release("k", claimed!, 200)).toBe(true);
    expect(await queue.claim("k", "w2", 1000)).toBeUndefined();
    now = 1700;
    expect((await queue.claim("k", "w2", 1000))?.deliveries).toBe(2);
  });

  it("a fenced queue refuses an enqueue with a stale token and adds nothing", async () => {
    let live = "7";
    const queue = createMemoryQueue({ liveToken: () => live });
    await queue.enqueue("k", [added("a")], { fencingToken: "7" });
    live = "8";
    await expect(queue.enqueue("k", [added("b")], { fencingToken: "7" })).rejects.toMatchObject({ reason: "LOCK_LOST" });
    expect(queue.peek("k").map((c) => [c.event.entry.name, c.fencingToken])).toEqual([["a", "7"]]);
  });
});
