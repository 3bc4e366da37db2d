// The fenced checkpoint store on a real PostgreSQL: saves only under the live lease, token beside the checkpoint, init marker, reset; tables and schema.
import { beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { randomUUID } from "node:crypto";
import { rejectionOf } from "@sftp-connector/testkit";
import type { Snapshot } from "@sftp-connector/poller";
import { coordinationDdl, createPostgresCoordination, migrate, type PostgresLease } from "./index.js";
import { usePostgres } from "./usePostgres.js";

const db = usePostgres(4);
let pool: pg.Pool;
beforeAll(() => {
  pool = db.pool;
});

const KEY = "sftp://127.0.0.1:2222/home/tester/inbox";
const snapshot = (...names: string[]): Snapshot => ({
  entries: names.map((name, i) => ({ name, size: i + 1, mtime: 1_700_000_000_000 + i, isDirectory: false })),
});

/** Two coordinations (owners A and B) of a fresh group. */
function pair() {
  const key = `group-${randomUUID()}`;
  return { key, a: createPostgresCoordination({ pool, key, owner: "A" }), b: createPostgresCoordination({ pool, key, owner: "B" }) };
}

/** The checkpoint row of the group's poller key, as stored. */
async function checkpointRow(group: string) {
  const { rows } = await pool.query("SELECT snapshot, token::text AS token FROM sftp_connector_checkpoints WHERE namespace = $1 AND poller_key = $2", [
    group,
    KEY,
  ]);
  return rows[0] as { snapshot: Snapshot; token: string } | undefined;
}

describe("PostgreSQL checkpoint store", () => {
  it("never started: undefined; saved under the live lease: loaded back, with the token stored beside it", async () => {
    const { key, a } = pair();
    expect(await a.store.load(KEY)).toBeUndefined();
    const lease = (await a.lock.acquire(KEY)) as PostgresLease;
    await a.store.save(KEY, { ...snapshot("a.csv", "b.csv"), savedAt: 42 }, { fencingToken: lease.fencingToken });
    expect(await a.store.load(KEY)).toEqual({ ...snapshot("a.csv", "b.csv"), savedAt: 42 });
    expect(await checkpointRow(key)).toMatchObject({ token: lease.fencingToken, snapshot: { entries: snapshot("a.csv", "b.csv").entries } });
  });

  it("after another owner took the lease, a save with the old token rejects LOCK_LOST and leaves the checkpoint as it was", async () => {
    const { key, a, b } = pair();
    const old = (await a.lock.acquire(KEY)) as PostgresLease;
    await a.store.save(KEY, snapshot("a.csv"), { fencingToken: old.fencingToken });
    await a.lock.release(KEY);
    const taken = (await b.lock.acquire(KEY)) as PostgresLease;
    expect(taken.fencingToken).toBe(String(Number(old.fencingToken) + 1));
    const error = await rejectionOf(a.store.save(KEY, snapshot("a.csv", "stale.csv"), { fencingToken: old.fencingToken }));
    expect(error).toMatchObject({ reason: "LOCK_LOST", operation: "poll.store", retryable: false });
    expect(await a.store.load(KEY)).toMatchObject(snapshot("a.csv"));
    expect((await checkpointRow(key))!.token).toBe(old.fencingToken);
    await b.store.save(KEY, snapshot("b.csv"), { fencingToken: taken.fencingToken });
    expect(await checkpointRow(key)).toMatchObject({ token: taken.fencingToken, snapshot: snapshot("b.csv") });
  });

  it("the live token of another owner is refused too (owner and token are both compared), and so is a lapsed lease's", async () => {
    const { key, a, b } = pair();
    const lease = (await a.lock.acquire(KEY)) as PostgresLease;
    expect(await rejectionOf(b.store.save(KEY, snapshot("x"), { fencingToken: lease.fencingToken }))).toMatchObject({ reason: "LOCK_LOST" });
    await pool.query("UPDATE sftp_connector_leases SET expires_at = clock_timestamp() - interval '1 second' WHERE namespace = $1", [key]);
    expect(await rejectionOf(a.store.save(KEY, snapshot("x"), { fencingToken: lease.fencingToken }))).toMatchObject({ reason: "LOCK_LOST" });
    expect(await a.store.load(KEY)).toBeUndefined(); // a refused first save writes no init marker: still "never started"
  });

  it("a checkpoint deleted by hand after a save is an error, never a new baseline; resetState makes it a first run again", async () => {
    const { key, a } = pair();
    const lease = (await a.lock.acquire(KEY)) as PostgresLease;
    await a.store.save(KEY, snapshot("a.csv"), { fencingToken: lease.fencingToken });
    await pool.query("DELETE FROM sftp_connector_checkpoints WHERE namespace = $1", [key]);
    const error = await rejectionOf(a.store.load(KEY));
    expect(error).toMatchObject({ reason: "FAILURE", operation: "poll.store" });
    expect((error as Error).message).toContain(`The checkpoint of ${KEY} is gone although one was saved at`);
    expect((error as Error).message).toContain("resetState");
    await a.store.resetState(KEY);
    expect(await a.store.load(KEY)).toBeUndefined();
    await a.store.save(KEY, snapshot("new.csv"), { fencingToken: lease.fencingToken });
    expect(await a.store.load(KEY)).toMatchObject(snapshot("new.csv"));
  });

  it("a corrupt checkpoint is an error, not an empty snapshot", async () => {
    const { key, a } = pair();
    const lease = (await a.lock.acquire(KEY)) as PostgresLease;
    await a.store.save(KEY, snapshot("a.csv"), { fencingToken: lease.fencingToken });
    await pool.query(`UPDATE sftp_connector_checkpoints SET snapshot = '{"files": []}' WHERE namespace = $1`, [key]);
    expect(await rejectionOf(a.store.load(KEY))).toMatchObject({ reason: "FAILURE", message: expect.stringContaining("corrupt") });
  });

  it("a lease row deleted by hand starts again above the token of the last checkpoint", async () => {
    const { key, a, b } = pair();
    await a.lock.acquire(KEY);
    await a.lock.release(KEY);
    const lease = (await b.lock.acquire(KEY)) as PostgresLease;
    await b.store.save(KEY, snapshot("a.csv"), { fencingToken: lease.fencingToken });
    await pool.query("DELETE FROM sftp_connector_leases WHERE namespace = $1", [key]);
    expect(await a.lock.acquire(KEY)).toMatchObject({ fencingToken: String(Number(lease.fencingToken) + 1) });
  });
});

describe("tables", () => {
  it("are created on first use in the given schema with the given prefix; a missing schema is INVALID_CONFIG", async () => {
    const schema = `s_${randomUUID().slice(0, 8)}`;
    const missing = createPostgresCoordination({ pool, schema, tablePrefix: "lc_" });
    expect(await rejectionOf(missing.lock.acquire(KEY))).toMatchObject({
      reason: "INVALID_CONFIG",
      message: expect.stringContaining(`schema "${schema}" does not exist`),
    });
    await pool.query(`CREATE SCHEMA ${schema}`);
    expect(await missing.lock.acquire(KEY)).toMatchObject({ fencingToken: "1" });
    const { rows } = await pool.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [schema]);
    expect(rows.map((r) => r.table_name)).toEqual(["lc_checkpoints", "lc_leases", "lc_markers", "lc_queue"]);
  });

  it("with createTables: false they must exist: migrate() creates them (twice is harmless), as coordinationDdl shows", async () => {
    const schema = `m_${randomUUID().slice(0, 8)}`;
    await pool.query(`CREATE SCHEMA ${schema}`);
    const coordination = createPostgresCoordination({ pool, schema, createTables: false });
    expect(await rejectionOf(coordination.lock.acquire(KEY))).toMatchObject({ reason: "FAILURE", message: expect.stringContaining("does not exist") });
    await migrate(pool, { schema });
    await migrate(pool, { schema });
    expect(await coordination.lock.acquire(KEY)).toMatchObject({ fencingToken: "1" });
    expect(coordinationDdl({ schema }).ddl).toContain(`CREATE TABLE IF NOT EXISTS "${schema}"."sftp_connector_leases"`);
  });

  it("two coordinations creating the tables at once both succeed", async () => {
    const schema = `r_${randomUUID().slice(0, 8)}`;
    await pool.query(`CREATE SCHEMA ${schema}`);
    const results = await Promise.allSettled(["A", "B", "C"].map((owner) => createPostgresCoordination({ pool, schema, owner, ttlMs: 60_000 }).createTables()));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
  });
});
