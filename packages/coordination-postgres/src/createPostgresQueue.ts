// The shared work queue on PostgreSQL: a table claimed with FOR UPDATE SKIP LOCKED, visibility by PostgreSQL's clock, one change per file at a time.
import { SftpConnectorError } from "@sftp-connector/core";
import { POLL_EVENT_TYPES, changeIdentity, type ClaimedChange, type FenceContext, type PollEvent, type WorkQueue } from "@sftp-connector/poller";
import { createHash } from "node:crypto";
import type { CoordinationTables } from "./coordinationDdl.js";
import type { StatementRunner } from "./createStatementRunner.js";
import { liveLeaseSql } from "./liveLeaseSql.js";
import { requireFencingToken } from "@sftp-connector/poller";
import { lockLostError } from "./lockLostError.js";
import { scopeOf } from "./scopeOf.js";

interface QueueParts {
  runner: StatementRunner;
  tables: CoordinationTables;
  namespace: string;
  owner: string;
}

interface ChangeRow {
  id: string;
  event: string;
  fencing_token: string;
  deliveries: number;
  receipt: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The longest visibility or delay a claim takes, in ms (a day). */
const MAX_DELAY_MS = 86_400_000;

/** Creates the queue of a coordination (see `WorkQueue` in `@sftp-connector/poller` for the contract). */
export function createPostgresQueue({ runner, tables, namespace, owner }: QueueParts): WorkQueue {
  // Fenced and idempotent in one statement: nothing is added unless the lease of the token is live; a change
  // already waiting or claimed (same identity) is skipped by the unique index.
  const enqueueSql = `WITH ${liveLeaseSql(tables, 2, 3)}, input AS (
  SELECT * FROM jsonb_to_recordset($4::jsonb) AS x(ord integer, file_key text, change_key text, event jsonb)
), added AS (
  INSERT INTO ${tables.queue} (scope, file_key, change_key, event, fencing_token)
  SELECT $1, input.file_key, input.change_key, input.event, lease.token FROM lease, input ORDER BY input.ord
  ON CONFLICT (scope, change_key) DO NOTHING
  RETURNING 1
)
SELECT (SELECT count(*) FROM lease)::integer AS live, (SELECT count(*) FROM added)::integer AS added`;
  // The oldest visible change whose file has no older change waiting or claimed; rows another claim is taking are skipped.
  const claimSql = `WITH candidate AS (
  SELECT q.id FROM ${tables.queue} q
  WHERE q.scope = $1 AND q.visible_at <= clock_timestamp()
    AND NOT EXISTS (SELECT 1 FROM ${tables.queue} o WHERE o.scope = q.scope AND o.file_key = q.file_key AND o.id < q.id)
  ORDER BY q.id
  LIMIT 1
  FOR UPDATE SKIP LOCKED
)
UPDATE ${tables.queue} q
SET deliveries = q.deliveries + 1, visible_at = clock_timestamp() + $2::integer * interval '1 millisecond', receipt = gen_random_uuid(), consumer = $3
FROM candidate WHERE q.id = candidate.id
RETURNING q.id::text AS id, q.event::text AS event, q.fencing_token::text AS fencing_token, q.deliveries, q.receipt::text AS receipt`;
  // A claim is ours while its receipt is the row's: a lapsed claim nobody took again may still be acknowledged.
  const extendSql = `UPDATE ${tables.queue} SET visible_at = clock_timestamp() + $4::integer * interval '1 millisecond'
WHERE scope = $1 AND id = $2::bigint AND receipt = $3::uuid RETURNING 1`;
  const ackSql = `DELETE FROM ${tables.queue} WHERE scope = $1 AND id = $2::bigint AND receipt = $3::uuid RETURNING 1`;
  const releaseSql = `UPDATE ${tables.queue} SET visible_at = clock_timestamp() + $4::integer * interval '1 millisecond', receipt = NULL, consumer = NULL
WHERE scope = $1 AND id = $2::bigint AND receipt = $3::uuid RETURNING 1`;
  const sizeSql = `SELECT count(*)::integer AS size FROM ${tables.queue} WHERE scope = $1`;

  /** Runs a statement about one claim; true when it touched the row. */
  async function onClaim(sql: string, key: string, change: ClaimedChange, what: string, ms?: number): Promise<boolean> {
    const scope = scopeOf(namespace, key, "poll.queue");
    const { id, receipt } = checkClaim(change);
    const rows = await runner.run(
      "poll.queue",
      `${what} change ${id} of ${key}`,
      sql,
      ms === undefined ? [scope.id, id, receipt] : [scope.id, id, receipt, ms],
    );
    return rows.length === 1;
  }

  return {
    async enqueue(key: string, events: readonly PollEvent[], context?: FenceContext) {
      const scope = scopeOf(namespace, key, "poll.queue");
      const token = requireFencingToken(context, "poll.queue");
      if (!Array.isArray(events)) throw new SftpConnectorError("INVALID_INPUT", "events: expected an array of poll events", { operation: "poll.queue" });
      if (events.length === 0) return;
      const input = events.map((event, ord) => {
        checkEvent(event, ord);
        return { ord, file_key: sha256(event.entry.name), change_key: sha256(changeIdentity(event)), event };
      });
      const rows = await runner.run<{ live: number }>("poll.queue", `enqueueing ${events.length} change(s) of ${key}`, enqueueSql, [
        scope.id,
        owner,
        token,
        JSON.stringify(input),
      ]);
      if (rows[0]?.live !== 1) throw lockLostError("poll.queue", `Enqueueing ${events.length} change(s) of ${key}`, token);
    },
    async claim(key: string, consumer: string, visibilityMs: number) {
      const scope = scopeOf(namespace, key, "poll.queue");
      if (typeof consumer !== "string" || consumer.length === 0)
        throw new SftpConnectorError("INVALID_INPUT", "consumer: expected a non-empty string", { operation: "poll.queue" });
      checkMs(visibilityMs, "visibilityMs", 1);
      const rows = await runner.run<ChangeRow>("poll.queue", `claiming a change of ${key}`, claimSql, [scope.id, Math.ceil(visibilityMs), consumer]);
      const row = rows[0];
      if (row === undefined) return undefined;
      const event = JSON.parse(row.event) as PollEvent;
      return {
        id: row.id,
        event: event.type === "added" ? { ...event, previous: undefined } : event,
        fencingToken: row.fencing_token,
        deliveries: Number(row.deliveries),
        receipt: row.receipt,
      };
    },
    async extend(key: string, change: ClaimedChange, visibilityMs: number) {
      checkMs(visibilityMs, "visibilityMs", 1);
      return onClaim(extendSql, key, change, "extending", Math.ceil(visibilityMs));
    },
    async ack(key: string, change: ClaimedChange) {
      return onClaim(ackSql, key, change, "acknowledging");
    },
    async release(key: string, change: ClaimedChange, delayMs: number) {
      checkMs(delayMs, "delayMs", 0);
      return onClaim(releaseSql, key, change, "releasing", Math.ceil(delayMs));
    },
    async size(key: string) {
      const scope = scopeOf(namespace, key, "poll.queue");
      const rows = await runner.run<{ size: number }>("poll.queue", `counting the changes of ${key}`, sizeSql, [scope.id]);
      return Number(rows[0]?.size ?? 0);
    },
  };
}

/** Checks a duration argument. */
function checkMs(value: number, name: string, min: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > MAX_DELAY_MS) {
    throw new SftpConnectorError("INVALID_INPUT", `${name}: expected a number of milliseconds from ${min} to ${MAX_DELAY_MS}, got ${String(value)}`, {
      operation: "poll.queue",
    });
  }
}

/** The id and receipt of a claim, checked (they go into SQL as parameters, cast to bigint and uuid). */
function checkClaim(change: ClaimedChange): { id: string; receipt: string } {
  const id = change?.id;
  const receipt = change?.receipt;
  if (typeof id !== "string" || !/^[0-9]{1,19}$/.test(id) || typeof receipt !== "string" || !/^[0-9a-f-]{36}$/i.test(receipt)) {
    throw new SftpConnectorError("INVALID_INPUT", "change: expected a change as claim() returned it (with its id and receipt)", { operation: "poll.queue" });
  }
  return { id, receipt };
}

/** Checks that an event can be queued: a known type and an entry with name, size and mtime. */
function checkEvent(event: PollEvent, index: number): void {
  const entry = event?.entry;
  if (!POLL_EVENT_TYPES.includes(event?.type) || typeof entry?.name !== "string" || typeof entry.size !== "number" || typeof entry.mtime !== "number") {
    throw new SftpConnectorError("INVALID_INPUT", `events[${index}]: expected a poll event ({ type, entry: { name, size, mtime } })`, {
      operation: "poll.queue",
    });
  }
}
