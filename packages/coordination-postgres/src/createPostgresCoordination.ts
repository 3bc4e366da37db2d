// The one factory of the package: a lease lock, a fenced checkpoint store and a shared work queue on the user's pg.Pool, sharing one fencing token.
import { SftpConnectorError, checkOptions } from "@sftp-connector/core";
import type { Coordination } from "@sftp-connector/poller";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { coordinationDdl, tableNameProblems } from "./coordinationDdl.js";
import { createPostgresLock, type PostgresLock } from "./createPostgresLock.js";
import { createPostgresQueue } from "./createPostgresQueue.js";
import { createPostgresStore, type PostgresStore } from "./createPostgresStore.js";
import { createStatementRunner, type PostgresQueryable } from "./createStatementRunner.js";

/** Options of {@link createPostgresCoordination}. */
export interface PostgresCoordinationOptions {
  /** Your `pg.Pool` (or anything with pg's `query({ text, values })`). The coordination never ends it. */
  pool: PostgresQueryable;
  /** The group: every row is keyed by it and the poller key, so two groups on one database never meet. @default "sftp-connector" */
  key?: string;
  /** The lease length in ms (PostgreSQL's clock decides expiry). At least 1000. @default 30000 */
  ttlMs?: number;
  /** This holder's identity in the leases table: unique per process (two locks with one owner both "hold"). @default `${hostname}:${pid}:${8 random hex}` */
  owner?: string;
  /** The schema of the tables (it must exist). @default "public" */
  schema?: string;
  /** What every table and index name starts with. @default "sftp_connector_" */
  tablePrefix?: string;
  /** Create the tables (`CREATE TABLE IF NOT EXISTS`) on first use; `false` when a DBA created them with {@link coordinationDdl} or `migrate`. @default true */
  createTables?: boolean;
  /** How long one statement may take before the call rejects with `TIMEOUT` (outcome unknown). Below `ttlMs / 3`. @default Math.floor(ttlMs / 4) */
  operationTimeoutMs?: number;
}

/** What {@link createPostgresCoordination} returns: the lock, store and queue of one engine, sharing the fencing token. */
export interface PostgresCoordination extends Coordination {
  readonly lock: PostgresLock;
  readonly store: PostgresStore;
  /** Creates the tables now (idempotent), e.g. at start-up to fail early; otherwise the first call does. */
  createTables(): Promise<void>;
}

const KNOWN = ["pool", "key", "ttlMs", "owner", "schema", "tablePrefix", "createTables", "operationTimeoutMs"] as const;

/**
 * Coordinates LISTEN across machines on PostgreSQL (issue #14): `lock` is a lease row taken and renewed
 * by one upsert (expiry by `clock_timestamp()`, never an advisory lock) whose fencing token rises on every
 * new term; `store` saves a checkpoint only in the statement that checks the lease `FOR SHARE`, with the
 * token and an init marker beside it; `queue` is a table claimed with `FOR UPDATE SKIP LOCKED`. Every
 * statement is parameterised and bounded by `operationTimeoutMs`. Creating it runs nothing: tables are created on
 * first use unless `createTables: false`.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const { lock, store, queue } = createPostgresCoordination({ pool, key: "etl-inbox", ttlMs: 30_000 });
 * const lease = await lock.acquire("sftp://sftp.example.com/inbox"); // false, or { fencingToken, ttlMs, expiresAt }
 * ```
 * @throws SftpConnectorError INVALID_CONFIG naming every bad or unknown option.
 */
export function createPostgresCoordination(options: PostgresCoordinationOptions): PostgresCoordination {
  const given = checkOptions(options, { known: KNOWN, operation: "createPostgresCoordination", reason: "INVALID_CONFIG" });
  const problems: string[] = [];
  const pool = given.pool;
  if (typeof (pool as Partial<PostgresQueryable> | undefined)?.query !== "function") problems.push("pool: expected a pg.Pool (an object with query())");
  const namespace = given.key ?? "sftp-connector";
  if (typeof namespace !== "string" || namespace.length === 0) problems.push("key: expected a non-empty string (the group's name)");
  const ttlMs = given.ttlMs ?? 30_000;
  const ttlOk = typeof ttlMs === "number" && Number.isInteger(ttlMs) && ttlMs >= 1000 && ttlMs <= 2_147_483_647;
  if (!ttlOk) problems.push(`ttlMs: expected a whole number of milliseconds of at least 1000, got ${String(ttlMs)}`);
  const owner = given.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  if (typeof owner !== "string" || owner.length === 0 || owner.length > 200) problems.push("owner: expected a non-empty string of at most 200 characters");
  problems.push(...tableNameProblems(given));
  const createTables = given.createTables ?? true;
  if (typeof createTables !== "boolean") problems.push(`createTables: expected true or false, got ${typeof createTables}`);
  const timeoutMs = given.operationTimeoutMs ?? (ttlOk ? Math.floor(ttlMs / 4) : 1);
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 1 || (ttlOk && timeoutMs >= ttlMs / 3)) {
    problems.push(
      `operationTimeoutMs: expected milliseconds from 1 to below ttlMs / 3${ttlOk ? ` (${Math.ceil(ttlMs / 3) - 1})` : ""}, got ${String(timeoutMs)}`,
    );
  }
  if (problems.length > 0) {
    const message = problems.length === 1 ? problems[0]! : `Invalid PostgreSQL coordination options:\n${problems.map((p) => `  - ${p}`).join("\n")}`;
    throw new SftpConnectorError("INVALID_CONFIG", message, { operation: "createPostgresCoordination", problems });
  }

  const tables = coordinationDdl(given);
  const runner = createStatementRunner({ pool, tables, timeoutMs, createTables });
  const parts = { runner, tables, namespace, owner };
  return {
    owner,
    lock: createPostgresLock({ ...parts, ttlMs }),
    store: createPostgresStore(parts),
    queue: createPostgresQueue(parts),
    createTables: () => runner.createTables(),
  };
}
