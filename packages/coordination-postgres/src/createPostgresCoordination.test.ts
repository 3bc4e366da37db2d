// Options of createPostgresCoordination, the DDL's names, parameterised statements and timeouts, on a recording stand-in for a pool (no engine).
import { describe, expect, it } from "vitest";
import { rejectionOf } from "@sftp-connector/testkit";
import type { SftpConnectorError } from "@sftp-connector/core";
import { coordinationDdl, createPostgresCoordination, migrate, type PostgresQueryable } from "./index.js";

/** A pool that records every statement and answers `rows` (or never, or with `error`). */
function recordingPool(answer: { rows?: unknown[]; error?: Error; hang?: boolean } = {}) {
  const calls: { text: string; values?: unknown[]; query_timeout?: number }[] = [];
  const pool: PostgresQueryable = {
    query(config) {
      calls.push(config);
      if (answer.hang) return new Promise(() => {});
      if (answer.error) return Promise.reject(answer.error);
      return Promise.resolve({ rows: answer.rows ?? [] });
    },
  };
  return { pool, calls };
}

describe("createPostgresCoordination options", () => {
  it("returns lock, store, queue and owner, and runs nothing when created", () => {
    const { pool, calls } = recordingPool();
    const coordination = createPostgresCoordination({ pool, owner: "worker-1" });
    expect(coordination.owner).toBe("worker-1");
    expect(coordination.lock.owner).toBe("worker-1");
    expect(typeof coordination.store.save).toBe("function");
    expect(typeof coordination.queue.claim).toBe("function");
    expect(calls).toEqual([]);
  });

  it("defaults owner to hostname:pid:random, a new one per coordination", () => {
    const { pool } = recordingPool();
    const a = createPostgresCoordination({ pool }).owner;
    const b = createPostgresCoordination({ pool }).owner;
    expect(a).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{8}$`));
    expect(a).not.toBe(b);
  });

  it("refuses an unknown option, naming the closest", async () => {
    const { pool } = recordingPool();
    const error = await rejectionOf<SftpConnectorError>(() => createPostgresCoordination({ pool, ttl: 5000 } as never));
    expect(error).toMatchObject({ reason: "INVALID_CONFIG" });
    expect(error.message).toContain('unknown option "ttl"; did you mean "ttlMs"?');
  });

  it("refuses every bad value in one INVALID_CONFIG", async () => {
    const error = await rejectionOf<SftpConnectorError>(() =>
      createPostgresCoordination({ pool: {} as never, ttlMs: 500, schema: 'public"; DROP TABLE x; --', tablePrefix: "a-b", owner: "", key: "" }),
    );
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.problems.map((p) => p.split(":")[0])).toEqual(["pool", "key", "ttlMs", "owner", "schema", "tablePrefix"]);
  });

  it("keeps every engine timeout below ttlMs / 3", async () => {
    const { pool } = recordingPool();
    expect((await rejectionOf<SftpConnectorError>(() => createPostgresCoordination({ pool, ttlMs: 3000, operationTimeoutMs: 1000 }))).message).toContain(
      "operationTimeoutMs: expected milliseconds from 1 to below ttlMs / 3 (999)",
    );
    expect(() => createPostgresCoordination({ pool, ttlMs: 3000, operationTimeoutMs: 999 })).not.toThrow();
  });
});

describe("statements", () => {
  it("creates the tables once, then sends the poller key only as a parameter, with the default timeout ttlMs / 4", async () => {
    const { pool, calls } = recordingPool();
    const coordination = createPostgresCoordination({ pool, ttlMs: 8000, schema: "etl", tablePrefix: "x_" });
    const key = "sftp://h/in'; DROP TABLE x_leases; --";
    expect(await coordination.lock.acquire(key)).toBe(false);
    expect(await coordination.lock.acquire(key)).toBe(false);
    expect(calls).toHaveLength(3);
    expect(calls[0]!.text).toBe(coordinationDdl({ schema: "etl", tablePrefix: "x_" }).ddl);
    expect(calls[0]!.values).toBeUndefined();
    for (const call of calls) {
      expect(call.query_timeout).toBe(2000);
      expect(call.text).not.toContain("DROP");
    }
    expect(calls[1]!.text).toContain('INSERT INTO "etl"."x_leases"');
    expect(calls[1]!.values).toContain(key);
  });

  it("with createTables: false, runs no DDL", async () => {
    const { pool, calls } = recordingPool();
    await createPostgresCoordination({ pool, createTables: false }).queue.size("k");
    expect(calls.map((c) => c.text)).toEqual([expect.stringContaining("SELECT count(*)")]);
  });

  it("rejects TIMEOUT (outcome unknown) when the engine does not answer within operationTimeoutMs", async () => {
    const { pool } = recordingPool({ hang: true });
    const coordination = createPostgresCoordination({ pool, ttlMs: 1000, operationTimeoutMs: 50, createTables: false });
    const error = await rejectionOf<SftpConnectorError>(coordination.lock.acquire("k"));
    expect(error).toMatchObject({ reason: "TIMEOUT", retryable: true, operation: "poll.lock" });
    expect(error.message).toContain("outcome unknown");
  });

  it("maps a refused connection to CONNECTION_LOST and a missing schema to INVALID_CONFIG", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    expect(await rejectionOf(createPostgresCoordination({ pool: recordingPool({ error: refused }).pool }).store.load("k"))).toMatchObject({
      reason: "CONNECTION_LOST",
      retryable: true,
      operation: "coordination.createTables",
    });
    const noSchema = Object.assign(new Error('schema "etl" does not exist'), { code: "3F000" });
    expect(await rejectionOf(migrate(recordingPool({ error: noSchema }).pool, { schema: "etl" }))).toMatchObject({ reason: "INVALID_CONFIG" });
  });

  it("a fenced write without a token is INVALID_INPUT and sends nothing", async () => {
    const { pool, calls } = recordingPool();
    const { store, queue } = createPostgresCoordination({ pool, createTables: false });
    expect(await rejectionOf(store.save("k", { entries: [] }))).toMatchObject({ reason: "INVALID_INPUT", operation: "poll.store" });
    const event = { type: "added", entry: { name: "a", size: 1, mtime: 1, isDirectory: false }, previous: undefined, attempt: 1, cycle: 1 } as const;
    expect(await rejectionOf(queue.enqueue("k", [event], {}))).toMatchObject({ reason: "INVALID_INPUT", operation: "poll.queue" });
    expect(await rejectionOf(queue.enqueue("k", [event], { fencingToken: "1; DROP" }))).toMatchObject({ reason: "INVALID_INPUT" });
    expect(calls).toEqual([]);
  });

  it("migrate refuses an already aborted signal before sending anything", async () => {
    const { pool, calls } = recordingPool();
    expect(await rejectionOf(migrate(pool, { signal: AbortSignal.abort() }))).toMatchObject({ reason: "ABORTED" });
    expect(calls).toEqual([]);
  });
});

describe("coordinationDdl", () => {
  it("quotes the schema and the prefixed names, and creates only if missing", () => {
    const { leases, checkpoints, markers, queue, ddl } = coordinationDdl({ schema: "Etl", tablePrefix: "" });
    expect([leases, checkpoints, markers, queue]).toEqual(['"Etl"."leases"', '"Etl"."checkpoints"', '"Etl"."markers"', '"Etl"."queue"']);
    expect(ddl.match(/CREATE TABLE IF NOT EXISTS/g)).toHaveLength(4);
    expect(ddl).not.toMatch(/CREATE (TABLE|INDEX|UNIQUE INDEX) (?!IF NOT EXISTS)/);
  });
});
