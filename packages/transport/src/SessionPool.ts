// A pool of sessions per identical config: a max per key, idle eviction, a health check before reuse, FIFO waiters with a timeout, drain on close.
import { createHash } from "node:crypto";
import {
  SftpConnectorError,
  abortedError,
  isSftpConnectorError,
  quotePath,
  throwIfAborted,
  type ConnectionConfig,
  type NormalizedConnectionConfig,
} from "@sftp-connector/core";
import { openSession, toNormalizedConfig, type OpenSessionOptions } from "./openSession.js";
import type { SftpSession } from "./SftpSession.js";

/** Something that lends sessions: a pool, or a provider that opens one per use. */
export interface SessionProvider {
  /** A session ready for use; an aborted `signal` ends the wait (for a free session, or a connection being opened) with `ABORTED`. */
  acquire(options?: AcquireOptions): Promise<SftpSession>;
  /** Gives a session back; `broken` (or a closed session) means it must not be reused. */
  release(session: SftpSession, options?: { broken?: boolean }): void;
  /**
   * Removes a remote file of ours (e.g. an upload's unique temporary file) as soon as a session is
   * available again: for cleanup that failed because the connection was lost. Optional.
   */
  removeWhenReconnected?(path: string): void;
  /**
   * Sessions `acquire` could hand out now without waiting (idle ones, and room to open more). A
   * transfer over several sessions adds a session only while this is above 0, so it never waits
   * on a full pool for an extra one (nor starves other callers). Optional: without it, extra
   * sessions are asked for as needed.
   */
  available?(): number;
}

/** Options of {@link SessionProvider.acquire}. */
export interface AcquireOptions {
  /** Stops waiting: for a free session of a full pool, or for a connection being opened. */
  signal?: AbortSignal;
}

/** Options of {@link SessionPool}. */
export interface SessionPoolOptions extends OpenSessionOptions {
  /** Most sessions open at once. @default config.pool.max, else 10 */
  max?: number;
  /** Close a session unused this long, in ms. @default config.pool.idleMs, else 3 h */
  idleMs?: number;
  /** How long `acquire` waits for a free session, in ms; 0 = no limit. @default config.timeouts.connectMs */
  acquireTimeoutMs?: number;
  /** A session idle longer than this (ms) is checked with a round trip before it is handed out. @default 5000 */
  healthCheckAfterMs?: number;
  /** Opens a session (for tests and custom transports). @default openSession */
  open?: (config: NormalizedConnectionConfig, options: OpenSessionOptions) => Promise<SftpSession>;
}

