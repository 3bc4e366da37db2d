// Creates the coordination's tables on demand (for a deploy step or a DBA), with the same DDL the factory runs on first use.
import { abortedError, checkOptions, checkSignalOption, throwIfAborted } from "@sftp-connector/core";
import { coordinationDdl, type CoordinationTablesOptions } from "./coordinationDdl.js";
import { createStatementRunner, type PostgresQueryable } from "./createStatementRunner.js";

/** Options of {@link migrate}. */
export interface MigrateOptions extends CoordinationTablesOptions {
  /** How long the DDL may take. @default 60000 */
  timeoutMs?: number;
  /** Stops waiting (rejects with `ABORTED`); the DDL may still complete on the server. */
  signal?: AbortSignal;
}

/**
 * Creates the tables and indexes of a PostgreSQL coordination in `schema` (`CREATE … IF NOT EXISTS`:
 * running it again changes nothing). Use it in a deploy step with a role that may create tables, and
 * give the services `createTables: false`; `coordinationDdl(options).ddl` is the same SQL as text.
 *
 * @example
 * ```ts
 * await migrate(pool, { schema: "etl" });
 * const coordination = createPostgresCoordination({ pool, schema: "etl", createTables: false });
 * ```
 * @throws SftpConnectorError INVALID_CONFIG for a bad option; the DDL's failure (e.g. PERMISSION_DENIED, INVALID_CONFIG for a missing schema).
 */
export async function migrate(pool: PostgresQueryable, options: MigrateOptions = {}): Promise<void> {
  const given = checkOptions(options, { known: ["schema", "tablePrefix", "timeoutMs", "signal"], operation: "migrate", reason: "INVALID_CONFIG" });
  const signal = checkSignalOption(given.signal, "migrate");
  throwIfAborted(signal, "migrate");
  const tables = coordinationDdl({ schema: given.schema, tablePrefix: given.tablePrefix });
  const runner = createStatementRunner({ pool, tables, timeoutMs: given.timeoutMs ?? 60_000, createTables: false });
  if (signal === undefined) return runner.createTables();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortedError("migrate", undefined, signal));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([runner.createTables(), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}
