// createRedisCoordination against a real Redis 7 (testkit's startRedis): lease and fencing token, fenced checkpoint and init marker, the shared queue, a poller's failover, refusal of a volatile server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { createDirectoryPoller, createWorkConsumer, silentLogger, type ClaimedChange, type DirectoryPoller, type PollEvent } from "@sftp-connector/poller";
import { rejectionOf, startRedis, waitFor, type RedisServer } from "@sftp-connector/testkit";
import { createRedisCoordination, type RedisCoordination, type RedisCoordinationOptions } from "./index.js";

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  redis.on("error", () => {}); // refused reconnects while the server restarts (ioredis retries)
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const rejection = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let keys = 0;
/** A poller key of its own for each test. */
const freshKey = () => `sftp://127.0.0.1:2222/home/tester/inbox-${++keys}-${Date.now()}`;
/** Redis's clock in ms. */
const engineNow = async () => {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
};

function coordination(options: Partial<RedisCoordinationOptions> = {}): RedisCoordination {
  return createRedisCoordination({ client: redis, ...options });
}

/** A held lease's token (fails the test when the lease is not held). */
async function tokenOf(c: RedisCoordination, key: string): Promise<string> {
  const lease = await c.lock.acquire(key);
  if (lease === false) throw new Error(`${c.owner} does not hold ${key}`);
  return lease.fencingToken;
}

const added = (name: string, size = 1, mtime = 1_700_000_000_000): PollEvent => ({
  type: "added",
  entry: { name, size, mtime, isDirectory: false },
  previous: undefined,
  attempt: 1,
  cycle: 1,
});
const modified = (name: string, size: number, mtime = 1_700_000_000_000): PollEvent => ({
  type: "modified",
  entry: { name, size, mtime, isDirectory: false },
  previous: { name, size: size - 1, mtime, isDirectory: false },
  attempt: 1,
  cycle: 2,
});

describe("lease", () => {
  it("one of two owners holds it; the holder renews with the same token; after release the other gets token + 1", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    const b = coordination({ owner: "b" });
    const first = await a.lock.acquire(key);
    expect(first).toMatchObject({ ttlMs: 30_000 });
    expect(await b.lock.acquire(key)).toBe(false);
    const renewed = await a.lock.acquire(key);
    // biome-ignore lint/complexity/useOptionalChain: acquire returns boolean | Lease, and `?.` does not type-check on `true`.
    expect(renewed && renewed.fencingToken).toBe(first && first.fencingToken);
    expect(await redis.get(a.keysFor(key).lease)).toBe("a");
    await a.lock.release(key);
    expect(await redis.exists(a.keysFor(key).lease)).toBe(0);
    const taken = await b.lock.acquire(key);
    expect(taken && BigInt(taken.fencingToken)).toBe(BigInt(first ? first.fencingToken : "0") + 1n);
    expect(await a.lock.acquire(key)).toBe(false);
  });

  it("a holder that stops renewing loses it only once Redis's TTL has passed", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a", ttlMs: 1500 });
    const b = coordination({ owner: "b", ttlMs: 1500 });
    const before = await engineNow(); // b's last renewal runs after this, so its lease ends at before + 1500 or later
    const held = await tokenOf(b, key);
    let lease: Awaited<ReturnType<typeof a.lock.acquire>> = false;
    while (lease === false) {
      lease = await a.lock.acquire(key);
      if (lease === false) await sleep(100);
    }
    // A got it only once Redis's clock passed the end of b's lease.
    expect(await engineNow()).toBeGreaterThanOrEqual(before + 1500);
    expect(BigInt(lease.fencingToken)).toBe(BigInt(held) + 1n);
    expect(await redis.get(a.keysFor(key).lease)).toBe("a");
    expect(await b.lock.acquire(key)).toBe(false);
  });

  it("a release by a non-holder changes nothing", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    const b = coordination({ owner: "b" });
    const token = await tokenOf(a, key);
    await b.lock.release(key);
    expect(await redis.get(a.keysFor(key).lease)).toBe("a");
    expect(await redis.get(a.keysFor(key).token)).toBe(token);
    expect(await b.lock.acquire(key)).toBe(false);
    expect(await tokenOf(a, key)).toBe(token);
  });

  it("an acquire that timed out but landed is confirmed by owner on the next acquire, with Redis's token", async () => {
    const key = freshKey();
    let dropReplies = true;
    // The real client runs every command; while dropReplies is set, the answer never reaches the coordination.
    const call = (...args: unknown[]) => (redis.call as (...a: unknown[]) => Promise<unknown>)(...args);
    const dropping = { call: (...args: unknown[]) => (dropReplies ? (void call(...args).catch(() => {}), new Promise(() => {})) : call(...args)) };
    const a = createRedisCoordination({ client: dropping as unknown as Redis, owner: "a", ttlMs: 30_000, operationTimeoutMs: 500, allowVolatile: true });
    const b = coordination({ owner: "b" });
    const error = await rejection(a.lock.acquire(key));
    expect(error.reason).toBe("TIMEOUT");
    expect(error.message).toContain("outcome is unknown");
    await waitFor(async () => (await redis.get(a.keysFor(key).lease)) === "a", "the timed-out acquire to land");
    expect(await b.lock.acquire(key)).toBe(false);
    dropReplies = false;
    const lease = await a.lock.acquire(key);
    // biome-ignore lint/complexity/useOptionalChain: acquire returns boolean | Lease, and `?.` does not type-check on `true`.
    expect(lease && lease.fencingToken).toBe(await redis.get(a.keysFor(key).token));
  });
});

