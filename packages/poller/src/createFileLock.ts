// A lock file for singleton pollers on one machine: O_EXCL create with pid, hostname and a refreshed lease; stale locks are taken over.
import { SftpConnectorError, quotePath } from "@sftp-connector/core";
import { randomUUID } from "node:crypto";
import { type FileHandle, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import { dirname } from "node:path";
import type { Lease, PollerLock } from "./PollerLock.js";

/** Options of {@link createFileLock}. */
export interface FileLockOptions {
  /**
   * How long a lease lasts without a refresh. The holder refreshes it every `ttlMs / 3` (and at every
   * `acquire`); a lock not refreshed for longer is stale and may be taken over, wherever its holder runs.
   * @default 30_000
   */
  ttlMs?: number;
}

/** A {@link PollerLock} backed by a lock file. */
export interface FileLock extends PollerLock {
  /** The lock file. */
  readonly path: string;
  /** Whether this lock object holds the lock (as of its last acquire, refresh or release). */
  readonly held: boolean;
}

/** What a lock file holds (JSON). */
export interface LockFileContent {
  /** The holder's process id. */
  pid: number;
  /** The holder's host name. */
  hostname: string;
  /** Identifies the holding lock object. */
  token: string;
  /** The key it was acquired for. */
  key: string;
  /** When it was acquired (epoch ms). */
  acquiredAt: number;
  /** When the holder last refreshed it (epoch ms). */
  refreshedAt: number;
  /** The holder's lease length (ms). */
  ttlMs: number;
}

/** Tokens of the lock objects holding a lock in this process, shared by every copy of this package. */
const liveTokens: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for("@sftp-connector/poller/liveLockTokens")] ??=
  new Set<string>()) as Set<string>;

interface Holder {
  /** The file's text. */
  raw: string;
  /** Its content, when it parses as a lock file (a file being created may still be empty). */
  info: LockFileContent | undefined;
}

/**
 * Creates a {@link PollerLock} over the lock file `path`, for pollers that must run once per machine
 * (`isSingleton`). The lock is taken by creating the file exclusively (`O_CREAT | O_EXCL`) with the
 * holder's pid, hostname, a token and timestamps; the holder refreshes the timestamp every `ttlMs / 3`.
 * A lock is stale, and the next `acquire` takes it over, when its holder is a dead process on this host,
 * or when it was not refreshed for its `ttlMs` (a hung process, or another host on a shared file system).
 *
 * Give each poller its own lock object (one object stands for one holder); pollers in other processes
 * use the same path. For a cluster without a shared disk, implement {@link PollerLock} over a shared store.
 *
 * @example
 * ```ts
 * const poller = createDirectoryPoller({ list, store, lock: createFileLock("/var/lib/etl/inbox.lock") });
 * ```
 */