interface Waiter {
  resolve(session: SftpSession | null): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

interface Idle {
  session: SftpSession;
  since: number;
  timer: NodeJS.Timeout;
}

/**
 * Lends sessions for one config. At most `max` are open at once; callers beyond that wait in
 * arrival order (and time out). An idle session is closed after `idleMs`; one idle for more than
 * `healthCheckAfterMs` gets a round trip before reuse; a session the server killed is replaced,
 * never handed out.
 */
export class SessionPool implements SessionProvider {
  private readonly config: NormalizedConnectionConfig;
  private readonly options: SessionPoolOptions;
  private readonly idle: Idle[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly active = new Set<SftpSession>();
  private opening = 0;
  private draining: Promise<void> | undefined;
  /** True once a session was opened: a later refusal means the server went away (restarting), not a wrong address. */
  private connectedBefore = false;
  /** Files to remove on the next session handed out (see {@link SessionPool.removeWhenReconnected}). */
  private readonly pendingRemovals = new Set<string>();
  /** Most sessions open at once. */
  readonly max: number;
  /** Most sessions ever open at once (for tests and metrics). */
  peak = 0;

  constructor(config: ConnectionConfig | NormalizedConnectionConfig, options: SessionPoolOptions = {}) {
    this.config = toNormalizedConfig(config);
    this.options = options;
    const poolConfig = this.config.pool || undefined;
    this.max = options.max ?? poolConfig?.max ?? 10;
    if (!Number.isInteger(this.max) || this.max < 1) {
      throw new SftpConnectorError("INVALID_CONFIG", `pool.max: expected an integer of at least 1, got ${this.max}`, { operation: "pool" });
    }
  }

  /** Sessions open now (in use, idle, or being opened). */
  get size(): number {
    return this.active.size + this.idle.length + this.opening;
  }

  /** Sessions `acquire` hands out now without waiting: idle ones plus room to open more, less the callers already waiting. */
  available(): number {
    if (this.draining) return 0;
    return Math.max(0, this.idle.length + Math.max(0, this.max - this.size) - this.waiters.length);
  }

  /** Callers waiting for a session. */
  get pending(): number {
    return this.waiters.length;
  }

  async acquire(options: AcquireOptions = {}): Promise<SftpSession> {
    const session = await this.acquireSession(options.signal);
    if (this.pendingRemovals.size > 0) await this.removePending(session);
    return session;
  }

  /**
   * Remembers a remote file of ours to remove on the next session this pool hands out, for a
   * cleanup that failed because the connection was lost (an upload's unique temporary file left
   * by a server that went away mid-upload). Removal is tried once per later `acquire` while it
   * fails with a lost connection; a file already gone counts as removed; other failures are logged
   * and dropped. Only for names nobody else can be using.
   */
  removeWhenReconnected(path: string): void {
    if (!this.draining) this.pendingRemovals.add(path);
  }

  /** Files still to remove (for tests and metrics). */
  get pendingRemovalCount(): number {
    return this.pendingRemovals.size;
  }

  private async removePending(session: SftpSession): Promise<void> {
    const paths = [...this.pendingRemovals];
    this.pendingRemovals.clear();
    await Promise.all(
      paths.map(async (path) => {
        try {
          await session.unlink(path);
          this.options.logger?.info(`removed ${quotePath(path)}, left behind when the connection was lost`);
        } catch (error) {
          const reason = (error as SftpConnectorError).reason;
          if (reason === "NO_SUCH_FILE") return;
          if (reason === "CONNECTION_LOST" || reason === "TIMEOUT") this.pendingRemovals.add(path);
          else this.options.logger?.warn(`could not remove ${quotePath(path)}, left behind when the connection was lost: ${(error as Error).message}`);
        }
      }),
    );
  }

  private async acquireSession(signal: AbortSignal | undefined): Promise<SftpSession> {
    for (;;) {
      throwIfAborted(signal, "acquire");
      if (this.draining) throw new SftpConnectorError("CONNECTION_LOST", "the session pool is closed", { operation: "acquire", retryable: false });
      // Claimed before any await: a caller asking `available()` right after `acquire()` sees this one counted.
      const reused = this.idle.length > 0 ? await this.takeIdle() : undefined;
      if (reused) return reused;
      if (this.draining) throw new SftpConnectorError("CONNECTION_LOST", "the session pool is closed", { operation: "acquire", retryable: false });
      if (this.size < this.max) return this.openNew(signal);
      const handed = await this.wait(signal);
      if (handed) {
        this.active.add(handed);
        return handed;
      }
      // null: a slot was freed; loop to take an idle session or open one.
    }
  }

  private async takeIdle(): Promise<SftpSession | undefined> {
    while (this.idle.length > 0) {
      const { session, since, timer } = this.idle.pop()!;
      clearTimeout(timer);
      this.active.add(session);
      if (session.closed) {
        this.active.delete(session);
        continue;
      }
      if (Date.now() - since > (this.options.healthCheckAfterMs ?? 5_000)) {
        const healthy = await session.stat(".").then(
          () => true,
          () => false,
        );
        if (!healthy || session.closed) {
          this.active.delete(session);
          session.destroy();
          continue;
        }
      }
      return session;
    }
    return undefined;
  }

  private async openNew(signal: AbortSignal | undefined): Promise<SftpSession> {
    this.opening += 1;
    let session: SftpSession;
    try {
      const open = this.options.open ?? openSession;
      session = await open(this.config, signal === undefined ? this.options : { ...this.options, signal });
    } catch (error) {
      this.opening -= 1;
      this.wakeOne(null); // the slot is free again
      if (signal?.aborted) throw isSftpConnectorError(error) && error.reason === "ABORTED" ? error : abortedError("acquire", undefined, signal);
      throw this.connectedBefore ? refusedAfterConnecting(error) : error;
    }
    this.opening -= 1;
    this.connectedBefore = true;
    this.active.add(session);
    this.peak = Math.max(this.peak, this.size);
    session.once("close", () => this.forget(session));
    return session;
  }

  private wait(signal: AbortSignal | undefined): Promise<SftpSession | null> {
    return new Promise<SftpSession | null>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at < 0) return; // already handed a session or a slot
        this.waiters.splice(at, 1);
        if (waiter.timer) clearTimeout(waiter.timer);
        reject(abortedError("acquire", undefined, signal));
      };
      const waiter: Waiter = {
        resolve: (session) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(session);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const timeoutMs = this.options.acquireTimeoutMs ?? this.config.timeouts.connectMs;
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(
            new SftpConnectorError(
              "TIMEOUT",
              `no session free within ${timeoutMs} ms: all ${this.max} sessions of the pool for ${this.config.host}:${this.config.port} are in use (pool.max)`,
              { operation: "acquire" },
            ),
          );
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  private wakeOne(session: SftpSession | null): boolean {
    const waiter = this.waiters.shift();
    if (!waiter) return false;
    if (waiter.timer) clearTimeout(waiter.timer);
    waiter.resolve(session);
    return true;
  }

  /** A session closed (by us or the server): drop it and let a waiter open a new one. */
  private forget(session: SftpSession): void {
    this.active.delete(session);
    const index = this.idle.findIndex((entry) => entry.session === session);
    if (index >= 0) clearTimeout(this.idle.splice(index, 1)[0]!.timer);
    if (!this.draining) this.wakeOne(null);
  }

  release(session: SftpSession, options: { broken?: boolean } = {}): void {
    if (!this.active.delete(session)) return;
    if (options.broken || session.closed || this.draining || this.config.pool === false) {
      session.destroy();
      if (!this.draining) this.wakeOne(null);
      return;
    }
    this.active.add(session);
    if (this.wakeOne(session)) return;
    this.active.delete(session);
    const idleMs = this.options.idleMs ?? (this.config.pool ? this.config.pool.idleMs : 10_800_000);
    const entry: Idle = {
      session,
      since: Date.now(),
      timer: setTimeout(() => {
        const index = this.idle.indexOf(entry);
        if (index >= 0) this.idle.splice(index, 1);
        void session.close();
      }, idleMs),
    };
    entry.timer.unref();
    this.idle.push(entry);
  }

  /** Runs `work` with a session and gives it back (as broken when the session ended or the error says the connection is gone). */
  async use<T>(work: (session: SftpSession) => Promise<T>): Promise<T> {
    const session = await this.acquire();
    try {
      const result = await work(session);
      this.release(session);
      return result;
    } catch (error) {
      const reason = (error as SftpConnectorError).reason;
      this.release(session, { broken: session.closed || reason === "CONNECTION_LOST" || reason === "TIMEOUT" });
      throw error;
    }
  }

  /** Closes the pool: waiters are refused, idle sessions closed, sessions in use closed when released (or after `graceMs`). */
  close(graceMs = 30_000): Promise<void> {
    this.draining ??= (async () => {
      for (const waiter of this.waiters.splice(0)) {
        if (waiter.timer) clearTimeout(waiter.timer);
        waiter.reject(new SftpConnectorError("CONNECTION_LOST", "the session pool was closed", { operation: "acquire", retryable: false }));
      }
      await Promise.all(this.idle.splice(0).map(({ session, timer }) => (clearTimeout(timer), session.close())));
      const deadline = Date.now() + graceMs;
      while (this.active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await Promise.all([...this.active].map((session) => session.close()));
    })();
    return this.draining;
  }
}

/**
 * A connect refused (`HOST_UNREACHABLE`, not retryable on a first connect: a wrong port is rarely
 * transient) by a server this pool connected to before: the server is likely restarting, so the
 * error is made retryable and says why.
 */
function refusedAfterConnecting(error: unknown): unknown {
  if (!isSftpConnectorError(error) || error.reason !== "HOST_UNREACHABLE" || error.retryable) return error;
  return new SftpConnectorError(
    "HOST_UNREACHABLE",
    `${error.message.replace(/; not retried[^)]*/, "")}; this pool connected to it before, so the server may be restarting (retryable)`,
    {
      operation: error.operation,
      path: error.path,
      cause: error,
      retryable: true,
    },
  );
}

/** A stable key for a config, secrets included, as a SHA-256 hex digest (never printed). */
export function configKey(config: NormalizedConnectionConfig): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === "object") {
      return Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]);
    }
    return value;
  };
  return createHash("sha256")
    .update(JSON.stringify(canonical(config)))
    .digest("hex");
}

const shared = new Map<string, SessionPool>();

/**
 * The process-wide pool for a config: identical configs (secrets included) share one pool.
 * A config with `pool: false` still gets a pool, of one session per use, which closes sessions on release.
 */
export function sessionPoolFor(config: ConnectionConfig | NormalizedConnectionConfig, options: SessionPoolOptions = {}): SessionPool {
  const normalized = toNormalizedConfig(config);
  const key = configKey(normalized);
  let pool = shared.get(key);
  if (!pool) {
    pool = new SessionPool(normalized, options);
    shared.set(key, pool);
  }
  return pool;
}

/** Closes every pool `sessionPoolFor` made (e.g. at shutdown). */
export async function closeAllPools(): Promise<void> {
  const pools = [...shared.values()];
  shared.clear();
  await Promise.all(pools.map((pool) => pool.close()));
}
