// The lease lock on PostgreSQL: one row per poller key, taken and renewed by one upsert whose expiry only PostgreSQL's clock decides.
import type { PollerLock } from "@sftp-connector/poller";
import type { CoordinationTables } from "./coordinationDdl.js";
import type { StatementRunner } from "./createStatementRunner.js";
import { scopeOf } from "./scopeOf.js";

/** What {@link PostgresLock.acquire} resolves while this owner holds the lease. */
export interface PostgresLease {
  /** The fencing token (a decimal bigint): it rises by one whenever the lease starts a new term (a new holder, or a lapsed lease taken again). */
  readonly fencingToken: string;
  /** The lease length: it lasts `ttlMs` from when PostgreSQL ran the acquire (so at least that long from when it was sent). */
  readonly ttlMs: number;
  /** When the lease lapses by PostgreSQL's clock, in epoch ms (informational: never compare it with another machine's clock). */
  readonly expiresAt: number;
}

/** The lease lock of a PostgreSQL coordination: one object stands for one holder, its `owner`. */
export interface PostgresLock extends PollerLock {
  /** Takes the lease for `key`, or renews it when this owner holds it (keeping the token). `false` while another owner holds a live lease. */
  acquire(key: string): Promise<false | PostgresLease>;
  /** Ends this owner's lease on `key` at once (the next holder gets token + 1); a lease this owner does not hold is left alone. */
  release(key: string): Promise<void>;
  /** This holder's identity in the leases table. */
  readonly owner: string;
}

interface LockParts {
  runner: StatementRunner;
  tables: CoordinationTables;
  namespace: string;
  owner: string;
  ttlMs: number;
}

/** Creates the lock of a coordination (see {@link PostgresLock}). */
export function createPostgresLock({ runner, tables, namespace, owner, ttlMs }: LockParts): PostgresLock {
  /** The token of the last acquire that held, per scope: `release` compares it. */
  const tokens = new Map<string, string>();
  // A new term (another owner, or a lapsed lease) takes token + 1; the holder's renewal keeps it. The first row
  // starts above any token a checkpoint was saved under, so a lease row deleted by hand never reuses a token.
  const acquireSql = `INSERT INTO ${tables.leases} AS l (scope, namespace, poller_key, owner, token, acquired_at, expires_at)
VALUES ($1, $2, $3, $4,
  GREATEST((SELECT c.token FROM ${tables.checkpoints} c WHERE c.scope = $1), (SELECT m.last_token FROM ${tables.markers} m WHERE m.scope = $1), 0) + 1,
  clock_timestamp(), clock_timestamp() + $5::integer * interval '1 millisecond')
ON CONFLICT (scope) DO UPDATE SET
  token = CASE WHEN l.owner = EXCLUDED.owner AND l.expires_at > clock_timestamp() THEN l.token ELSE l.token + 1 END,
  acquired_at = CASE WHEN l.owner = EXCLUDED.owner AND l.expires_at > clock_timestamp() THEN l.acquired_at ELSE EXCLUDED.acquired_at END,
  owner = EXCLUDED.owner,
  expires_at = EXCLUDED.expires_at
WHERE l.owner = EXCLUDED.owner OR l.expires_at <= clock_timestamp()
RETURNING l.token::text AS token, floor(extract(epoch FROM l.expires_at) * 1000)::float8 AS expires_at`;
  const releaseSql = `UPDATE ${tables.leases} SET expires_at = clock_timestamp()
WHERE scope = $1 AND owner = $2 AND ($3::bigint IS NULL OR token = $3::bigint) AND expires_at > clock_timestamp()`;

  return {
    owner,
    async acquire(key: string) {
      const scope = scopeOf(namespace, key, "poll.lock");
      let rows: { token: string; expires_at: number }[];
      try {
        rows = await runner.run<{ token: string; expires_at: number }>("poll.lock", `acquiring the lease of ${key}`, acquireSql, [
          scope.id,
          scope.namespace,
          scope.key,
          owner,
          ttlMs,
        ]);
      } catch (error) {
        // Outcome unknown (a timeout): the write may have started a new term; release then goes by owner alone.
        tokens.delete(scope.id);
        throw error;
      }
      const row = rows[0];
      if (row === undefined) {
        tokens.delete(scope.id);
        return false;
      }
      tokens.set(scope.id, row.token);
      return { fencingToken: row.token, ttlMs, expiresAt: Number(row.expires_at) };
    },
    async release(key: string) {
      const scope = scopeOf(namespace, key, "poll.lock");
      // Without a known token (an acquire timed out, or none was made) the owner alone decides: it is this holder's own lease.
      await runner.run("poll.lock", `releasing the lease of ${key}`, releaseSql, [scope.id, owner, tokens.get(scope.id) ?? null]);
      tokens.delete(scope.id);
    },
  };
}