export function createFileLock(path: string, options: FileLockOptions = {}): FileLock {
  const problems: string[] = [];
  if (typeof path !== "string" || path.length === 0) problems.push("path: expected the lock file's path (a non-empty string)");
  const ttlMs = options.ttlMs ?? 30_000;
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs < 30)
    problems.push(`ttlMs: expected a number of milliseconds of at least 30, got ${String(ttlMs)}`);
  if (problems.length > 0) {
    throw new SftpConnectorError("INVALID_CONFIG", `Invalid file lock options: ${problems.join("; ")}`, { problems, operation: "createFileLock" });
  }

  const token = randomUUID();
  const host = osHostname();
  const guardPath = `${path}.takeover`;
  let heldKey: string | undefined;
  let acquiredAt = 0;
  let refreshTimer: ReturnType<typeof setInterval> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let unreadableSince: number | undefined;

  /** Runs lock operations one at a time, so a refresh never races a release. */
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };

  const content = (key: string, now: number): string =>
    `${JSON.stringify({ pid: process.pid, hostname: host, token, key, acquiredAt, refreshedAt: now, ttlMs } satisfies LockFileContent)}\n`;

  const lease = (): Lease => ({ expiresAt: Date.now() + ttlMs });

  function held(key: string): void {
    heldKey = key;
    liveTokens.add(token);
    if (refreshTimer === undefined) {
      refreshTimer = setInterval(() => void serialize(refresh).catch(() => {}), Math.max(10, Math.floor(ttlMs / 3)));
      refreshTimer.unref?.();
    }
  }

  function notHeld(): void {
    heldKey = undefined;
    liveTokens.delete(token);
    if (refreshTimer !== undefined) clearInterval(refreshTimer);
    refreshTimer = undefined;
  }

  /** Creates the lock file exclusively; false when it exists. */
  async function create(key: string): Promise<boolean> {
    const now = Date.now();
    for (let attempt = 0; ; attempt++) {
      let handle: FileHandle;
      try {
        handle = await open(path, "wx");
      } catch (error) {
        if (codeOf(error) === "EEXIST") return false;
        if (codeOf(error) === "ENOENT" && attempt === 0) {
          await mkdir(dirname(path), { recursive: true }).catch(() => {});
          continue;
        }
        throw lockError(error, "create");
      }
      acquiredAt = now;
      try {
        await handle.writeFile(content(key, now), "utf8");
        await handle.sync();
        await handle.close();
      } catch (error) {
        await handle.close().catch(() => {});
        await unlink(path).catch(() => {});
        throw lockError(error, "write");
      }
      return true;
    }
  }

  async function readHolder(): Promise<Holder | undefined> {
    let raw: string;
    try {
      raw = await readFile(path, "utf8");
    } catch (error) {
      if (codeOf(error) === "ENOENT") return undefined;
      throw lockError(error, "read");
    }
    return { raw, info: parseLockFile(raw) };
  }

  function isStale(holder: Holder, now: number): boolean {
    const { info } = holder;
    if (info === undefined) return false; // being written right now, or garbage: the guard's age decides below
    if (now - info.refreshedAt > (info.ttlMs > 0 ? info.ttlMs : ttlMs)) return true;
    if (info.hostname !== host) return false;
    if (info.pid === process.pid) return !liveTokens.has(info.token); // a previous process that had our pid (pid 1 in containers)
    return !isProcessAlive(info.pid);
  }

  /** Rewrites our lock file with a fresh timestamp (temp file + rename); false when it is no longer ours. */
  async function refresh(): Promise<boolean> {
    const key = heldKey;
    if (key === undefined) return false;
    const holder = await readHolder();
    if (holder?.info?.token !== token) {
      notHeld();
      return false;
    }
    const temp = `${path}.${token.slice(0, 8)}.tmp`;
    try {
      await writeFileSynced(temp, content(key, Date.now()));
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw lockError(error, "refresh");
    }
    return true;
  }

  /** Replaces a stale lock, under a guard file so that two contenders cannot both take it over. */
  async function takeOver(key: string, stale: Holder): Promise<boolean> {
    const now = Date.now();
    try {
      await writeFileSynced(guardPath, JSON.stringify({ token, at: now }), "wx");
    } catch (error) {
      if (codeOf(error) !== "EEXIST") throw lockError(error, "create the takeover guard of");
      // Another contender is taking over; a guard left by a crash is removed once it is older than the TTL.
      const guard = await readFile(guardPath, "utf8").catch(() => undefined);
      const at = guard === undefined ? undefined : (safeParse(guard) as { at?: unknown } | undefined)?.at;
      if (guard !== undefined && (typeof at !== "number" || now - at > ttlMs)) await unlink(guardPath).catch(() => {});
      return false;
    }
    try {
      const current = await readHolder();
      if (current !== undefined) {
        if (current.raw !== stale.raw) return false; // refreshed or replaced meanwhile
        await unlink(path).catch((error: unknown) => {
          if (codeOf(error) !== "ENOENT") throw lockError(error, "remove the stale");
        });
      }
      return await create(key);
    } finally {
      await unlink(guardPath).catch(() => {});
    }
  }

  async function acquire(key: string): Promise<boolean | Lease> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await create(key)) {
        held(key);
        return lease();
      }
      const holder = await readHolder();
      if (holder === undefined) continue; // released between our create and our read: try again
      if (holder.info?.token === token) {
        held(key);
        return (await refresh()) ? lease() : false;
      }
      if (heldKey !== undefined) notHeld(); // it was ours, and someone took it over
      const now = Date.now();
      const unreadableAndOld = holder.info === undefined && unreadableFor(now) > ttlMs;
      if (!isStale(holder, now) && !unreadableAndOld) return false;
      if (await takeOver(key, holder)) {
        held(key);
        return lease();
      }
      return false;
    }
    return false;
  }

  /** How long the lock file has been unreadable (as seen by this object), so a garbage lock file is taken over after the TTL. */
  function unreadableFor(now: number): number {
    unreadableSince ??= now;
    return now - unreadableSince;
  }

  return {
    path,
    get held() {
      return heldKey !== undefined;
    },
    acquire(key) {
      return serialize(async () => {
        const result = await acquire(key);
        if (result !== false) unreadableSince = undefined;
        return result;
      });
    },
    release() {
      return serialize(async () => {
        const wasHeld = heldKey !== undefined;
        notHeld();
        if (!wasHeld) return;
        const holder = await readHolder();
        if (holder?.info?.token === token) {
          await unlink(path).catch((error: unknown) => {
            if (codeOf(error) !== "ENOENT") throw lockError(error, "remove");
          });
        }
      });
    },
  };

  function lockError(error: unknown, verb: string): SftpConnectorError {
    const code = codeOf(error);
    const reason = code === "EACCES" || code === "EPERM" ? "PERMISSION_DENIED" : "FAILURE";
    return new SftpConnectorError(reason, `Cannot ${verb} the lock file ${quotePath(path)} (${code ?? String((error as Error)?.message ?? error)})`, {
      operation: "lock",
      path,
      cause: error,
      retryable: true,
    });
  }
}

/** True when a process with this pid exists on this host (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === "EPERM";
  }
}

function parseLockFile(raw: string): LockFileContent | undefined {
  const value = safeParse(raw) as Partial<LockFileContent> | undefined;
  if (typeof value !== "object" || value === null) return undefined;
  const { pid, hostname, token, refreshedAt } = value;
  if (typeof pid !== "number" || typeof hostname !== "string" || typeof token !== "string" || typeof refreshedAt !== "number") return undefined;
  return {
    pid,
    hostname,
    token,
    refreshedAt,
    key: typeof value.key === "string" ? value.key : "",
    acquiredAt: typeof value.acquiredAt === "number" ? value.acquiredAt : refreshedAt,
    ttlMs: typeof value.ttlMs === "number" && Number.isFinite(value.ttlMs) ? value.ttlMs : 0,
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function writeFileSynced(file: string, text: string, flags = "w"): Promise<void> {
  const handle = await open(file, flags);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
