// The file lock: exclusive create, refresh, stale takeover (dead pid, expired lease), and two pollers sharing one lock file.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { createDirectoryPoller, type DirectoryPoller } from "./createDirectoryPoller.js";
import { createFileLock, isProcessAlive, type LockFileContent } from "./createFileLock.js";
import { createFileStore } from "./createFileStore.js";
import { FakeDirectory, until } from "./FakeDirectory.js";
import type { PollerLock } from "./PollerLock.js";
import { silentLogger } from "./PollerLogger.js";

const T0 = 1_700_000_000_000;
let dir: string;
let lockPath: string;
const pollers: DirectoryPoller[] = [];
const locks: PollerLock[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "poller-lock-"));
  lockPath = join(dir, "inbox.lock");
  vi.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
});

afterEach(async () => {
  for (const poller of pollers.splice(0)) await poller.stop().catch(() => {});
  for (const lock of locks.splice(0)) await lock.release("k").catch(() => {});
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

function lock(options?: { ttlMs?: number }) {
  const created = createFileLock(lockPath, options);
  locks.push(created);
  return created;
}

const readLock = (): LockFileContent => JSON.parse(readFileSync(lockPath, "utf8"));

function writeLock(content: Partial<LockFileContent>): void {
  const full: LockFileContent = {
    pid: process.pid,
    hostname: hostname(),
    token: randomUUID(),
    key: "k",
    acquiredAt: Date.now(),
    refreshedAt: Date.now(),
    ttlMs: 30_000,
    ...content,
  };
  writeFileSync(lockPath, JSON.stringify(full));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  expect(isProcessAlive(child.pid!)).toBe(false);
  return child.pid!;
}

describe("createFileLock", () => {
  it("creates the lock file with pid, hostname, token and timestamps; others are refused until it is released", async () => {
    const a = lock();
    const b = lock();
    expect(await a.acquire("k")).toEqual({ expiresAt: T0 + 30_000 });
    expect(readLock()).toMatchObject({ pid: process.pid, hostname: hostname(), key: "k", acquiredAt: T0, refreshedAt: T0, ttlMs: 30_000 });
    expect(await b.acquire("k")).toBe(false);
    expect(a.held).toBe(true);
    expect(b.held).toBe(false);
    await a.release("k");
    expect(existsSync(lockPath)).toBe(false);
    expect(await b.acquire("k")).toBeTruthy();
    expect(await a.acquire("k")).toBe(false);
  });

  it("confirms and refreshes the lease when the holder acquires again, and refreshes it on its own every ttl/3", async () => {
    const a = lock({ ttlMs: 3000 });
    await a.acquire("k");
    vi.setSystemTime(T0 + 500);
    expect(await a.acquire("k")).toBeTruthy();
    expect(readLock()).toMatchObject({ acquiredAt: T0, refreshedAt: T0 + 500 });
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => readLock().refreshedAt === T0 + 1500, "the timed refresh");
    await a.release("k");
    await vi.advanceTimersByTimeAsync(5000);
    expect(existsSync(lockPath)).toBe(false); // no refresh after release
  });

  it("takes over a lock whose holder is a dead process on this host", async () => {
    writeLock({ pid: deadPid() });
    const a = lock();
    expect(await a.acquire("k")).toBeTruthy();
    expect(readLock().pid).toBe(process.pid);
  });

  it("does not take over a live holder on this host while its lease is fresh", async () => {
    writeLock({ pid: process.ppid });
    expect(await lock().acquire("k")).toBe(false);
  });

  it("takes over a lock another host holds only once its lease is older than its TTL", async () => {
    writeLock({ hostname: "other-host", pid: 1, ttlMs: 10_000 });
    const a = lock();
    vi.setSystemTime(T0 + 10_000);
    expect(await a.acquire("k")).toBe(false);
    vi.setSystemTime(T0 + 10_001);
    expect(await a.acquire("k")).toBeTruthy();
    expect(readLock().hostname).toBe(hostname());
  });

  it("takes over a lock left with this process's pid by another process (pid reuse, pid 1 in containers)", async () => {
    writeLock({ pid: process.pid });
    expect(await lock().acquire("k")).toBeTruthy();
  });

  it("takes over an unreadable lock file only after the TTL", async () => {
    writeFileSync(lockPath, "");
    const a = lock({ ttlMs: 1000 });
    expect(await a.acquire("k")).toBe(false);
    vi.setSystemTime(T0 + 1001);
    expect(await a.acquire("k")).toBeTruthy();
  });

  it("lets only one of two contenders take over a stale lock", async () => {
    writeLock({ pid: deadPid() });
    const results = await Promise.all([lock().acquire("k"), lock().acquire("k"), lock().acquire("k")]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("tells a holder that was taken over (it hung past its TTL) on its next acquire", async () => {
    const a = lock({ ttlMs: 1000 });
    const b = lock({ ttlMs: 1000 });
    await a.acquire("k");
    vi.setSystemTime(T0 + 1001); // a did not refresh (no timers ran): it looks hung
    expect(await b.acquire("k")).toBeTruthy();
    expect(await a.acquire("k")).toBe(false);
    expect(a.held).toBe(false);
    await a.release("k"); // does not remove b's lock
    expect(existsSync(lockPath)).toBe(true);
  });

  it("refuses bad options", () => {
    expect(() => createFileLock("")).toThrow(/path: expected the lock file's path/);
    expect(() => createFileLock(lockPath, { ttlMs: 0 })).toThrow(/ttlMs: expected a number of milliseconds of at least 30, got 0/);
  });
});

describe("pollers sharing a lock file", () => {
  function member(name: string, files: FakeDirectory) {
    const fileLock = createFileLock(lockPath);
    let attempts = 0;
    let cycles = 0;
    let listed = 0;
    const log: string[] = [];
    const lockEvents: boolean[] = [];
    const poller = createDirectoryPoller({
      list: () => {
        listed++;
        return files.list();
      },
      intervalMs: 1000,
      logger: silentLogger,
      store: createFileStore(join(dir, "inbox.json")),
      lock: {
        acquire: async (key) => {
          const result = await fileLock.acquire(key);
          attempts++;
          return result;
        },
        release: (key) => fileLock.release(key),
      },
      handler: (event) => void log.push(`${name}: ${event.type} ${event.entry.name}`),
    });
    pollers.push(poller);
    poller.on("cycle", () => cycles++);
    poller.on("lock", (change) => lockEvents.push(change.held));
    return {
      poller,
      log,
      lockEvents,
      get attempts() {
        return attempts;
      },
      get cycles() {
        return cycles;
      },
      get listed() {
        return listed;
      },
    };
  }

  it("only the holder polls; when it stops, the other takes over on its next try and resumes from the snapshot", async () => {
    const files = new FakeDirectory().set("a.csv", 1, T0);
    const first = member("first", files);
    const second = member("second", files);
    await first.poller.start();
    await until(() => first.cycles === 1, "first's baseline");
    await second.poller.start();
    await until(() => second.attempts === 2, "second's first try"); // at start, then its first cycle
    expect(first.poller.holdsLock).toBe(true);
    expect(second.poller.holdsLock).toBe(false);

    files.set("b.csv", 1);
    for (let i = 1; i <= 3; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      await until(() => first.cycles === 1 + i && second.attempts === 2 + i, `round ${i}`);
    }
    expect(first.log).toEqual(["first: added b.csv"]);
    expect(second.listed).toBe(0); // it stood by: never listed
    expect(second.log).toEqual([]);

    await first.poller.stop();
    expect(existsSync(lockPath)).toBe(false);
    files.set("c.csv", 1);
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => second.cycles === 1, "second's first cycle");
    expect(second.poller.holdsLock).toBe(true);
    expect(second.lockEvents).toEqual([true]);
    expect(second.log).toEqual(["second: added c.csv"]); // not b.csv again: it loaded first's snapshot
    expect(readLock().pid).toBe(process.pid);
    expect(first.lockEvents).toEqual([true, false]);
  });

  it("a holder that loses the lock (taken over elsewhere) stands by and stops listing", async () => {
    const files = new FakeDirectory().set("a.csv", 1, T0);
    const holder = member("holder", files);
    await holder.poller.start();
    await until(() => holder.cycles === 1);
    writeLock({ hostname: "other-host", pid: 1 }); // another host took it over (as if this one had hung)
    expect(holder.attempts).toBe(1); // at start; the first cycle did not ask again
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => holder.attempts === 2);
    expect(holder.lockEvents).toEqual([true, false]);
    expect(holder.poller.holdsLock).toBe(false);
    expect(holder.poller.state).toBe("running");
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => holder.attempts === 3);
    expect(holder.listed).toBe(1);
  });

  it("a poller takes over at start from a holder whose process died", async () => {
    writeLock({ pid: deadPid() });
    const files = new FakeDirectory().set("a.csv", 1, T0);
    const only = member("only", files);
    await only.poller.start();
    await until(() => only.cycles === 1);
    expect(only.poller.holdsLock).toBe(true);
    expect(only.listed).toBe(1);
  });
});
