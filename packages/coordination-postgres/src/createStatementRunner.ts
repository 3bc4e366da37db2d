// Runs the coordination's parameterised statements on the user's pool: tables created on first use, a timeout on every call, errors as SftpConnectorError.
import { SftpConnectorError, isSftpConnectorError, type ErrorReason } from "@sftp-connector/core";
import type { CoordinationTables } from "./coordinationDdl.js";

/**
 * What the coordination needs of a `pg.Pool`: parameterised queries. A `pg.Pool` fits (pass your own;
 * the coordination never ends it); so does a `pg.Client`, which runs the calls one at a time.
 */
export interface PostgresQueryable {
  query(config: { text: string; values?: unknown[]; query_timeout?: number }): Promise<{ rows: unknown[] }>;
}

/** Runs statements for one coordination. */
export interface StatementRunner {
  /** Runs `text` with `values` (after creating the tables once, when asked to) within the timeout; rejects with an SftpConnectorError of `operation`. */
  run<Row>(operation: string, what: string, text: string, values: readonly unknown[]): Promise<Row[]>;
  /** Runs the DDL now (idempotent). */
  createTables(): Promise<void>;
}

interface StatementRunnerOptions {
  pool: PostgresQueryable;
  tables: CoordinationTables;
  timeoutMs: number;
  createTables: boolean;
}

/** PostgreSQL error codes of a concurrent `CREATE … IF NOT EXISTS` that lost a race (the objects exist now). */
const CREATE_RACE_CODES = new Set(["23505", "42P07", "42710"]);

/** Creates the runner of one coordination. */
export function createStatementRunner(options: StatementRunnerOptions): StatementRunner {
  const { pool, tables, timeoutMs } = options;
  let created: Promise<void> | undefined = options.createTables ? undefined : Promise.resolve();

  async function query<Row>(operation: string, what: string, text: string, values?: readonly unknown[]): Promise<Row[]> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sent = pool.query({ text, ...(values === undefined ? {} : { values: [...values] }), query_timeout: timeoutMs });
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("Query read timeout")), timeoutMs);
    });
    try {
      const result = await Promise.race([sent, timedOut]);
      return result.rows as Row[];
    } catch (error) {
      sent.catch(() => {}); // a late failure of a call we gave up on
      throw postgresError(error, operation, what, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  async function createTables(): Promise<void> {
    try {
      await query("coordination.createTables", "creating the coordination tables", tables.ddl);
    } catch (error) {
      const code = codeOf((error as SftpConnectorError).cause);
      if (code === undefined || !CREATE_RACE_CODES.has(code)) throw error;
      await query("coordination.createTables", "creating the coordination tables", tables.ddl); // another process created them meanwhile
    }
  }

  return {
    async run<Row>(operation: string, what: string, text: string, values: readonly unknown[]) {
      if (created === undefined) {
        created = createTables();
        created.catch(() => (created = undefined)); // try again on the next call
      }
      await created;
      return query<Row>(operation, what, text, values);
    },
    createTables,
  };
}

/** The `code` of a pg error (SQLSTATE) or a Node.js system error. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Node.js codes of a connection that failed or dropped. */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * An error of a coordination call as an {@link SftpConnectorError}: a timeout is `TIMEOUT` ("outcome
 * unknown": the statement may still have run), a lost connection `CONNECTION_LOST`, a missing schema
 * `INVALID_CONFIG`, a refused privilege `PERMISSION_DENIED`, anything else `FAILURE`. The message is
 * PostgreSQL's (it never holds the connection string's password).
 */
export function postgresError(error: unknown, operation: string, what: string, timeoutMs: number): SftpConnectorError {
  if (isSftpConnectorError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  let reason: ErrorReason = "FAILURE";
  let text = `PostgreSQL coordination: ${what} failed: ${message}`;
  if (message === "Query read timeout" || code === "57014") {
    reason = "TIMEOUT";
    text = `PostgreSQL coordination: ${what} timed out after ${timeoutMs} ms (outcome unknown: the statement may still have run)`;
  } else if (code === "3F000") {
    reason = "INVALID_CONFIG";
    text = `PostgreSQL coordination: ${what} failed: ${message} (create the schema, or give an existing one in the "schema" option)`;
  } else if (code === "42501") {
    reason = "PERMISSION_DENIED";
  } else if (
    (code !== undefined && (CONNECTION_CODES.has(code) || code.startsWith("08"))) ||
    /Connection terminated|not queryable|Client has encountered a connection error/i.test(message)
  ) {
    reason = "CONNECTION_LOST";
  }
  return new SftpConnectorError(reason, text, {
    operation,
    cause: error,
    retryable: reason === "TIMEOUT" || reason === "CONNECTION_LOST" || code === "40001" || code === "40P01",
  });
}
