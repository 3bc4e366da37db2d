// The memory store: a first run reads undefined; snapshots are copies, kept by key.
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "./createMemoryStore.js";

describe("createMemoryStore", () => {
  it("keeps copies of snapshots by key", async () => {
    const store = createMemoryStore();
    expect(await store.load("k")).toBeUndefined();
    const entries = [{ name: "a", size: 1, mtime: 5, isDirectory: false }];
    await store.save("k", { entries, savedAt: 7 });
    entries[0]!.size = 99; // changing the caller's object does not change the stored one
    const loaded = await store.load("k");
    expect(loaded).toEqual({ entries: [{ name: "a", size: 1, mtime: 5, isDirectory: false }], savedAt: 7 });
    (loaded!.entries as unknown as { size: number }[])[0]!.size = 42;
    expect((await store.load("k"))?.entries[0]?.size).toBe(1);
    expect(store.keys()).toEqual(["k"]);
  });
});
