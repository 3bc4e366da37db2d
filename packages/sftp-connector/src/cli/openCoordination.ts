// `listen --coordination URL`: a PostgreSQL or Redis coordination from a URL, its engine client made here and closed with it.
import type { Coordination } from "@sftp-connector/poller";
import { redactProxyUrl } from "./parseProxyUrl.js";
import { UsageError } from "./UsageError.js";

/** A coordination the CLI opened, and how to close the engine client it made for it. */
export interface OpenedCoordination {
  readonly coordination: Coordination;
  /** `postgres` or `redis`. */
  readonly engine: "postgres" | "redis";
  /** Closes the pool or client made for it (after the listener stopped). */
  close(): Promise<void>;
}

/** What {@link openCoordination} needs besides the URL. */
export interface OpenCoordinationOptions {
  /** The engine's password (from `--coordination-password-env`), never part of a message. */
  password?: string;
  /** The lease length in ms. @default the coordination's (30 s) */
  ttlMs?: number;
}

const PG_PACKAGES = "@sftp-connector/coordination-postgres pg";
const REDIS_PACKAGES = "@sftp-connector/coordination-redis ioredis";

/** Loads one of the optional packages a coordination needs, or says what to install. */
async function load<T>(name: string, why: string, install: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new UsageError(`--coordination ${why} needs ${install} installed beside sftp-connector: npm install ${install}`, "listen", "--coordination");
    }
    throw error;
  }
}

/**
 * Opens the coordination a `--coordination` URL names: `postgres://` / `postgresql://` (a `pg.Pool`
 * of 4 connections and `createPostgresCoordination`) or `redis://` / `rediss://` (an ioredis client and
 * `createRedisCoordination`). The password comes from `options.password` (or the URL, which messages
 * never show). Rejects with a UsageError naming `--coordination` for another scheme or a missing package.
 */
export async function openCoordination(url: string, options: OpenCoordinationOptions = {}): Promise<OpenedCoordination> {
  const shown = redactProxyUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--coordination: expected postgres://… or redis://…, got ${JSON.stringify(shown)}`, "listen", "--coordination");
  }
  const ttl = options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs };
  if (parsed.protocol === "postgres:" || parsed.protocol === "postgresql:") {
    const pg = await load<{
      default: { Pool: new (config: Record<string, unknown>) => { end(): Promise<void>; on(event: "error", listener: (error: Error) => void): unknown } };
    }>("pg", shown, PG_PACKAGES);
    const { createPostgresCoordination } = await load<typeof import("@sftp-connector/coordination-postgres")>(
      "@sftp-connector/coordination-postgres",
      shown,
      PG_PACKAGES,
    );
    // pg lets the connection string's fields win over the config's: the password goes into the URL.
    if (options.password !== undefined) parsed.password = encodeURIComponent(options.password);
    const pool = new pg.default.Pool({ connectionString: parsed.href, max: 4 });
    pool.on("error", () => {}); // an idle connection dropped by the server: the next query reconnects
    const coordination = createPostgresCoordination({ pool: pool as never, ...ttl });
    return { coordination, engine: "postgres", close: () => pool.end() };
  }
  if (parsed.protocol === "redis:" || parsed.protocol === "rediss:") {
    const ioredis = await load<{
      Redis: new (
        url: string,
        options: Record<string, unknown>,
      ) => { quit(): Promise<unknown>; disconnect(): void; on(event: "error", listener: (error: Error) => void): unknown };
    }>("ioredis", shown, REDIS_PACKAGES);
    const { createRedisCoordination } = await load<typeof import("@sftp-connector/coordination-redis")>(
      "@sftp-connector/coordination-redis",
      shown,
      REDIS_PACKAGES,
    );
    const client = new ioredis.Redis(url, { maxRetriesPerRequest: 1, ...(options.password === undefined ? {} : { password: options.password }) });
    client.on("error", () => {}); // reconnects on its own; failed calls reach the listener's logger
    const coordination = createRedisCoordination({ client: client as never, ...ttl });
    return {
      coordination,
      engine: "redis",
      close: async () => {
        await client.quit().catch(() => client.disconnect());
      },
    };
  }
  throw new UsageError(`--coordination: expected postgres://… or redis://…, got ${JSON.stringify(shown)}`, "listen", "--coordination");
}
