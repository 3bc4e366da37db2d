// Starts a throwaway PostgreSQL 15 server on 127.0.0.1 (Debian's package, host network) for tests of PostgreSQL coordination.
import { freePorts, type ExecResult } from "./startTestbed.js";
import { rejectUnknownOptions, startEngineContainer, type EngineExecOptions } from "./startEngineContainer.js";

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /**
   * The password of the superuser `postgres`. Given, every connection (TCP and the container's own
   * socket) must authenticate with it (`scram-sha-256`); omitted, the server trusts every connection.
   * @default undefined (trust)
   */
  password?: string;
  /** A database to create besides `postgres`; the returned `database` and `connectionString` name it. @default "postgres" */
  database?: string;
  /** Extra server settings, each passed as `-c name=value`, e.g. `{ max_connections: "20" }`. @default {} */
  settings?: Record<string, string>;
  /** The image to run. @default the result of `ensureEngineImage()` (or SFTP_ENGINES_IMAGE) */
  image?: string;
  /** How long starting (and each restart) may take. @default 60000 */
  startupTimeoutMs?: number;
  /** Aborts starting: rejects with the signal's reason and leaves no container behind. */
  signal?: AbortSignal;
}

/** A running PostgreSQL server. It listens on 127.0.0.1 only. */
export interface PostgresServer {
  /** Always `127.0.0.1`. */
  host: string;
  /** The TCP port, free when chosen. */
  port: number;
  /** Always `postgres` (the superuser). */
  user: string;
  /** The superuser's password, when started with one. */
  password?: string;
  /** The database `connectionString` names. */
  database: string;
  /** `postgresql://postgres[:password]@127.0.0.1:PORT/DATABASE`, for `new pg.Pool({ connectionString })`. */
  connectionString: string;
  /** The container's id. */
  containerId: string;
  /**
   * Runs SQL with `psql` inside the container over TCP (`-X -A -t -q`, stop at the first error) and
   * resolves with its output, trimmed: one row a line, columns separated by `|`. Rejects on an SQL error.
   */
  psql(sql: string, options?: { database?: string }): Promise<string>;
  /** Runs `sh -c command` in the container (as `postgres` unless `user` is given); throws on a non-zero exit unless `allowFailure`. */
  exec(command: string, options?: EngineExecOptions): Promise<ExecResult>;
  /** Restarts the container (data survives: it lives in the container) and waits until `pg_isready` answers. */
  restart(): Promise<void>;
  /** Freezes every process of the container (`docker pause`): connections stall, nothing is refused. */
  pause(): Promise<void>;
  /** Thaws a paused container. */
  unpause(): Promise<void>;
  /** Stops and removes the container (unpausing it first when paused). */
  stop(): Promise<void>;
}

const KNOWN_OPTIONS = ["password", "database", "settings", "image", "startupTimeoutMs", "signal"] as const;
const BIN = "/usr/lib/postgresql/15/bin";
const DATA = "/tmp/pgdata";

/** Quotes a string for `sh`. */
const shQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * Starts PostgreSQL 15 (Debian bookworm's package) in a container with host networking, on a free
 * port of 127.0.0.1: `initdb -U postgres -E UTF8 --locale=C.UTF-8 --no-sync` (trust, or
 * `scram-sha-256` with `password`), then `postgres -c listen_addresses=127.0.0.1 -c fsync=off`.
 * Resolves once `pg_isready` answers. Builds the engines image on first use (about a minute).
 *
 * @example
 * ```ts
 * const server = await startPostgres({ password: "secret" });
 * try {
 *   const pool = new pg.Pool({ connectionString: server.connectionString });
 *   console.log((await pool.query("select 1 as one")).rows); // [ { one: 1 } ]
 *   await pool.end();
 * } finally {
 *   await server.stop();
 * }
 * ```
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  rejectUnknownOptions("startPostgres", options, KNOWN_OPTIONS);
  const { password, settings = {}, startupTimeoutMs = 60_000 } = options;
  const database = options.database ?? "postgres";
  if (password !== undefined && (password === "" || password.includes("\n"))) throw new Error("startPostgres: password must be non-empty and one line");
  for (const name of Object.keys(settings)) {
    if (!/^[a-z_][a-z0-9_.]*$/i.test(name)) throw new Error(`startPostgres: settings: not a setting name: ${JSON.stringify(name)}`);
  }
  const [port] = await freePorts(1);
  const serverArgs = [
    "-c listen_addresses=127.0.0.1",
    `-c port=${port}`,
    "-c unix_socket_directories=/tmp",
    "-c fsync=off",
    ...Object.entries(settings).map(([name, value]) => `-c ${shQuote(`${name}=${value}`)}`),
  ].join(" ");
  const auth = password === undefined ? "-A trust" : "-A scram-sha-256 --pwfile=/tmp/pgpw";
  const script = [
    "set -e",
    `if [ ! -f ${DATA}/PG_VERSION ]; then`,
    ...(password === undefined ? [] : [`  (umask 077; printf '%s\\n' ${shQuote(password)} > /tmp/pgpw)`]),
    `  ${BIN}/initdb -D ${DATA} -U postgres ${auth} -E UTF8 --locale=C.UTF-8 --no-sync >/tmp/initdb.log 2>&1 || { cat /tmp/initdb.log; exit 1; }`,
    "  rm -f /tmp/pgpw",
    "fi",
    `exec ${BIN}/postgres -D ${DATA} ${serverArgs}`,
    "",
  ].join("\n");
  const engine = await startEngineContainer({
    caller: "startPostgres",
    image: options.image,
    user: "postgres",
    script,
    readyLine: /database system is ready to accept connections/,
    probe: [`${BIN}/pg_isready`, "-q", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres"],
    execEnv: password === undefined ? {} : { PGPASSWORD: password },
    startupTimeoutMs,
    signal: options.signal,
  });
  const psql: PostgresServer["psql"] = async (sql, psqlOptions = {}) => {
    const argv = [`${BIN}/psql`, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres"];
    const result = await engine.run([...argv, "-d", psqlOptions.database ?? database, "-c", sql], { allowFailure: true });
    if (result.exitCode !== 0) throw new Error(`startPostgres psql failed (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`);
    return result.stdout.trim();
  };
  try {
    if (database !== "postgres") {
      await psql(`CREATE DATABASE "${database.replaceAll('"', '""')}"`, { database: "postgres" });
    }
  } catch (error) {
    await engine.stop().catch(() => {});
    throw error;
  }
  const credentials = password === undefined ? "postgres" : `postgres:${encodeURIComponent(password)}`;
  return {
    host: "127.0.0.1",
    port: port!,
    user: "postgres",
    ...(password === undefined ? {} : { password }),
    database,
    connectionString: `postgresql://${credentials}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    containerId: engine.containerId,
    psql,
    exec: engine.exec,
    restart: engine.restart,
    pause: engine.pause,
    unpause: engine.unpause,
    stop: engine.stop,
  };
}
