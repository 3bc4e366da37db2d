// SessionPool.acquire with a signal: an abort ends the wait for a free session or for a connection being opened, with ABORTED, and leaves the pool as it was.
import { describe, expect, it } from "vitest";
import { EventEmitter } from "node:events";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { SessionPool } from "./SessionPool.js";
import type { OpenSessionOptions } from "./openSession.js";
import type { SftpSession } from "./SftpSession.js";

const base = { host: "127.0.0.1", username: "u", auth: { type: "password" as const, password: "p" }, hostKey: { insecureAcceptAny: true as const } };

class FakeSession extends EventEmitter {
  closed = false;
  async stat() {
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

const failure = async (promise: Promise<unknown>): Promise<SftpConnectorError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSftpConnectorError(error)) throw new Error(`expected an SftpConnectorError, got ${String(error)}`);
  return error;
};

describe("SessionPool.acquire with a signal", () => {
  it("already aborted: ABORTED, nothing opened", async () => {
    let opens = 0;
    const pool = new SessionPool({ ...base, pool: { max: 1 } }, { open: async () => (++opens, new FakeSession() as unknown as SftpSession) });
    const controller = new AbortController();
    controller.abort();
    expect((await failure(pool.acquire({ signal: controller.signal }))).reason).toBe("ABORTED");
    expect(opens).toBe(0);
    await pool.close();
  });

  it("aborted while a connection is being opened: ABORTED, the opener got the signal, the slot is free again", async () => {
    const seen: Array<AbortSignal | undefined> = [];
    const pool = new SessionPool(
      { ...base, pool: { max: 1 } },
      {
        open: (_config: unknown, options: OpenSessionOptions) =>
          new Promise<SftpSession>((resolve, reject) => {
            seen.push(options.signal);
            if (seen.length > 1) return resolve(new FakeSession() as unknown as SftpSession);
            options.signal?.addEventListener("abort", () => reject(new Error("socket destroyed")), { once: true });
          }),
      },
    );
    const controller = new AbortController();
    const acquiring = pool.acquire({ signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    controller.abort();
    const error = await failure(acquiring);
    expect([error.reason, error.message]).toEqual(["ABORTED", "acquire aborted"]);
    expect(seen[0]).toBe(controller.signal);
    expect(pool.size).toBe(0);
    const session = await pool.acquire(); // the slot was given back
    pool.release(session);
    await pool.close();
  });

  it("aborted while waiting for a free session of a full pool: ABORTED, the waiter is gone, the holder's release still works", async () => {
    const pool = new SessionPool({ ...base, pool: { max: 1 } }, { open: async () => new FakeSession() as unknown as SftpSession });
    const held = await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire({ signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    expect(pool.pending).toBe(1);
    controller.abort();
    expect((await failure(waiting)).reason).toBe("ABORTED");
    expect(pool.pending).toBe(0);
    pool.release(held);
    const again = await pool.acquire();
    expect(again).toBe(held); // reused: nothing was lost or handed to the aborted waiter
    pool.release(again);
    await pool.close();
  });
});
