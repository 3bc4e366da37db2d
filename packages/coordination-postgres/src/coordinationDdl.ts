// The tables of the PostgreSQL coordination (lease, checkpoint, init marker, queue): their quoted names and the DDL that creates them.
import { SftpConnectorError } from "@sftp-connector/core";

/** Where the coordination's tables live. */
export interface CoordinationTablesOptions {
  /** The schema of the tables. It must exist. @default "public" */
  schema?: string;
  /** What every table and index name starts with. @default "sftp_connector_" */
  tablePrefix?: string;
}

/** The quoted, schema-qualified names of the four tables (safe to put in SQL text). */
export interface CoordinationTables {
  readonly leases: string;
  readonly checkpoints: string;
  readonly markers: string;
  readonly queue: string;
  /** The DDL: `CREATE TABLE IF NOT EXISTS` and `CREATE INDEX IF NOT EXISTS` statements, `;`-separated. */
  readonly ddl: string;
}

/** An unquoted PostgreSQL identifier: a letter or `_`, then letters, digits or `_` (at most 63 bytes, PostgreSQL's limit). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The longest name the prefix is put in front of. */
const LONGEST_SUFFIX = "queue_change".length;

/** Problems with `schema` and `tablePrefix`, one line each (empty when both are fine). */
export function tableNameProblems(options: CoordinationTablesOptions): string[] {
  const problems: string[] = [];
  const { schema = "public", tablePrefix = "sftp_connector_" } = options;
  if (typeof schema !== "string" || !IDENTIFIER.test(schema) || schema.length > 63) {
    problems.push(`schema: expected an identifier (a letter or "_", then letters, digits or "_", at most 63), got ${JSON.stringify(schema)}`);
  }
  if (typeof tablePrefix !== "string" || (tablePrefix !== "" && !IDENTIFIER.test(tablePrefix)) || tablePrefix.length + LONGEST_SUFFIX > 63) {
    problems.push(
      `tablePrefix: expected the start of an identifier (a letter or "_", then letters, digits or "_", at most ${63 - LONGEST_SUFFIX}), got ${JSON.stringify(tablePrefix)}`,
    );
  }
  return problems;
}

/**
 * The table names and the DDL of a PostgreSQL coordination, for a DBA who creates the tables ahead
 * (with `createTables: false` in the factory) or reviews what the factory creates on first use.
 *
 * - `<prefix>leases`: one row per (group, poller key): `owner`, `token` (the fencing token, never reset),
 *   `acquired_at`, `expires_at` (PostgreSQL's clock);
 * - `<prefix>checkpoints`: the snapshot (`jsonb`) and the token it was saved under;
 * - `<prefix>markers`: the init marker, written with the first save and kept apart from the checkpoint,
 *   so a checkpoint that disappears is noticed instead of read as "never started";
 * - `<prefix>queue`: the shared work queue (`mode: "shared"`), unique per change identity.
 *
 * @example
 * ```ts
 * console.log(coordinationDdl({ schema: "etl" }).ddl); // CREATE TABLE IF NOT EXISTS "etl"."sftp_connector_leases" (…
 * ```
 * @throws SftpConnectorError INVALID_CONFIG when `schema` or `tablePrefix` is not an identifier.
 */
export function coordinationDdl(options: CoordinationTablesOptions = {}): CoordinationTables {
  const problems = tableNameProblems(options);
  if (problems.length > 0) {
    throw new SftpConnectorError("INVALID_CONFIG", problems.join("; "), { operation: "coordinationDdl", problems });
  }
  const { schema = "public", tablePrefix = "sftp_connector_" } = options;
  const name = (suffix: string) => `"${tablePrefix}${suffix}"`;
  const table = (suffix: string) => `"${schema}".${name(suffix)}`;
  const leases = table("leases");
  const checkpoints = table("checkpoints");
  const markers = table("markers");
  const queue = table("queue");
  const ddl = [
    `CREATE TABLE IF NOT EXISTS ${leases} (
  scope text PRIMARY KEY,
  namespace text NOT NULL,
  poller_key text NOT NULL,
  owner text NOT NULL,
  token bigint NOT NULL,
  acquired_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${checkpoints} (
  scope text PRIMARY KEY,
  namespace text NOT NULL,
  poller_key text NOT NULL,
  snapshot jsonb NOT NULL,
  token bigint NOT NULL,
  saved_at timestamptz NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${markers} (
  scope text PRIMARY KEY,
  namespace text NOT NULL,
  poller_key text NOT NULL,
  initialized_at timestamptz NOT NULL,
  last_saved_at timestamptz NOT NULL,
  last_token bigint NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${queue} (
  id bigserial PRIMARY KEY,
  scope text NOT NULL,
  file_key text NOT NULL,
  change_key text NOT NULL,
  event jsonb NOT NULL,
  fencing_token bigint NOT NULL,
  deliveries integer NOT NULL DEFAULT 0,
  visible_at timestamptz NOT NULL DEFAULT '-infinity',
  receipt uuid,
  consumer text,
  enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp()
)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${name("queue_change")} ON ${queue} (scope, change_key)`,
    `CREATE INDEX IF NOT EXISTS ${name("queue_file")} ON ${queue} (scope, file_key, id)`,
    `CREATE INDEX IF NOT EXISTS ${name("queue_order")} ON ${queue} (scope, id)`,
  ]
    .map((statement) => `${statement};`)
    .join("\n");
  return { leases, checkpoints, markers, queue, ddl };
}
