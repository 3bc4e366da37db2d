// withRetry with an AbortSignal: an aborted signal stops before any session, and a failure after the abort is ABORTED, never retried or logged.
import { describe, expect, it } from "vitest";
import { SftpConnectorError } from "@sftp-connector/core";
import { withRetry } from "./withRetry.js";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";

const fakeSession = { closed: false } as unknown as SftpSession;

function provider(): SessionProvider & { acquired: number } {
  const fake = {
    acquired: 0,
    async acquire() {
      fake.acquired += 1;
      return fakeSession;
    },
    release() {},
  };
  return fake;
}

describe("withRetry with a signal", () => {
  it("an already aborted signal rejects with ABORTED before a session is taken", async () => {
    const pool = provider();
    const controller = new AbortController();
    controller.abort(new Error("why"));
    const error = await withRetry(pool, async () => "never", { signal: controller.signal, operation: "get", path: "/a" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "ABORTED", message: "get of '/a' aborted", retryable: false });
    expect((error as Error).cause).toEqual(new Error("why"));
    expect(pool.acquired).toBe(0);
  });

  it("a lost connection after the abort is ABORTED: no retry, nothing logged", async () => {
    const pool = provider();
    const controller = new AbortController();
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    let runs = 0;
    const error = await withRetry(
      pool,
      async () => {
        runs += 1;
        controller.abort();
        throw new SftpConnectorError("CONNECTION_LOST", "the session has ended");
      },
      { signal: controller.signal, attempts: 3, backoffMs: 1, logger, operation: "get" },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "ABORTED" });
    expect(runs).toBe(1);
    expect(warnings).toEqual([]);
  });

  it("an abort during the backoff ends the wait and rejects with ABORTED", async () => {
    const pool = provider();
    const controller = new AbortController();
    let runs = 0;
    const pending = withRetry(
      pool,
      async () => {
        runs += 1;
        throw new SftpConnectorError("CONNECTION_LOST", "the session has ended");
      },
      { signal: controller.signal, attempts: 3, backoffMs: 3_600_000, onRetry: () => queueMicrotask(() => controller.abort()) },
    );
    await expect(pending).rejects.toMatchObject({ reason: "ABORTED" });
    expect(runs).toBe(1);
  });
});