describe("fenced checkpoint store", () => {
  const snapshot = (...names: string[]) => ({ entries: names.map((name) => ({ name, size: 1, mtime: 1_700_000_000_000, isDirectory: false })), savedAt: 1 });

  it("saves with the live token (stored beside it); after another owner took over, the old token is LOCK_LOST and the checkpoint is unchanged", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    const b = coordination({ owner: "b" });
    const tokenA = await tokenOf(a, key);
    await a.store.save(key, snapshot("one.csv"), { fencingToken: tokenA });
    expect(await b.store.load(key)).toEqual(snapshot("one.csv"));
    expect(await redis.hget(a.keysFor(key).checkpoint, "fencingToken")).toBe(tokenA);

    await a.lock.release(key);
    const tokenB = await tokenOf(b, key);
    const error = await rejection(a.store.save(key, snapshot("one.csv", "two.csv"), { fencingToken: tokenA }));
    expect(error.reason).toBe("LOCK_LOST");
    expect(error.retryable).toBe(false);
    expect(error.operation).toBe("poll.store");
    expect(error.message).toContain(`the live lease has token ${tokenB}`);
    expect(await a.store.load(key)).toEqual(snapshot("one.csv"));
    expect(await redis.hget(a.keysFor(key).checkpoint, "fencingToken")).toBe(tokenA);

    // b's own store with a's token (b holds the lease, but not under that token) is refused too.
    expect((await rejection(b.store.save(key, snapshot("x"), { fencingToken: tokenA }))).reason).toBe("LOCK_LOST");
    await b.store.save(key, snapshot("one.csv", "two.csv"), { fencingToken: tokenB });
    expect(await a.store.load(key)).toEqual(snapshot("one.csv", "two.csv"));
  });

  it("a save after the lease lapsed is LOCK_LOST; a save without a token is INVALID_INPUT", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    const token = await tokenOf(a, key);
    await redis.del(a.keysFor(key).lease); // the lease lapses (as a paused holder's would)
    expect((await rejection(a.store.save(key, snapshot("x"), { fencingToken: token }))).message).toContain("no lease is live");
    const error = await rejection(a.store.save(key, snapshot("x")));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toContain("must be used with its lock");
    expect(await a.store.load(key)).toBeUndefined();
  });

  it("init marker: never started is undefined; a checkpoint deleted after a save is an error; resetState starts over", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    expect(await a.store.load(key)).toBeUndefined();
    await tokenOf(a, key); // holding the lease alone writes no marker
    expect(await a.store.load(key)).toBeUndefined();
    await a.store.save(key, snapshot("one.csv"), { fencingToken: await tokenOf(a, key) });
    expect(await redis.exists(a.keysFor(key).init)).toBe(1);

    await redis.del(a.keysFor(key).checkpoint);
    const error = await rejection(a.store.load(key));
    expect(error.reason).toBe("FAILURE");
    expect(error.message).toContain(`The checkpoint of ${key} is gone although one was saved at`);
    expect(error.message).toContain("resetState");

    await a.store.resetState(key);
    expect(await a.store.load(key)).toBeUndefined();
  });

  it("a token counter deleted by hand restarts above the checkpoint's token (a token is never handed out twice)", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    const token = await tokenOf(a, key);
    await a.store.save(key, snapshot("one.csv"), { fencingToken: token });
    await a.lock.release(key);
    await redis.del(a.keysFor(key).token);
    expect(BigInt(await tokenOf(a, key))).toBe(BigInt(token) + 1n);
  });
});

