// The fenced checkpoint store on PostgreSQL: one statement saves the snapshot, its token and the init marker only under the live lease.
import { SftpConnectorError } from "@sftp-connector/core";
import type { Snapshot, SnapshotEntry, SnapshotStore } from "@sftp-connector/poller";
import type { CoordinationTables } from "./coordinationDdl.js";
import type { StatementRunner } from "./createStatementRunner.js";
import { liveLeaseSql } from "./liveLeaseSql.js";
import { requireFencingToken } from "@sftp-connector/poller";
import { lockLostError } from "./lockLostError.js";
import { scopeOf } from "./scopeOf.js";

/** The checkpoint store of a PostgreSQL coordination. */
export interface PostgresStore extends SnapshotStore {
  /**
   * The snapshot last saved for `key`; `undefined` only when none was ever saved (no init marker).
   * Rejects with `FAILURE` when the init marker is there but the checkpoint is gone (restored backup,
   * hand-made delete): starting over from a new baseline would lose the files that arrived meanwhile.
   */
  load(key: string, context?: { readonly fencingToken?: string }): Promise<Snapshot | undefined>;
  /**
   * Saves `snapshot` for `key` with the token beside it, in one statement that takes the lease row
   * `FOR SHARE` and writes only when the lease is live, held by this owner under `context.fencingToken`
   * (the first save also writes the init marker). Rejects with `LOCK_LOST` otherwise, changing nothing;
   * with `INVALID_INPUT` without a token.
   */
  save(key: string, snapshot: Snapshot, context?: { readonly fencingToken?: string }): Promise<void>;
  /** Removes the checkpoint and the init marker of `key` on purpose: the next start is a first run (a new baseline). */
  resetState(key: string): Promise<void>;
}

interface StoreParts {
  runner: StatementRunner;
  tables: CoordinationTables;
  namespace: string;
  owner: string;
}

/** Creates the store of a coordination (see {@link PostgresStore}). */
export function createPostgresStore({ runner, tables, namespace, owner }: StoreParts): PostgresStore {
  const saveSql = `WITH ${liveLeaseSql(tables, 4, 5)}, saved AS (
  INSERT INTO ${tables.checkpoints} AS c (scope, namespace, poller_key, snapshot, token, saved_at)
  SELECT $1, $2, $3, $6::jsonb, lease.token, clock_timestamp() FROM lease
  ON CONFLICT (scope) DO UPDATE SET snapshot = EXCLUDED.snapshot, token = EXCLUDED.token, saved_at = EXCLUDED.saved_at
  RETURNING 1
), marked AS (
  INSERT INTO ${tables.markers} AS m (scope, namespace, poller_key, initialized_at, last_saved_at, last_token)
  SELECT $1, $2, $3, clock_timestamp(), clock_timestamp(), lease.token FROM lease
  ON CONFLICT (scope) DO UPDATE SET last_saved_at = EXCLUDED.last_saved_at, last_token = EXCLUDED.last_token
  RETURNING 1
)
SELECT (SELECT count(*) FROM saved)::integer AS saved, (SELECT count(*) FROM marked)::integer AS marked`;
  const loadSql = `SELECT c.snapshot::text AS snapshot, c.token::text AS token,
  floor(extract(epoch FROM c.saved_at) * 1000)::float8 AS saved_at,
  m.scope IS NOT NULL AS marked, m.initialized_at::text AS initialized_at, m.last_saved_at::text AS last_saved_at
FROM (SELECT $1::text AS scope) k
LEFT JOIN ${tables.checkpoints} c ON c.scope = k.scope
LEFT JOIN ${tables.markers} m ON m.scope = k.scope`;
  const resetSql = `WITH gone AS (DELETE FROM ${tables.checkpoints} WHERE scope = $1 RETURNING 1)
DELETE FROM ${tables.markers} WHERE scope = $1`;

  return {
    async load(key: string) {
      const scope = scopeOf(namespace, key, "poll.store");
      const rows = await runner.run<{
        snapshot: string | null;
        token: string | null;
        saved_at: number | null;
        marked: boolean;
        initialized_at: string | null;
        last_saved_at: string | null;
      }>("poll.store", `loading the checkpoint of ${key}`, loadSql, [scope.id]);
      const row = rows[0]!;
      if (row.snapshot === null) {
        if (!row.marked) return undefined;
        throw new SftpConnectorError(
          "FAILURE",
          `The checkpoint of ${key} is gone although one was saved at ${row.last_saved_at} (first at ${row.initialized_at}): ` +
            `restore it (table ${tables.checkpoints}), or start over from a new baseline with coordination.store.resetState(key), which delivers nothing that arrived meanwhile`,
          { operation: "poll.store", retryable: false },
        );
      }
      return parseSnapshot(row.snapshot, key, Number(row.saved_at));
    },
    async save(key: string, snapshot: Snapshot, context?: { readonly fencingToken?: string }) {
      const scope = scopeOf(namespace, key, "poll.store");
      const token = requireFencingToken(context, "poll.store");
      const json = JSON.stringify(snapshotJson(snapshot, key));
      const rows = await runner.run<{ saved: number }>("poll.store", `saving the checkpoint of ${key}`, saveSql, [
        scope.id,
        scope.namespace,
        scope.key,
        owner,
        token,
        json,
      ]);
      if (rows[0]?.saved !== 1) throw lockLostError("poll.store", `Saving the checkpoint of ${key}`, token);
    },
    async resetState(key: string) {
      const scope = scopeOf(namespace, key, "poll.store");
      await runner.run("poll.store", `resetting the state of ${key}`, resetSql, [scope.id]);
    },
  };
}

/** The JSON a snapshot is stored as: its entries (name, size, mtime, isDirectory) and `savedAt`. */
function snapshotJson(snapshot: Snapshot, key: string): Snapshot {
  if (typeof snapshot !== "object" || snapshot === null || !Array.isArray(snapshot.entries)) {
    throw new SftpConnectorError("INVALID_INPUT", `snapshot: expected { entries: [...] } for ${key}`, { operation: "poll.store" });
  }
  return {
    entries: snapshot.entries.map(({ name, size, mtime, isDirectory }) => ({ name, size, mtime, isDirectory })),
    ...(snapshot.savedAt === undefined ? {} : { savedAt: snapshot.savedAt }),
  };
}

/** A stored snapshot, checked: a checkpoint that is not one is an error, never "empty". */
function parseSnapshot(text: string, key: string, savedAt: number): Snapshot {
  const corrupt = (why: string) =>
    new SftpConnectorError("FAILURE", `The checkpoint of ${key} is corrupt (${why}): restore it, or reset it with coordination.store.resetState(key)`, {
      operation: "poll.store",
      retryable: false,
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt("not JSON");
  }
  const entries = (value as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) throw corrupt("no entries array");
  const checked: SnapshotEntry[] = [];
  for (const entry of entries as Partial<SnapshotEntry>[]) {
    if (typeof entry?.name !== "string" || typeof entry.size !== "number" || typeof entry.mtime !== "number")
      throw corrupt("an entry without name, size or mtime");
    checked.push({ name: entry.name, size: entry.size, mtime: entry.mtime, isDirectory: entry.isDirectory === true });
  }
  const stored = (value as { savedAt?: unknown }).savedAt;
  return { entries: checked, savedAt: typeof stored === "number" ? stored : savedAt };
}
