// iterateWithRetry with an AbortSignal: aborted before the first pull it takes no session; a failure after the abort, or an abort during the backoff, is ABORTED, never restarted nor logged as a retry.
import { describe, expect, it, vi } from "vitest";
import { SftpConnectorError } from "@sftp-connector/core";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import { iterateWithRetry } from "./iterateWithRetry.js";

/** A provider counting the sessions taken and given back. */
function counter(): SessionProvider & { acquired: number; released: number } {
  const fake = {
    acquired: 0,
    released: 0,
    async acquire() {
      fake.acquired += 1;
      return { closed: false } as unknown as SftpSession;
    },
    release() {
      fake.released += 1;
    },
  };
  return fake;
}

function recorder() {
  const warnings: string[] = [];
  const quiet = () => {};
  return { warnings, debug: quiet, info: quiet, error: quiet, warn: (message: string) => void warnings.push(message) };
}

const lost = () => new SftpConnectorError("CONNECTION_LOST", "gone");

describe("iterateWithRetry with a signal", () => {
  it("an already aborted signal throws ABORTED on the first pull, before a session is taken", async () => {
    const provider = counter();
    const reason = new Error("why");
    const items = iterateWithRetry(provider, () => ({ items: (async function* () {})() }), {
      attempts: 1,
      backoffMs: 0,
      logger: recorder(),
      operation: "list",
      item: "entry",
      path: "in",
      signal: AbortSignal.abort(reason),
    });
    await expect(items.next()).rejects.toMatchObject({ reason: "ABORTED", message: "list of 'in' aborted", retryable: false, cause: reason });
    expect(provider.acquired).toBe(0);
  });

  it("a lost connection after the abort is ABORTED: not restarted, nothing logged, the session given back", async () => {
    const provider = counter();
    const logger = recorder();
    const controller = new AbortController();
    let runs = 0;
    const items = iterateWithRetry(
      provider,
      () => ({
        // biome-ignore lint/correctness/useYield: a source that fails before its first item is the case under test.
        items: (async function* () {
          runs += 1;
          controller.abort();
          throw lost();
        })(),
      }),
      { attempts: 3, backoffMs: 0, logger, operation: "query", item: "document", signal: controller.signal },
    );
    await expect(items.next()).rejects.toMatchObject({ reason: "ABORTED", message: "query aborted" });
    expect([runs, provider.acquired, provider.released]).toEqual([1, 1, 1]);
    expect(logger.warnings).toEqual([]);
  });

  it("an abort during the backoff ends the wait at once and throws ABORTED without a second session", async () => {
    // The backoff is an hour: were the wait not ended by the abort, the test would time out.
    const provider = counter();
    const logger = recorder();
    const controller = new AbortController();
    const items = iterateWithRetry(
      provider,
      () => ({
        // biome-ignore lint/correctness/useYield: a source that fails before its first item is the case under test.
        items: (async function* () {
          throw lost();
        })(),
      }),
      {
        attempts: 3,
        backoffMs: 3_600_000,
        logger,
        operation: "list",
        item: "entry",
        signal: controller.signal,
      },
    );
    const pulled = items.next();
    pulled.catch(() => {});
    await vi.waitFor(() => expect(logger.warnings).toHaveLength(1)); // the first failure was retried: now in the backoff
    controller.abort();
    await expect(pulled).rejects.toMatchObject({ reason: "ABORTED" });
    expect(provider.acquired).toBe(1);
  });
});
