// The shared work queue on a real PostgreSQL: fenced idempotent enqueue, one change per file at a time, visibility by the engine's clock, N consumers.
import { beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { randomUUID } from "node:crypto";
import { rejectionOf } from "@sftp-connector/testkit";
import type { ClaimedChange, PollEvent } from "@sftp-connector/poller";
import { createPostgresCoordination, type PostgresCoordination, type PostgresLease } from "./index.js";
import { usePostgres } from "./usePostgres.js";

const db = usePostgres(8);
let pool: pg.Pool;
beforeAll(() => {
  pool = db.pool;
});

const KEY = "sftp://127.0.0.1:2222/home/tester/inbox";

/** A change of `name` to `size` bytes. */
const change = (name: string, size: number, type: "added" | "modified" = "added"): PollEvent =>
  type === "added"
    ? { type, entry: { name, size, mtime: 1_700_000_000_000 + size, isDirectory: false }, previous: undefined, attempt: 1, cycle: 1 }
    : {
        type,
        entry: { name, size, mtime: 1_700_000_000_000 + size, isDirectory: false },
        previous: { name, size: size - 1, mtime: 1, isDirectory: false },
        attempt: 1,
        cycle: 2,
      };

/** A leader (owner A, holding the lease) and a follower (owner B) of a fresh group. */
async function group(): Promise<{ leader: PostgresCoordination; follower: PostgresCoordination; token: string }> {
  const key = `group-${randomUUID()}`;
  const leader = createPostgresCoordination({ pool, key, owner: "A" });
  const follower = createPostgresCoordination({ pool, key, owner: "B" });
  const lease = (await leader.lock.acquire(KEY)) as PostgresLease;
  return { leader, follower, token: lease.fencingToken };
}

/** Waits `seconds` by PostgreSQL's clock (the clock that decides visibility). */
const engineSleep = (seconds: number) => pool.query("SELECT pg_sleep($1)", [seconds]);

describe("PostgreSQL work queue", () => {
  it("enqueue is fenced: a stale or foreign token rejects LOCK_LOST and adds nothing", async () => {
    const { leader, follower, token } = await group();
    await leader.lock.release(KEY);
    const next = (await follower.lock.acquire(KEY)) as PostgresLease;
    expect(await rejectionOf(leader.queue.enqueue(KEY, [change("a.csv", 1)], { fencingToken: token }))).toMatchObject({
      reason: "LOCK_LOST",
      operation: "poll.queue",
      retryable: false,
    });
    expect(await rejectionOf(leader.queue.enqueue(KEY, [change("a.csv", 1)], { fencingToken: next.fencingToken }))).toMatchObject({ reason: "LOCK_LOST" });
    expect(await leader.queue.size(KEY)).toBe(0);
    await follower.queue.enqueue(KEY, [change("a.csv", 1)], { fencingToken: next.fencingToken });
    expect(await leader.queue.size(KEY)).toBe(1);
    const claimed = await leader.queue.claim(KEY, "w1", 30_000);
    expect(claimed).toMatchObject({ event: change("a.csv", 1), fencingToken: next.fencingToken, deliveries: 1 });
  });

  it("is idempotent per change (type, name, size, mtime) while it waits or is claimed, even for a new leader", async () => {
    const { leader, follower, token } = await group();
    const events = [change("a.csv", 1), change("b.csv", 1), change("a.csv", 2, "modified")];
    await leader.queue.enqueue(KEY, [...events, change("a.csv", 1)], { fencingToken: token });
    await leader.queue.enqueue(KEY, events, { fencingToken: token });
    expect(await leader.queue.size(KEY)).toBe(3);
    const first = (await follower.queue.claim(KEY, "w1", 30_000))!;
    await leader.lock.release(KEY);
    const next = (await follower.lock.acquire(KEY)) as PostgresLease;
    await follower.queue.enqueue(KEY, events, { fencingToken: next.fencingToken }); // the new leader re-sees them all
    expect(await leader.queue.size(KEY)).toBe(3);
    expect(await follower.queue.ack(KEY, first)).toBe(true);
    await follower.queue.enqueue(KEY, [events[0]!], { fencingToken: next.fencingToken }); // acknowledged: a new occurrence is queued again
    expect(await leader.queue.size(KEY)).toBe(3);
  });

  it("hands out one change per file at a time, oldest first, in enqueue order per file", async () => {
    const { leader, follower, token } = await group();
    await leader.queue.enqueue(KEY, [change("f.csv", 1), change("f.csv", 2, "modified"), change("g.csv", 1), change("f.csv", 3, "modified")], {
      fencingToken: token,
    });
    const one = (await leader.queue.claim(KEY, "w1", 30_000))!;
    const two = (await follower.queue.claim(KEY, "w2", 30_000))!;
    expect([one.event.entry.name, one.event.entry.size, two.event.entry.name]).toEqual(["f.csv", 1, "g.csv"]);
    expect(await follower.queue.claim(KEY, "w3", 30_000)).toBeUndefined(); // f.csv#2 waits for f.csv#1
    expect(await leader.queue.ack(KEY, one)).toBe(true);
    const three = (await follower.queue.claim(KEY, "w3", 30_000))!;
    expect(three.event).toMatchObject({ type: "modified", entry: { name: "f.csv", size: 2 }, previous: { size: 1 } });
    expect(await follower.queue.claim(KEY, "w1", 30_000)).toBeUndefined();
    expect(Number(three.id)).toBeGreaterThan(Number(one.id));
  });

  it("redelivers a claim not acknowledged within visibilityMs (by the engine's clock); the first claimant's late ack and extend return false", async () => {
    const { leader, follower, token } = await group();
    await leader.queue.enqueue(KEY, [change("a.csv", 1)], { fencingToken: token });
    const first = (await leader.queue.claim(KEY, "w1", 300))!;
    expect(first.deliveries).toBe(1);
    await engineSleep(0.4);
    const second = (await follower.queue.claim(KEY, "w2", 30_000))!;
    expect(second).toMatchObject({ id: first.id, deliveries: 2 });
    expect(await leader.queue.ack(KEY, first)).toBe(false);
    expect(await leader.queue.extend(KEY, first, 30_000)).toBe(false);
    expect(await leader.queue.release(KEY, first, 0)).toBe(false);
    expect(await leader.queue.size(KEY)).toBe(1);
    expect(await follower.queue.ack(KEY, second)).toBe(true);
    expect(await leader.queue.size(KEY)).toBe(0);
  });

  it("extend keeps a claim hidden past its first deadline", async () => {
    const { leader, follower, token } = await group();
    await leader.queue.enqueue(KEY, [change("a.csv", 1)], { fencingToken: token });
    const claimed = (await leader.queue.claim(KEY, "w1", 300))!;
    expect(await leader.queue.extend(KEY, claimed, 30_000)).toBe(true);
    await engineSleep(0.4);
    expect(await follower.queue.claim(KEY, "w2", 30_000)).toBeUndefined();
    expect(await leader.queue.ack(KEY, claimed)).toBe(true);
  });

  it("release(delayMs) gives a claim back: claimable again once the delay passed, with deliveries counting claims", async () => {
    const { leader, follower, token } = await group();
    await leader.queue.enqueue(KEY, [change("a.csv", 1)], { fencingToken: token });
    const first = (await leader.queue.claim(KEY, "w1", 30_000))!;
    expect(await leader.queue.release(KEY, first, 2000)).toBe(true);
    expect(await follower.queue.claim(KEY, "w2", 30_000)).toBeUndefined();
    await engineSleep(2.1);
    const second = (await follower.queue.claim(KEY, "w2", 30_000))!;
    expect(second).toMatchObject({ id: first.id, deliveries: 2 });
    expect(await follower.queue.release(KEY, second, 0)).toBe(true);
    expect(await leader.queue.claim(KEY, "w1", 30_000)).toMatchObject({ id: first.id, deliveries: 3 });
  });

  it("N consumers × M changes: each handled at least once, none lost, never two changes of one file at once, order per file kept", async () => {
    const { leader, follower, token } = await group();
    const files = ["a.csv", "b.csv", "c.csv", "d.csv", "e.csv"];
    const versions = 6;
    for (let size = 1; size <= versions; size++) {
      await leader.queue.enqueue(
        KEY,
        files.map((name) => change(name, size, size === 1 ? "added" : "modified")),
        { fencingToken: token },
      );
    }
    expect(await leader.queue.size(KEY)).toBe(files.length * versions);
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    const acked = new Map<string, number[]>(files.map((name) => [name, []]));
    let handled = 0;
    let released = 0;
    const consumer = async (name: string, coordination: PostgresCoordination) => {
      let idle = 0;
      while (idle < 5) {
        const claimed: ClaimedChange | undefined = await coordination.queue.claim(KEY, name, 30_000);
        if (claimed === undefined) {
          idle = (await coordination.queue.size(KEY)) === 0 ? idle + 1 : 0;
          await new Promise((resolve) => setTimeout(resolve, 10));
          continue;
        }
        idle = 0;
        const file = claimed.event.entry.name;
        if (inFlight.has(file)) overlaps.push(`${file}#${claimed.event.entry.size}`);
        inFlight.add(file);
        handled++;
        await new Promise((resolve) => setTimeout(resolve, (Number(claimed.id) % 4) * 3));
        inFlight.delete(file);
        if (Number(claimed.id) % 7 === 0 && claimed.deliveries === 1) {
          released++;
          expect(await coordination.queue.release(KEY, claimed, 0)).toBe(true); // a failed handler: retried later
          continue;
        }
        acked.get(file)!.push(claimed.event.entry.size);
        expect(await coordination.queue.ack(KEY, claimed)).toBe(true);
      }
    };
    await Promise.all([consumer("w1", leader), consumer("w2", follower), consumer("w3", leader), consumer("w4", follower)]);
    expect(overlaps).toEqual([]);
    expect(released).toBeGreaterThan(0);
    expect(handled).toBe(files.length * versions + released);
    for (const name of files) expect(acked.get(name)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await leader.queue.size(KEY)).toBe(0);
  });
});
