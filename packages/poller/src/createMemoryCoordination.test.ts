import { describe, expect, it } from "vitest";
import { createMemoryCoordination, createMemoryEngine } from "./createMemoryCoordination.js";
import type { PollEvent } from "./PollEvent.js";

const snapshot = (...names: string[]) => ({ entries: names.map((name) => ({ name, size: 1, mtime: 1, isDirectory: false })) });
const added = (name: string): PollEvent => ({
  type: "added",
  entry: { name, size: 1, mtime: 1, isDirectory: false },
  previous: undefined,
  attempt: 1,
  cycle: 1,
});

describe("createMemoryCoordination", () => {
  it("one holder at a time; the token rises by one on each change of holder and stays on renewal", async () => {
    let now = 0;
    const engine = createMemoryEngine(() => now);
    const a = createMemoryCoordination({ engine, owner: "a", ttlMs: 1000 });
    const b = createMemoryCoordination({ engine, owner: "b", ttlMs: 1000 });
    expect(await a.lock.acquire("k")).toMatchObject({ fencingToken: "1", ttlMs: 1000 });
    expect(await b.lock.acquire("k")).toBe(false);
    now = 900;
    expect(await a.lock.acquire("k")).toMatchObject({ fencingToken: "1" });
    now = 1899;
    expect(await b.lock.acquire("k")).toBe(false);
    now = 1900; // a did not renew: its lease lapsed on the engine's clock
    expect(await b.lock.acquire("k")).toMatchObject({ fencingToken: "2" });
    expect(await a.lock.acquire("k")).toBe(false);
    await a.lock.release("k"); // not the holder: changes nothing
    expect(engine.lease("k")).toEqual({ owner: "b", token: "2" });
    await b.lock.release("k");
    expect(await a.lock.acquire("k")).toMatchObject({ fencingToken: "3" });
  });

  it("saves only under the live lease and token; a stale holder gets LOCK_LOST and the checkpoint stays", async () => {
    let now = 0;
    const engine = createMemoryEngine(() => now);
    const a = createMemoryCoordination({ engine, owner: "a", ttlMs: 1000 });
    const b = createMemoryCoordination({ engine, owner: "b", ttlMs: 1000 });
    await a.lock.acquire("k");
    await a.store.save("k", snapshot("x"), { fencingToken: "1" });
    now = 5000;
    await b.lock.acquire("k");
    await expect(a.store.save("k", snapshot("y"), { fencingToken: "1" })).rejects.toMatchObject({ reason: "LOCK_LOST" });
    await expect(a.queue.enqueue("k", [added("y")], { fencingToken: "1" })).rejects.toMatchObject({ reason: "LOCK_LOST" });
    expect(await b.store.load("k")).toEqual(snapshot("x"));
    expect(await b.queue.size("k")).toBe(0);
  });

  it("a store never saved to loads undefined (a first run)", async () => {
    const engine = createMemoryEngine();
    const a = createMemoryCoordination({ engine, owner: "a" });
    expect(await a.store.load("k")).toBeUndefined();
  });
});
