// Pool rules with fake sessions: max per key, FIFO waiters, replacement of dead sessions, idle eviction, drain.
import { describe, expect, it, vi } from "vitest";
import { EventEmitter } from "node:events";
import { SessionPool, configKey } from "./SessionPool.js";
import { toNormalizedConfig } from "./openSession.js";
import type { SftpSession } from "./SftpSession.js";

const base = {
  host: "127.0.0.1",
  username: "u",
  auth: { type: "password" as const, password: "SECRET-pool" },
  hostKey: { insecureAcceptAny: true as const },
};

class FakeSession extends EventEmitter {
  closed = false;
  healthy = true;
  constructor(readonly id: number) {
    super();
  }
  async stat() {
    if (!this.healthy) throw new Error("dead");
    return {};
  }
  destroy() {
    if (this.closed) return;
    this.closed = true;
    this.emit("close");
  }
  async close() {
    this.destroy();
  }
}

function fakePool(max: number, extra: Record<string, unknown> = {}) {
  let opened = 0;
  const open = vi.fn(async () => new FakeSession(++opened) as unknown as SftpSession);
  const pool = new SessionPool({ ...base, pool: { max } }, { open, ...extra });
  return { pool, open, opened: () => opened };
}

describe("SessionPool", () => {
  it("never opens more than max and serves waiters in arrival order", async () => {
    const { pool, open } = fakePool(2);
    const a = await pool.acquire();
    const b = await pool.acquire();
    const order: number[] = [];
    const c = pool.acquire().then((s) => (order.push(1), s));
    const d = pool.acquire().then((s) => (order.push(2), s));
    await new Promise((r) => setImmediate(r));
    expect(pool.pending).toBe(2);
    pool.release(b);
    pool.release(a);
    expect(await c).toBe(b);
    expect(await d).toBe(a);
    expect(order).toEqual([1, 2]);
    expect(open).toHaveBeenCalledTimes(2);
    expect(pool.peak).toBe(2);
  });

  it("replaces a session that died while idle and one that fails its health check", async () => {
    const { pool, open } = fakePool(2, { healthCheckAfterMs: 0 });
    const a = (await pool.acquire()) as unknown as FakeSession;
    pool.release(a as unknown as SftpSession);
    a.destroy(); // the server killed it
    const b = (await pool.acquire()) as unknown as FakeSession;
    expect(b).not.toBe(a);
    b.healthy = false;
    pool.release(b as unknown as SftpSession);
    await new Promise((r) => setTimeout(r, 2));
    const c = await pool.acquire();
    expect(c).not.toBe(b);
    expect(b.closed).toBe(true);
    expect(open).toHaveBeenCalledTimes(3);
  });

  it("a broken release frees the slot for a waiter", async () => {
    const { pool } = fakePool(1);
    const a = await pool.acquire();
    const waiting = pool.acquire();
    pool.release(a, { broken: true });
    const b = await waiting;
    expect(b).not.toBe(a);
    expect((a as unknown as FakeSession).closed).toBe(true);
  });

  it("a failed open frees its slot", async () => {
    let calls = 0;
    const pool = new SessionPool(
      { ...base, pool: { max: 1 } },
      {
        open: async () => {
          calls += 1;
          if (calls === 1) throw new Error("refused");
          return new FakeSession(calls) as unknown as SftpSession;
        },
      },
    );
    await expect(pool.acquire()).rejects.toThrow("refused");
    expect(pool.size).toBe(0);
    await expect(pool.acquire()).resolves.toBeDefined();
  });

  it("closes idle sessions after idleMs", async () => {
    vi.useFakeTimers();
    try {
      const { pool } = fakePool(2, { idleMs: 1_000 });
      const a = (await pool.acquire()) as unknown as FakeSession;
      pool.release(a as unknown as SftpSession);
      expect(pool.size).toBe(1);
      await vi.advanceTimersByTimeAsync(1_001);
      expect(a.closed).toBe(true);
      expect(pool.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("pool: false closes sessions on release", async () => {
    const pool = new SessionPool({ ...base, pool: false }, { open: async () => new FakeSession(1) as unknown as SftpSession });
    const a = (await pool.acquire()) as unknown as FakeSession;
    pool.release(a as unknown as SftpSession);
    expect(a.closed).toBe(true);
  });

  it("close() refuses waiters, closes idle sessions, and refuses new borrowers", async () => {
    const { pool } = fakePool(1);
    const a = await pool.acquire();
    const waiting = pool.acquire();
    await new Promise((r) => setImmediate(r));
    const closing = pool.close(1_000);
    await expect(waiting).rejects.toThrow(/pool was closed/);
    pool.release(a);
    await closing;
    expect((a as unknown as FakeSession).closed).toBe(true);
    await expect(pool.acquire()).rejects.toThrow(/pool is closed/);
  });

  it("refuses a max below 1", () => {
    expect(() => new SessionPool(base, { max: 0 })).toThrow(/pool.max/);
  });
});

describe("configKey", () => {
  it("differs when a secret differs, is stable otherwise, and never contains the secret", () => {
    const a = configKey(toNormalizedConfig(base));
    const b = configKey(toNormalizedConfig({ ...base, auth: { type: "password", password: "other" } }));
    expect(a).not.toBe(b);
    expect(configKey(toNormalizedConfig({ ...base }))).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("SessionPool.removeWhenReconnected", () => {
  /** A session whose unlink answers as `answer` says (and records the paths). */
  const withUnlink = (answer: (path: string) => Error | undefined, unlinked: string[]) =>
    vi.fn(
      async () =>
        Object.assign(new FakeSession(0), {
          async unlink(path: string) {
            unlinked.push(path);
            const error = answer(path);
            if (error) throw error;
          },
        }) as unknown as SftpSession,
    );
  const failing = (reason: string) => Object.assign(new Error(reason), { reason });

  it("removes the file on the next acquire, once", async () => {
    const unlinked: string[] = [];
    const pool = new SessionPool({ ...base, pool: { max: 2 } }, { open: withUnlink(() => undefined, unlinked) });
    pool.removeWhenReconnected("/home/u/.a.tmp");
    expect(pool.pendingRemovalCount).toBe(1);
    pool.release(await pool.acquire());
    pool.release(await pool.acquire());
    expect(unlinked).toEqual(["/home/u/.a.tmp"]);
    expect(pool.pendingRemovalCount).toBe(0);
    await pool.close();
  });

  it("keeps a removal that failed with a lost connection for the next acquire; drops one already gone or refused", async () => {
    const unlinked: string[] = [];
    let lost = true;
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const pool = new SessionPool(
      { ...base, pool: { max: 2 } },
      {
        logger,
        open: withUnlink(
          (path) =>
            path === "/a" && lost
              ? failing("CONNECTION_LOST")
              : path === "/b"
                ? failing("NO_SUCH_FILE")
                : path === "/c"
                  ? failing("PERMISSION_DENIED")
                  : undefined,
          unlinked,
        ),
      },
    );
    for (const path of ["/a", "/b", "/c"]) pool.removeWhenReconnected(path);
    pool.release(await pool.acquire(), { broken: true });
    expect(pool.pendingRemovalCount).toBe(1);
    expect(warnings).toEqual([expect.stringContaining("could not remove '/c'")]);
    lost = false;
    pool.release(await pool.acquire());
    expect(pool.pendingRemovalCount).toBe(0);
    expect(unlinked.filter((p) => p === "/a")).toHaveLength(2);
    await pool.close();
  });
});

describe("SessionPool: a refusal after the pool has connected", () => {
  const refused = () =>
    Object.assign(
      new Error(
        "connect failed: connection refused by 127.0.0.1:22 (ECONNREFUSED: nothing listens on that port; not retried, as a closed port is rarely transient)",
      ),
      {
        reason: "HOST_UNREACHABLE",
        retryable: false,
      },
    );
  it("is retryable once a session was opened before (the server restarting), not on a first connect", async () => {
    const { SftpConnectorError } = await import("@sftp-connector/core");
    const asError = () => {
      const r = refused();
      return new SftpConnectorError("HOST_UNREACHABLE", r.message, { retryable: false, operation: "connect" });
    };
    let up = false;
    const pool = new SessionPool(
      { ...base, pool: { max: 1 } },
      {
        open: vi.fn(async () => {
          if (!up) throw asError();
          return new FakeSession(1) as unknown as SftpSession;
        }),
      },
    );
    type Failure = InstanceType<typeof SftpConnectorError>;
    const first = (await pool.acquire().then(
      () => undefined,
      (e: unknown) => e,
    )) as Failure;
    expect(first.retryable).toBe(false);
    up = true;
    pool.release(await pool.acquire(), { broken: true });
    up = false;
    const later = (await pool.acquire().then(
      () => undefined,
      (e: unknown) => e,
    )) as Failure;
    expect(later.reason).toBe("HOST_UNREACHABLE");
    expect(later.retryable).toBe(true);
    expect(later.message).toContain("this pool connected to it before");
    expect(later.message).not.toContain("not retried");
    await pool.close();
  });
});
