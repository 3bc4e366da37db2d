// The pure snapshot diff without timers: collect, compare in rdp4j's order, stability, retries, advance, baseline and load.
import { describe, expect, it } from "vitest";
import { SnapshotDiff, type SnapshotDiffOptions } from "./SnapshotDiff.js";
import type { PollEvent } from "./PollEvent.js";

const defaults: SnapshotDiffOptions = {
  accept: undefined,
  acceptIsPure: false,
  includeDirectories: false,
  changed: (a, b) => a.mtime !== b.mtime || a.size !== b.size,
  stableAfter: undefined,
};
const file = (name: string, size: number, mtime = 1000) => ({ name, size, mtime, isDirectory: false });
const show = (events: PollEvent[]) => events.map((e) => `${e.type} ${e.entry.name}`);

describe("SnapshotDiff", () => {
  it("takes a baseline, then reports removed, added, modified in that order; advance moves the snapshot", async () => {
    const diff = new SnapshotDiff(defaults);
    expect(await diff.collect([file("a", 1), file("b", 2), file(".", 0)], 1)).toEqual({ listed: 3, entries: 2 });
    diff.takeBaseline(1);
    expect(diff.entries().map((e) => e.name)).toEqual(["a", "b"]);
    await diff.collect([file("b", 3), file("c", 1)], 2);
    const { events, deferred } = diff.compare(2, 0);
    expect(show(events)).toEqual(["removed a", "added c", "modified b"]);
    expect(deferred).toBe(0);
    for (const event of events) diff.advance(event);
    expect(
      diff
        .entries()
        .map((e) => `${e.name}:${e.size}`)
        .sort(),
    ).toEqual(["b:3", "c:1"]);
    await diff.collect([file("b", 3), file("c", 1)], 3);
    expect(diff.compare(3, 0).events).toEqual([]);
  });

  it("holds a change back until it is stable for { polls: n }", async () => {
    const diff = new SnapshotDiff({ ...defaults, stableAfter: { polls: 1 } });
    diff.load({ entries: [] }, "k");
    await diff.collect([file("a", 1)], 1);
    expect(diff.compare(1, 0)).toEqual({ events: [], deferred: 1 });
    await diff.collect([file("a", 2)], 2); // still growing
    expect(diff.compare(2, 0)).toEqual({ events: [], deferred: 1 });
    await diff.collect([file("a", 2)], 3);
    expect(show(diff.compare(3, 0).events)).toEqual(["added a"]);
  });

  it("defers a failed change until its retry time, then hands it out with the next attempt number", async () => {
    const diff = new SnapshotDiff(defaults);
    diff.load({ entries: [] }, "k");
    await diff.collect([file("a", 1)], 1);
    const [event] = diff.compare(1, 0).events;
    expect(diff.recordFailure(event!.entry.name, 0, (failures) => failures * 100)).toEqual({ failures: 1, delay: 100 });
    await diff.collect([file("a", 1)], 2);
    expect(diff.compare(2, 50)).toEqual({ events: [], deferred: 1 });
    await diff.collect([file("a", 1)], 3);
    expect(diff.compare(3, 100).events).toMatchObject([{ type: "added", attempt: 2 }]);
  });

  it("refuses an invalid entry and a malformed stored snapshot; forget() makes the next cycle a baseline", async () => {
    const diff = new SnapshotDiff(defaults);
    await expect(diff.collect([{ name: "a", size: -1, mtime: 0 }], 1)).rejects.toMatchObject({ reason: "INVALID_INPUT" });
    expect(() => diff.load({ entries: [{ name: "" }] } as never, "k")).toThrow(expect.objectContaining({ reason: "INVALID_CONFIG" }));
    diff.load({ entries: [file("a", 1)] }, "k");
    expect(diff.hasSnapshot).toBe(true);
    diff.forget();
    expect(diff.hasSnapshot).toBe(false);
    expect(diff.size).toBe(0);
  });
});
