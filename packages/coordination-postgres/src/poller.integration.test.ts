// The coordination under the real poller and work consumer on PostgreSQL: failover from a frozen holder (it delivers nothing more) and shared mode.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { randomUUID } from "node:crypto";
import { waitFor } from "@sftp-connector/testkit";
import { createDirectoryPoller, createWorkConsumer, silentLogger, type DirectoryPoller, type LockChange, type PollEvent } from "@sftp-connector/poller";
import { createPostgresCoordination, type PostgresLease } from "./index.js";
import { usePostgres } from "./usePostgres.js";

const db = usePostgres(6);
let pool: pg.Pool;
beforeAll(() => {
  pool = db.pool;
});
const workers: { poller: DirectoryPoller; thawNow: () => void }[] = [];
afterEach(async () => {
  for (const { poller, thawNow } of workers.splice(0)) {
    thawNow();
    await poller.stop().catch(() => {});
  }
});

const KEY = "sftp://127.0.0.1:2222/home/tester/inbox";
const T0 = Date.parse("2026-01-05T10:00:00Z");

/** A poller of `files` with the lock and store of its own coordination (owner `owner`); `freeze` makes its listing and its lock calls (lease renewals) hang until thawed, as a paused process would. */
function worker(group: string, owner: string, files: Map<string, number>) {
  const coordination = createPostgresCoordination({ pool, key: group, owner, ttlMs: 2400 });
  let frozen = false;
  const held: Array<() => void> = [];
  const hold = async () => {
    if (frozen) await new Promise<void>((resolve) => held.push(resolve));
  };
  const delivered: PollEvent[] = [];
  const locks: LockChange[] = [];
  const errors: string[] = [];
  const poller = createDirectoryPoller({
    key: KEY,
    intervalMs: 50,
    lock: {
      acquire: async (key: string) => {
        await hold();
        return coordination.lock.acquire(key);
      },
      release: (key: string) => coordination.lock.release(key),
    },
    store: coordination.store,
    logger: silentLogger,
    list: async () => {
      await hold();
      return [...files].map(([name, size]) => ({ name, size, mtime: T0, isDirectory: false }));
    },
  });
  poller.on("added", (event) => void delivered.push(event));
  poller.on("lock", (change) => void locks.push(change));
  poller.on("error", (error) => void errors.push(error.reason));
  const handle = {
    poller,
    delivered,
    locks,
    errors,
    freeze: () => {
      frozen = true;
    },
    thawNow: () => {
      frozen = false;
      for (const resume of held.splice(0)) resume();
    },
  };
  workers.push(handle);
  return handle;
}

describe("failover between two pollers on PostgreSQL", () => {
  it("the standby takes over from a frozen holder once its lease lapsed, resumes from its checkpoint, and the old holder delivers nothing more", async () => {
    const group = `group-${randomUUID()}`;
    const files = new Map([["a.csv", 1]]);
    const a = worker(group, "A", files);
    const b = worker(group, "B", files);
    await a.poller.start();
    await waitFor(() => a.locks.some((change) => change.held), "A to hold the lease");
    await b.poller.start();
    files.set("x.csv", 10);
    await waitFor(() => a.delivered.length === 1, "A to deliver x.csv");
    expect(a.delivered[0]).toMatchObject({ entry: { name: "x.csv" }, fencingToken: "1" });
    await waitFor(
      async () => (await pool.query("SELECT snapshot FROM sftp_connector_checkpoints WHERE namespace = $1", [group])).rows[0]?.snapshot.entries.length === 2,
      "A's checkpoint with x.csv",
    );
    expect(b.poller.holdsLock).toBe(false);

    a.freeze(); // A hangs in its listing and its lease renewals, as a paused process would
    files.set("y.csv", 20);
    await waitFor(() => b.delivered.length >= 1, "B to take over and deliver y.csv");
    expect(b.delivered.map((event) => [event.entry.name, event.fencingToken])).toEqual([["y.csv", "2"]]); // x.csv is not delivered again
    const { rows } = await pool.query(
      "SELECT owner, expires_at > clock_timestamp() AS live, token::text AS token FROM sftp_connector_leases WHERE namespace = $1",
      [group],
    );
    expect(rows).toEqual([{ owner: "B", live: true, token: "2" }]);

    files.set("z.csv", 30);
    a.thawNow(); // A wakes up with a listing that shows y.csv and z.csv, its lease long gone
    await waitFor(() => b.delivered.length >= 2, "B to deliver z.csv");
    await waitFor(() => a.locks.some((change) => !change.held), "A to notice it lost the lease");
    expect(a.delivered.map((event) => event.entry.name)).toEqual(["x.csv"]);
    expect(b.delivered.map((event) => event.entry.name)).toEqual(["y.csv", "z.csv"]);
    const checkpoint = await pool.query("SELECT snapshot, token::text AS token FROM sftp_connector_checkpoints WHERE namespace = $1", [group]);
    expect(checkpoint.rows[0].token).toBe("2");
    expect(checkpoint.rows[0].snapshot.entries.map((entry: { name: string }) => entry.name).sort()).toEqual(["a.csv", "x.csv", "y.csv", "z.csv"]);
  });

  it("shared mode: two work consumers drain what the holder enqueued, one change per file at a time", async () => {
    const group = `group-${randomUUID()}`;
    const leader = createPostgresCoordination({ pool, key: group, owner: "A" });
    const follower = createPostgresCoordination({ pool, key: group, owner: "B" });
    const lease = (await leader.lock.acquire(KEY)) as PostgresLease;
    const events: PollEvent[] = [];
    for (let size = 1; size <= 4; size++) {
      for (const name of ["p.csv", "q.csv", "r.csv"])
        events.push({ type: "added", entry: { name, size, mtime: T0 + size, isDirectory: false }, previous: undefined, attempt: 1, cycle: size });
    }
    await leader.queue.enqueue(KEY, events, { fencingToken: lease.fencingToken });
    const busy = new Set<string>();
    const handled: string[] = [];
    let overlaps = 0;
    const consumers = [leader, follower].map((coordination, i) =>
      createWorkConsumer({
        queue: coordination.queue,
        key: KEY,
        consumer: `w${i}`,
        concurrency: 2,
        idleMs: 20,
        logger: silentLogger,
        handler: async (change) => {
          const name = change.event.entry.name;
          if (busy.has(name)) overlaps++;
          busy.add(name);
          await new Promise((resolve) => setTimeout(resolve, 5));
          busy.delete(name);
          handled.push(`${name}#${change.event.entry.size}`);
        },
      }),
    );
    for (const consumer of consumers) consumer.start();
    try {
      await waitFor(async () => handled.length >= events.length && (await leader.queue.size(KEY)) === 0, "the queue to drain");
    } finally {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    }
    expect(overlaps).toBe(0);
    expect(handled).toHaveLength(events.length);
    for (const name of ["p.csv", "q.csv", "r.csv"]) {
      expect(handled.filter((h) => h.startsWith(name))).toEqual([1, 2, 3, 4].map((size) => `${name}#${size}`));
    }
  });
});
