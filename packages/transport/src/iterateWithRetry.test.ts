// A streamed listing on a provider's sessions: started again on a fresh session after a lost connection, but only before its first item.
import { describe, expect, it } from "vitest";
import { SftpConnectorError } from "@sftp-connector/core";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import type { Logger } from "./Logger.js";
import { iterateWithRetry, type IterationRun } from "./iterateWithRetry.js";

/** A provider lending the given sessions in turn, recording how each came back. */
function lender(count: number) {
  const sessions = Array.from({ length: count }, (_, i) => ({ id: i, closed: false }) as unknown as SftpSession & { id: number; closed: boolean });
  const returned: { id: number; broken: boolean }[] = [];
  let next = 0;
  const provider: SessionProvider = {
    acquire: async () => {
      const session = sessions[next++];
      if (!session) throw new Error("no more sessions");
      return session;
    },
    release: (session, options) => void returned.push({ id: (session as unknown as { id: number }).id, broken: options?.broken ?? false }),
  };
  return { provider, sessions, returned };
}

/** A run yielding `items`, then failing with `failure` when given. */
function run(items: string[], failure?: unknown): IterationRun<string> {
  return {
    items: (async function* () {
      yield* items;
      if (failure) throw failure;
    })(),
  };
}

const lost = () => new SftpConnectorError("CONNECTION_LOST", "gone");

function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const quiet = () => {};
  return { warnings, debug: quiet, info: quiet, error: quiet, warn: (message: string) => void warnings.push(message) };
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe("iterateWithRetry", () => {
  it("starts again on a fresh session when the run fails before its first item, and warns", async () => {
    const { provider, returned } = lender(2);
    const logger = recorder();
    const runs = [run([], lost()), run(["a", "b"])];
    const items = await collect(iterateWithRetry(provider, () => runs.shift()!, { attempts: 1, backoffMs: 0, logger, operation: "list", item: "entry" }));
    expect(items).toEqual(["a", "b"]);
    expect(returned).toEqual([
      { id: 0, broken: true },
      { id: 1, broken: false },
    ]);
    expect(logger.warnings).toEqual(["list failed before its first entry (CONNECTION_LOST: gone); retry 1 of 1"]);
  });

  it("never starts again once an item was yielded, nor after other failures, nor beyond attempts", async () => {
    const options = { attempts: 3, backoffMs: 0, logger: recorder(), operation: "query", item: "document" };
    const late = lost();
    const first = lender(2);
    await expect(collect(iterateWithRetry(first.provider, () => run(["a"], late), options))).rejects.toBe(late);
    expect(first.returned).toEqual([{ id: 0, broken: true }]);

    const denied = new SftpConnectorError("PERMISSION_DENIED", "no");
    const second = lender(2);
    await expect(collect(iterateWithRetry(second.provider, () => run([], denied), options))).rejects.toBe(denied);
    expect(second.returned).toEqual([{ id: 0, broken: false }]);

    const third = lender(3);
    await expect(collect(iterateWithRetry(third.provider, () => run([], lost()), { ...options, attempts: 1 }))).rejects.toMatchObject({
      reason: "CONNECTION_LOST",
    });
    expect(third.returned).toHaveLength(2);
  });

  it("gives the session back when the consumer stops early, and only once the run is idle when it has idle()", async () => {
    const early = lender(1);
    for await (const item of iterateWithRetry(early.provider, () => run(["a", "b"]), {
      attempts: 1,
      backoffMs: 0,
      logger: recorder(),
      operation: "list",
      item: "entry",
    })) {
      expect(item).toBe("a");
      break;
    }
    expect(early.returned).toEqual([{ id: 0, broken: false }]);

    const held = lender(1);
    let finish!: () => void;
    const idle = new Promise<void>((resolve) => (finish = resolve));
    const items = await collect(
      iterateWithRetry(held.provider, () => ({ ...run(["x"]), idle: () => idle }), {
        attempts: 1,
        backoffMs: 0,
        logger: recorder(),
        operation: "query",
        item: "document",
      }),
    );
    expect(items).toEqual(["x"]);
    expect(held.returned).toEqual([]);
    held.sessions[0]!.closed = true;
    finish();
    await idle;
    await Promise.resolve();
    expect(held.returned).toEqual([{ id: 0, broken: true }]);
  });
});
