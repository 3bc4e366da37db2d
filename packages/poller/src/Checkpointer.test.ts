// The checkpointer without timers: saves only when dirty, one at a time, mid-cycle at most once a second, and a failed save stays dirty.
import { describe, expect, it } from "vitest";
import { SftpConnectorError } from "@sftp-connector/core";
import { Checkpointer, CHECKPOINT_EVERY_MS } from "./Checkpointer.js";
import type { Snapshot, SnapshotStore } from "./SnapshotStore.js";

function setup(fail = 0) {
  const saved: Snapshot[] = [];
  const errors: SftpConnectorError[] = [];
  let failures = fail;
  const store: SnapshotStore = {
    load: async () => saved.at(-1),
    save: async (_key, snapshot) => {
      if (failures-- > 0) throw new Error("disk full");
      saved.push(snapshot);
    },
  };
  const entries = [{ name: "a", size: 1, mtime: 1, isDirectory: false }];
  const checkpoints = new Checkpointer({ store, key: "k", entries: () => entries, onError: (e) => errors.push(e) });
  return { checkpoints, saved, errors };
}

describe("Checkpointer", () => {
  it("saves only a dirty snapshot", async () => {
    const { checkpoints, saved } = setup();
    await checkpoints.flush();
    expect(saved).toHaveLength(0);
    checkpoints.markDirty();
    await checkpoints.flush();
    await checkpoints.flush();
    expect(saved.map((s) => s.entries.map((e) => e.name))).toEqual([["a"]]);
  });

  it("saves mid-cycle only once the last save is a second old", async () => {
    const { checkpoints, saved } = setup();
    checkpoints.restartClock(10_000);
    checkpoints.changed(10_000 + CHECKPOINT_EVERY_MS - 1);
    await checkpoints.flush(); // the end of the cycle
    expect(saved).toHaveLength(1);
    checkpoints.restartClock(20_000);
    checkpoints.changed(20_000 + CHECKPOINT_EVERY_MS);
    expect(checkpoints.isDirty).toBe(true);
    await checkpoints.flush(); // waits for the save changed() queued
    expect(saved).toHaveLength(2);
  });

  it("reports a failed save as a poll.store error and saves again at the next flush", async () => {
    const { checkpoints, saved, errors } = setup(1);
    checkpoints.markDirty();
    await checkpoints.flush();
    expect(errors.map((e) => [e.reason, e.operation])).toEqual([["FAILURE", "poll.store"]]);
    expect(checkpoints.isDirty).toBe(true);
    await checkpoints.flush();
    expect(saved).toHaveLength(1);
    expect(await checkpoints.load()).toBe(saved[0]);
  });
});

describe("Checkpointer and a lease", () => {
  it("passes the context to save, skips the save when the context is null, and hands LOCK_LOST to onLockLost without retrying", async () => {
    const calls: unknown[][] = [];
    const lost: SftpConnectorError[] = [];
    const errors: SftpConnectorError[] = [];
    let refuse = false;
    let context: { fencingToken?: string } | undefined | null = { fencingToken: "7" };
    const store: SnapshotStore = {
      load: async () => undefined,
      save: async (...args: unknown[]) => {
        calls.push(args.slice(2));
        if (refuse) throw new SftpConnectorError("LOCK_LOST", "stale token", { operation: "poll.store" });
      },
    };
    const checkpoints = new Checkpointer({
      store,
      key: "k",
      entries: () => [],
      context: () => context,
      onError: (e) => errors.push(e),
      onLockLost: (e) => lost.push(e),
    });
    checkpoints.markDirty();
    await checkpoints.flush();
    expect(calls).toEqual([[{ fencingToken: "7" }]]);
    context = null;
    checkpoints.markDirty();
    await checkpoints.flush();
    expect(calls).toHaveLength(1);
    context = { fencingToken: "7" };
    refuse = true;
    await checkpoints.flush();
    expect(lost.map((e) => e.reason)).toEqual(["LOCK_LOST"]);
    expect(errors).toEqual([]);
    expect(checkpoints.isDirty).toBe(false);
    await checkpoints.flush();
    expect(calls).toHaveLength(2);
  });
});
