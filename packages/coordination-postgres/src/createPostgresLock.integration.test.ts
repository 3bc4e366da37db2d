// The lease on a real PostgreSQL: one holder, renewal keeps the token, expiry by the engine's clock, release, and a lost reply confirmed by owner.
import { beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { randomUUID } from "node:crypto";
import { rejectionOf, type PostgresServer } from "@sftp-connector/testkit";
import { createPostgresCoordination, type PostgresLease, type PostgresQueryable } from "./index.js";
import { usePostgres } from "./usePostgres.js";

const db = usePostgres(6);
let server: PostgresServer;
let pool: pg.Pool;
beforeAll(() => {
  ({ server, pool } = db);
});

/** Two coordinations (owners A and B) of a fresh group. */
function pair(options: { ttlMs?: number } = {}) {
  const key = `group-${randomUUID()}`;
  return {
    key,
    a: createPostgresCoordination({ pool, key, owner: "A", ...options }),
    b: createPostgresCoordination({ pool, key, owner: "B", ...options }),
  };
}

/** The lease row of the group's poller key, by PostgreSQL's clock. */
async function leaseRow(group: string, pollerKey: string) {
  const { rows } = await pool.query(
    `SELECT owner, token::text AS token, acquired_at, expires_at, expires_at > clock_timestamp() AS live
     FROM sftp_connector_leases WHERE namespace = $1 AND poller_key = $2`,
    [group, pollerKey],
  );
  return rows[0] as { owner: string; token: string; acquired_at: Date; expires_at: Date; live: boolean } | undefined;
}

const KEY = "sftp://127.0.0.1:2222/home/tester/inbox";

describe("PostgreSQL lease", () => {
  it("one of two owners holds; renewals keep the token and push the engine's expiry; the other gets false", async () => {
    const { key, a, b } = pair();
    const first = (await a.lock.acquire(KEY)) as PostgresLease;
    expect(first).toMatchObject({ fencingToken: "1", ttlMs: 30_000 });
    expect(await b.lock.acquire(KEY)).toBe(false);
    const before = await leaseRow(key, KEY);
    await pool.query("SELECT pg_sleep(0.05)");
    const renewed = (await a.lock.acquire(KEY)) as PostgresLease;
    expect(renewed.fencingToken).toBe("1");
    const after = await leaseRow(key, KEY);
    expect(after!.expires_at.getTime()).toBeGreaterThan(before!.expires_at.getTime());
    expect(after!.acquired_at).toEqual(before!.acquired_at);
    expect(await b.lock.acquire(KEY)).toBe(false);
    expect(await leaseRow(key, KEY)).toMatchObject({ owner: "A", token: "1", live: true });
  });

  it("after release, the other owner gets it with token + 1; a release by a non-holder changes nothing", async () => {
    const { key, a, b } = pair();
    expect(await a.lock.acquire(KEY)).toMatchObject({ fencingToken: "1" });
    const before = await leaseRow(key, KEY);
    await b.lock.release(KEY); // B does not hold it
    expect(await leaseRow(key, KEY)).toEqual(before);
    expect(await b.lock.acquire(KEY)).toBe(false);
    await a.lock.release(KEY);
    expect(await leaseRow(key, KEY)).toMatchObject({ owner: "A", live: false });
    expect(await b.lock.acquire(KEY)).toMatchObject({ fencingToken: "2" });
    expect(await a.lock.acquire(KEY)).toBe(false);
    await b.lock.release(KEY);
    expect(await a.lock.acquire(KEY)).toMatchObject({ fencingToken: "3" });
  });

  it("a holder that stops renewing loses the lease once PostgreSQL's clock passed its expiry, not before", async () => {
    const { key, a, b } = pair({ ttlMs: 2400 });
    expect(await a.lock.acquire(KEY)).toMatchObject({ fencingToken: "1", ttlMs: 2400 });
    const held = await leaseRow(key, KEY);
    // B asks until it gets it; every refusal must come while the engine still counts A's lease live.
    let refusals = 0;
    let lease: PostgresLease | false = false;
    while (lease === false) {
      const { rows } = await pool.query("SELECT clock_timestamp() AS now");
      lease = await b.lock.acquire(KEY);
      if (lease === false) {
        refusals++;
        expect((rows[0].now as Date).getTime()).toBeLessThan(held!.expires_at.getTime());
        await pool.query("SELECT pg_sleep(0.1)");
      }
    }
    expect(refusals).toBeGreaterThan(0);
    expect(lease.fencingToken).toBe("2");
    const taken = await leaseRow(key, KEY);
    expect(taken!.owner).toBe("B");
    expect(taken!.acquired_at.getTime()).toBeGreaterThanOrEqual(held!.expires_at.getTime());
    expect(await a.lock.acquire(KEY)).toBe(false); // the paused holder comes back: it lost the lease
  });

  it("an acquire whose reply was lost (the write landed) is confirmed by owner on the next acquire, with the engine's token", async () => {
    const key = `group-${randomUUID()}`;
    let dropReplies = true;
    const lossy: PostgresQueryable = {
      async query(config) {
        const result = await pool.query(config as pg.QueryConfig);
        if (dropReplies && /INSERT INTO "public"."sftp_connector_leases"/.test(config.text)) throw new Error("Connection terminated unexpectedly");
        return result;
      },
    };
    const a = createPostgresCoordination({ pool: lossy, key, owner: "A" });
    const b = createPostgresCoordination({ pool, key, owner: "B" });
    expect(await rejectionOf(a.lock.acquire(KEY))).toMatchObject({ reason: "CONNECTION_LOST", retryable: true, operation: "poll.lock" });
    expect(await leaseRow(key, KEY)).toMatchObject({ owner: "A", token: "1", live: true }); // it did land
    expect(await b.lock.acquire(KEY)).toBe(false);
    dropReplies = false;
    expect(await a.lock.acquire(KEY)).toMatchObject({ fencingToken: "1" });
  });

  it("an acquire the frozen engine does not answer rejects TIMEOUT; once it thaws, the owner's next acquire holds", async () => {
    const key = `group-${randomUUID()}`;
    const own = new pg.Pool({ connectionString: server.connectionString, max: 2 });
    try {
      const a = createPostgresCoordination({ pool: own, key, owner: "A", ttlMs: 3000 });
      await a.createTables();
      await server.pause();
      let error: unknown;
      try {
        error = await rejectionOf(a.lock.acquire(KEY));
      } finally {
        await server.unpause();
      }
      expect(error).toMatchObject({ reason: "TIMEOUT", retryable: true });
      expect(await a.lock.acquire(KEY)).toMatchObject({ fencingToken: "1" });
      expect(await createPostgresCoordination({ pool, key, owner: "B" }).lock.acquire(KEY)).toBe(false);
    } finally {
      await own.end();
    }
  });

  it("two groups on one database never meet, and a 1000-character poller key works", async () => {
    const longKey = `sftp://127.0.0.1:2222/${"d/".repeat(490)}inbox`;
    const one = createPostgresCoordination({ pool, key: `one-${randomUUID()}`, owner: "A" });
    const two = createPostgresCoordination({ pool, key: `two-${randomUUID()}`, owner: "B" });
    expect(await one.lock.acquire(longKey)).toMatchObject({ fencingToken: "1" });
    expect(await two.lock.acquire(longKey)).toMatchObject({ fencingToken: "1" });
    expect(await createPostgresCoordination({ pool, key: "other", owner: "C" }).lock.acquire(longKey.slice(0, -1))).toMatchObject({ fencingToken: "1" });
  });
});