describe("shared queue", () => {
  it("enqueue is fenced (a stale token adds nothing) and idempotent per change", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    const b = coordination({ owner: "b" });
    const stale = await tokenOf(a, key);
    await a.queue.enqueue(key, [added("a.csv"), added("b.csv")], { fencingToken: stale });
    await a.queue.enqueue(key, [added("a.csv"), added("b.csv"), added("c.csv")], { fencingToken: stale });
    expect(await a.queue.size(key)).toBe(3);

    await a.lock.release(key);
    const live = await tokenOf(b, key);
    const error = await rejection(a.queue.enqueue(key, [added("d.csv")], { fencingToken: stale }));
    expect(error.reason).toBe("LOCK_LOST");
    expect(error.operation).toBe("poll.queue");
    expect(await a.queue.size(key)).toBe(3);
    // A new leader that sees the same changes again adds nothing; a changed file is a new change.
    await b.queue.enqueue(key, [added("a.csv"), added("a.csv", 2)], { fencingToken: live });
    expect(await b.queue.size(key)).toBe(4);
    const change = await b.queue.claim(key, "w1", 30_000);
    expect(change).toMatchObject({ event: added("a.csv"), fencingToken: stale, deliveries: 1 });
  });

  it("never hands two changes of one file out at once, keeps the order per file, and a blocked change does not stall others", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    const token = await tokenOf(a, key);
    await a.queue.enqueue(key, [added("a.csv"), modified("a.csv", 2), added("b.csv"), modified("a.csv", 3)], { fencingToken: token });
    const first = await a.queue.claim(key, "w1", 30_000);
    const second = await a.queue.claim(key, "w2", 30_000);
    expect(first?.event).toEqual(added("a.csv"));
    expect(second?.event).toEqual(added("b.csv"));
    expect(await a.queue.claim(key, "w3", 30_000)).toBeUndefined();
    expect(await a.queue.ack(key, first!)).toBe(true);
    const third = await a.queue.claim(key, "w3", 30_000);
    expect(third?.event).toEqual(modified("a.csv", 2));
    expect(await a.queue.claim(key, "w1", 30_000)).toBeUndefined();
    expect(await a.queue.ack(key, third!)).toBe(true);
    expect((await a.queue.claim(key, "w1", 30_000))?.event).toEqual(modified("a.csv", 3));
    expect(await a.queue.size(key)).toBe(2);
  });

  it("files named like the stream's fields (event, name, identity, fencingToken) come back intact", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    const token = await tokenOf(a, key);
    const names = ["event", "name", "identity", "fencingToken"];
    await a.queue.enqueue(
      key,
      names.map((name) => added(name)),
      { fencingToken: token },
    );
    for (const name of names) expect(await a.queue.claim(key, "w1", 30_000)).toMatchObject({ event: added(name), fencingToken: token, deliveries: 1 });
  });

  it("reads past many changes parked behind an older one of their file", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    const token = await tokenOf(a, key);
    const blocked = Array.from({ length: 450 }, (_, i) => modified("busy.csv", i + 2));
    await a.queue.enqueue(key, [added("busy.csv"), ...blocked, added("free.csv")], { fencingToken: token });
    const head = await a.queue.claim(key, "w1", 30_000);
    expect(head?.event).toEqual(added("busy.csv"));
    expect((await a.queue.claim(key, "w2", 30_000))?.event).toEqual(added("free.csv"));
    expect(await a.queue.claim(key, "w2", 30_000)).toBeUndefined();
    expect(await a.queue.ack(key, head!)).toBe(true);
    expect((await a.queue.claim(key, "w2", 30_000))?.event).toEqual(modified("busy.csv", 2));
  });

  it("redelivers a claim not acknowledged within visibilityMs (deliveries 2); the first claimant's late ack and extend are refused", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    await a.queue.enqueue(key, [added("a.csv")], { fencingToken: await tokenOf(a, key) });
    const before = await engineNow(); // the claim's deadline is at before + 300 or later, by Redis's clock
    const first = await a.queue.claim(key, "w1", 300);
    expect(first?.deliveries).toBe(1);
    let again: ClaimedChange | undefined;
    while (again === undefined) {
      again = await a.queue.claim(key, "w2", 30_000);
      if (again === undefined) await sleep(50);
    }
    expect(await engineNow()).toBeGreaterThanOrEqual(before + 300);
    expect(again.id).toBe(first!.id);
    expect(again.deliveries).toBe(2);
    expect(again.receipt).not.toBe(first!.receipt);
    expect(await a.queue.ack(key, first!)).toBe(false);
    expect(await a.queue.extend(key, first!, 30_000)).toBe(false);
    expect(await a.queue.release(key, first!, 0)).toBe(false);
    expect(await a.queue.size(key)).toBe(1);
    expect(await a.queue.extend(key, again, 30_000)).toBe(true);
    expect(await a.queue.ack(key, again)).toBe(true);
    expect(await a.queue.size(key)).toBe(0);
    expect(await a.queue.claim(key, "w1", 30_000)).toBeUndefined();
    // The acknowledged change left the idempotency index: seen again, it is a new change.
    await a.queue.enqueue(key, [added("a.csv")], { fencingToken: await tokenOf(a, key) });
    expect(await a.queue.size(key)).toBe(1);
  });

  it("release(delay) gives a claim back: hidden for the delay, then claimable again with deliveries + 1", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    await a.queue.enqueue(key, [added("late.csv"), added("soon.csv")], { fencingToken: await tokenOf(a, key) });
    const late = await a.queue.claim(key, "w1", 30_000);
    const soon = await a.queue.claim(key, "w1", 30_000);
    expect(await a.queue.release(key, late!, 600_000)).toBe(true);
    expect(await a.queue.release(key, soon!, 0)).toBe(true);
    expect(await a.queue.ack(key, soon!)).toBe(false);
    const back = await a.queue.claim(key, "w2", 30_000);
    expect(back).toMatchObject({ id: soon!.id, deliveries: 2 });
    expect(await a.queue.claim(key, "w2", 30_000)).toBeUndefined(); // late.csv waits out its delay
    // XPENDING shows who holds what: soon.csv is w2's, late.csv is back with nobody's worker.
    const pending = (await redis.xpending(a.keysFor(key).queue, "workers", "-", "+", 10)) as [string, string, number, number][];
    expect(pending.map(([id, consumer]) => [id, consumer]).sort()).toEqual(
      [
        [soon!.id, "w2"],
        [late!.id, "sftpc:unclaimed"],
      ].sort(),
    );
  });

  it("N workers × M changes: each change handled (at least once), none lost, never two of one file at once, order per file kept", async () => {
    const key = freshKey();
    const leader = coordination({ owner: "leader" });
    const token = await tokenOf(leader, key);
    const files = 8;
    const perFile = 6;
    const events: PollEvent[] = [];
    for (let version = 1; version <= perFile; version++)
      for (let f = 0; f < files; f++) events.push(version === 1 ? added(`f${f}.csv`) : modified(`f${f}.csv`, version));
    await leader.queue.enqueue(key, events, { fencingToken: token });
    expect(await leader.queue.size(key)).toBe(files * perFile);

    const inFlight = new Set<string>();
    const violations: string[] = [];
    const handled = new Map<string, number[]>(); // file → sizes in the order they were acknowledged
    let failures = 0;
    const worker = async (name: string) => {
      const own = coordination({ owner: name });
      let idle = 0;
      while (idle < 20) {
        const change = await own.queue.claim(key, name, 30_000);
        if (change === undefined) {
          idle++;
          await sleep(20);
          continue;
        }
        idle = 0;
        const file = change.event.entry.name;
        if (inFlight.has(file)) violations.push(`${file} claimed twice at once`);
        inFlight.add(file);
        await sleep(1);
        inFlight.delete(file);
        // Every 7th claim fails its handler and is given back (retried later).
        if (++failures % 7 === 0) {
          expect(await own.queue.release(key, change, 0)).toBe(true);
          continue;
        }
        expect(await own.queue.ack(key, change)).toBe(true);
        handled.set(file, [...(handled.get(file) ?? []), change.event.entry.size]);
      }
    };
    await Promise.all(["w1", "w2", "w3", "w4"].map(worker));
    expect(violations).toEqual([]);
    expect(await leader.queue.size(key)).toBe(0);
    expect(handled.size).toBe(files);
    for (const sizes of handled.values()) expect(sizes).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("LISTEN failover with a Redis coordination", () => {
  it("the holder delivers with its token; once it is cut off, the other takes over with token + 1 and resumes from the checkpoint", async () => {
    const key = freshKey();
    const folder = new Map<string, number>([["old.csv", 1]]);
    const list = () => [...folder].map(([name, size]) => ({ name, size, mtime: 1_700_000_000_000, isDirectory: false }));
    const delivered: { by: string; name: string; token: string | undefined }[] = [];

    // Machine A is cut off on demand (a partition, or a hung process): its commands no longer reach Redis and never answer.
    let aSilent = false;
    const call = (...args: unknown[]) => (redis.call as (...a: unknown[]) => Promise<unknown>)(...args);
    const aClient = { call: (...args: unknown[]) => (aSilent ? new Promise(() => {}) : call(...args)) } as unknown as Redis;
    const a = createRedisCoordination({ client: aClient, owner: "machine-a", ttlMs: 1500 });
    const b = createRedisCoordination({ client: redis, owner: "machine-b", ttlMs: 1500 });

    const poller = (by: string, c: typeof a): DirectoryPoller =>
      createDirectoryPoller({
        list,
        key,
        intervalMs: 50,
        lock: c.lock,
        store: c.store,
        logger: silentLogger,
        handler: async (event) => void delivered.push({ by, name: event.entry.name, token: event.fencingToken }),
      });
    const pollerA = poller("a", a);
    const pollerB = poller("b", b);
    pollerA.on("error", () => {}); // timeouts while cut off are expected
    pollerB.on("error", () => {});
    try {
      await pollerA.start();
      await waitFor(() => pollerA.holdsLock, "machine A to hold the lease");
      await pollerB.start();
      const tokenA = await redis.get(a.keysFor(key).token);

      folder.set("x.csv", 5);
      await waitFor(() => delivered.some((d) => d.name === "x.csv"), "x.csv to be delivered");
      await waitFor(async () => (await redis.hget(a.keysFor(key).checkpoint, "snapshot"))?.includes("x.csv") === true, "A's checkpoint to hold x.csv");
      expect(pollerB.holdsLock).toBe(false);

      aSilent = true;
      await waitFor(() => pollerB.holdsLock, "machine B to take over", 30_000);
      expect(await redis.get(a.keysFor(key).lease)).toBe("machine-b");
      expect(await redis.hget(a.keysFor(key).checkpoint, "fencingToken")).toBe(tokenA);

      folder.set("y.csv", 7);
      await waitFor(() => delivered.some((d) => d.name === "y.csv"), "y.csv to be delivered");
      await waitFor(async () => (await redis.hget(a.keysFor(key).checkpoint, "fencingToken")) !== tokenA, "B's checkpoint");
      expect(delivered).toEqual([
        { by: "a", name: "x.csv", token: tokenA },
        { by: "b", name: "y.csv", token: String(Number(tokenA) + 1) },
      ]);
      expect(pollerA.holdsLock).toBe(false);
    } finally {
      await pollerB.stop();
      aSilent = false;
      await pollerA.stop();
    }
  });
});

describe("shared mode with the poller's work consumers", () => {
  it("two consumers drain what the holder enqueued, one change per file at a time, in order; a failed handler's change comes back", async () => {
    const key = freshKey();
    const leader = coordination({ owner: "leader" });
    const follower = coordination({ owner: "follower" });
    const token = await tokenOf(leader, key);
    const events: PollEvent[] = [];
    for (let size = 1; size <= 4; size++) for (const name of ["p.csv", "q.csv", "r.csv"]) events.push(size === 1 ? added(name) : modified(name, size));
    await leader.queue.enqueue(key, events, { fencingToken: token });
    const busy = new Set<string>();
    const handled: string[] = [];
    let overlaps = 0;
    let failedOnce = false;
    const consumers = [leader, follower].map((c, i) =>
      createWorkConsumer({
        queue: c.queue,
        key,
        consumer: `w${i}`,
        concurrency: 2,
        idleMs: 20,
        retryBackoffMs: 0,
        logger: silentLogger,
        handler: async (change) => {
          const name = change.event.entry.name;
          if (busy.has(name)) overlaps++;
          busy.add(name);
          await sleep(5);
          busy.delete(name);
          if (name === "q.csv" && change.event.entry.size === 2 && !failedOnce) {
            failedOnce = true;
            throw new Error("handler failed once");
          }
          handled.push(`${name}#${change.event.entry.size}#${change.deliveries}`);
        },
      }),
    );
    for (const consumer of consumers) consumer.start();
    try {
      await waitFor(async () => handled.length >= events.length && (await leader.queue.size(key)) === 0, "the queue to drain");
    } finally {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    }
    expect(overlaps).toBe(0);
    expect(handled).toHaveLength(events.length);
    for (const name of ["p.csv", "r.csv"]) expect(handled.filter((h) => h.startsWith(name))).toEqual([1, 2, 3, 4].map((size) => `${name}#${size}#1`));
    expect(handled.filter((h) => h.startsWith("q.csv"))).toEqual(["q.csv#1#1", "q.csv#2#2", "q.csv#3#1", "q.csv#4#1"]);
  });
});

describe("a Redis restart", () => {
  it("keeps the checkpoint, the fencing token, the lease and the queue (appendonly)", async () => {
    const key = freshKey();
    const a = coordination({ owner: "a" });
    const token = await tokenOf(a, key);
    const snapshot = { entries: [{ name: "kept.csv", size: 1, mtime: 1_700_000_000_000, isDirectory: false }], savedAt: 1 };
    await a.store.save(key, snapshot, { fencingToken: token });
    await a.queue.enqueue(key, [added("q1.csv"), added("q2.csv")], { fencingToken: token });
    const claimed = await a.queue.claim(key, "w1", 600_000);

    await server.restart();
    await waitFor(async () => (await redis.ping().catch(() => "")) === "PONG", "the client to reconnect");

    expect(await a.store.load(key)).toEqual(snapshot);
    expect(await tokenOf(a, key)).toBe(token);
    expect(await coordination({ owner: "b" }).lock.acquire(key)).toBe(false);
    expect(await a.queue.size(key)).toBe(2);
    expect((await a.queue.claim(key, "w2", 30_000))?.event).toEqual(added("q2.csv"));
    expect(await a.queue.ack(key, claimed!)).toBe(true);
  });
});

describe("a server that may lose state", () => {
  let volatile: RedisServer;
  let volatileClient: Redis;
  beforeAll(async () => {
    volatile = await startRedis({ appendonly: false });
    volatileClient = new Redis(volatile.url);
  });
  afterAll(async () => {
    volatileClient?.disconnect();
    await volatile?.stop();
  });

  it("appendonly off is refused with INVALID_CONFIG naming allowVolatile, by check() and on first use; allowVolatile: true accepts it", async () => {
    const c = createRedisCoordination({ client: volatileClient });
    const error = await rejection(c.check());
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.message).toContain("allowVolatile");
    expect(error.message).toContain("aof_enabled:0");
    expect(error.problems[0]).toMatch(/^allowVolatile: /);
    const key = freshKey();
    expect((await rejection(c.lock.acquire(key))).reason).toBe("INVALID_CONFIG");
    expect(await volatileClient.exists(c.keysFor(key).lease)).toBe(0);

    const allowed = createRedisCoordination({ client: volatileClient, allowVolatile: true });
    expect(await allowed.check()).toMatchObject({ aofEnabled: false, problems: [expect.stringContaining("appendonly is off")] });
    expect(await allowed.lock.acquire(key)).toMatchObject({ fencingToken: "1" });
  });

  it("an evicting maxmemory-policy is refused too; noeviction with appendonly passes", async () => {
    const c = createRedisCoordination({ client: redis });
    expect(await c.check()).toEqual({ aofEnabled: true, maxmemoryPolicy: "noeviction", problems: [] });
    await redis.config("SET", "maxmemory-policy", "allkeys-lru");
    try {
      const error = await rejection(createRedisCoordination({ client: redis }).lock.acquire(freshKey()));
      expect(error.reason).toBe("INVALID_CONFIG");
      expect(error.message).toContain("maxmemory-policy is allkeys-lru");
      expect((await createRedisCoordination({ client: redis, allowVolatile: true }).check()).maxmemoryPolicy).toBe("allkeys-lru");
    } finally {
      await redis.config("SET", "maxmemory-policy", "noeviction");
    }
  });
});
