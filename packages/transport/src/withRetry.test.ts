// Reconnect-and-retry rules with a fake provider: which failures are retried, and the error once retries run out.
import { describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { SftpConnectorError } from "@sftp-connector/core";
import { isRetryableAt, retriesExhausted, withRetry } from "./withRetry.js";
import { createResumableReadStream } from "./createResumableReadStream.js";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";

const lost = () => new SftpConnectorError("CONNECTION_LOST", "the session has ended", { operation: "read", path: "/f" });
const refused = () =>
  new SftpConnectorError("HOST_UNREACHABLE", "connection refused by 127.0.0.1:22 (ECONNREFUSED)", { operation: "connect", retryable: false });

/** A provider whose acquire answers, in turn, with the given outcomes (an error is thrown, a session handed out). */
function provider(outcomes: Array<Error | SftpSession>): SessionProvider & { acquired: number } {
  const fake = {
    acquired: 0,
    async acquire() {
      const next = outcomes[Math.min(fake.acquired++, outcomes.length - 1)]!;
      if (next instanceof Error) throw next;
      return next;
    },
    release() {},
  };
  return fake;
}
const session = (read?: (start: number) => Readable) =>
  ({ closed: false, createReadStream: (_path: string, o: { start: number }) => read!(o.start) }) as unknown as SftpSession;

describe("isRetryableAt", () => {
  it("retries a refused reconnect only after a connection was lost", () => {
    expect(isRetryableAt(refused(), 0)).toBe(false);
    expect(isRetryableAt(refused(), 1)).toBe(true);
    expect(isRetryableAt(lost(), 0)).toBe(true);
    expect(isRetryableAt(new SftpConnectorError("PERMISSION_DENIED", "no"), 2)).toBe(false);
  });
});

describe("retriesExhausted", () => {
  it("turns a refused reconnect into CONNECTION_LOST with the refusal as cause, and leaves anything else alone", () => {
    const cause = refused();
    const error = retriesExhausted(cause, 2) as SftpConnectorError;
    expect(error.reason).toBe("CONNECTION_LOST");
    expect(error.message).toMatch(/^the connection was lost and could not be re-established in 2 retries: connection refused/);
    expect(error.cause).toBe(cause);
    expect(retriesExhausted(cause, 0)).toBe(cause);
    const other = lost();
    expect(retriesExhausted(other, 3)).toBe(other);
  });
});

describe("withRetry", () => {
  it("keeps retrying while the server refuses reconnects (restarting), then succeeds", async () => {
    const ok = session();
    const pool = provider([ok, refused(), refused(), ok]);
    let calls = 0;
    const result = await withRetry(
      pool,
      async () => {
        calls += 1;
        if (calls === 1) throw lost();
        return "done";
      },
      { attempts: 3, backoffMs: 1 },
    );
    expect(result).toBe("done");
    expect(pool.acquired).toBe(4);
  });

  it("ends as CONNECTION_LOST when the server still refuses after the last retry", async () => {
    const pool = provider([session(), refused()]);
    const error = await withRetry(pool, async () => Promise.reject(lost()), { attempts: 2, backoffMs: 1 }).catch((e: unknown) => e);
    expect((error as SftpConnectorError).reason).toBe("CONNECTION_LOST");
    expect((error as SftpConnectorError).cause).toBeInstanceOf(SftpConnectorError);
    expect(pool.acquired).toBe(3);
  });

  it("does not retry a first connect that is refused", async () => {
    const pool = provider([refused()]);
    const error = await withRetry(pool, async () => "never", { attempts: 3, backoffMs: 1 }).catch((e: unknown) => e);
    expect((error as SftpConnectorError).reason).toBe("HOST_UNREACHABLE");
    expect(pool.acquired).toBe(1);
  });
});

describe("createResumableReadStream", () => {
  it("resumes at the offset reached even when the first reconnect is refused", async () => {
    const data = Buffer.from("0123456789");
    const cutAfter4 = (start: number) =>
      Readable.from(
        (async function* () {
          yield data.subarray(start, 4);
          throw lost();
        })(),
      );
    const whole = (start: number) => Readable.from([data.subarray(start)]);
    const pool = provider([session(cutAfter4), refused(), session(whole)]);
    const chunks: Buffer[] = [];
    for await (const chunk of createResumableReadStream(pool, "/f", { attempts: 3, backoffMs: 1 })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("0123456789");
    expect(pool.acquired).toBe(3);
  });
});
