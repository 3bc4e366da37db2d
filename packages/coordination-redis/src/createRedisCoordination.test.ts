// createRedisCoordination's options: unknown and invalid ones are INVALID_CONFIG naming the field; the defaults; nothing sent to Redis at creation.
import { describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { createRedisCoordination, REDIS_COORDINATION_DEFAULTS, type RedisCoordinationOptions } from "./index.js";

/** A client that records what it is asked and answers nothing (no Redis needed). */
function recordingClient() {
  const calls: string[] = [];
  return { calls, client: { call: async (command: string) => void calls.push(command) } as unknown as Redis };
}

function configError(options: unknown): SftpConnectorError {
  try {
    createRedisCoordination(options as RedisCoordinationOptions);
  } catch (error) {
    if (isSftpConnectorError(error)) return error;
    throw error;
  }
  throw new Error("expected createRedisCoordination to throw");
}

describe("createRedisCoordination options", () => {
  it("refuses an unknown option, naming the closest known one", () => {
    const { client } = recordingClient();
    const error = configError({ client, ttl: 5000 });
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.message).toBe('unknown option "ttl"; did you mean "ttlMs"?');
    expect(configError({ client, allowVolatil: true }).message).toContain('did you mean "allowVolatile"?');
  });

  it("refuses a missing client, a short ttlMs, an operationTimeoutMs not below a third of ttlMs, an empty key or owner", () => {
    const { client } = recordingClient();
    expect(configError({}).problems).toEqual(["client: expected an ioredis client (Redis or Cluster), got undefined"]);
    expect(configError({ client, ttlMs: 999 }).problems).toEqual(["ttlMs: expected an integer from 1000 to 2147483647 (ms), got 999"]);
    expect(configError({ client, ttlMs: 3000, operationTimeoutMs: 1000 }).problems).toEqual([
      "operationTimeoutMs: expected an integer of 1 or more below a third of ttlMs (3000 ms), got 1000",
    ]);
    const many = configError({ client, key: "", owner: "", allowVolatile: "yes" });
    expect(many.problems).toEqual([
      'key: expected a non-empty string, got ""',
      'owner: expected a non-empty string, got ""',
      'allowVolatile: expected true or false, got "yes"',
    ]);
    expect(many.message.split("\n")[0]).toBe("Invalid options of createRedisCoordination:");
  });

  it("is synchronous and sends nothing until first used; the owner defaults to host:pid:random", () => {
    const { client, calls } = recordingClient();
    const a = createRedisCoordination({ client });
    const b = createRedisCoordination({ client });
    expect(calls).toEqual([]);
    expect(a.owner).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{8}$`));
    expect(a.owner).not.toBe(b.owner);
    expect(a.lock.owner).toBe(a.owner);
    expect(createRedisCoordination({ client, owner: "worker-7" }).owner).toBe("worker-7");
    expect(REDIS_COORDINATION_DEFAULTS).toMatchObject({ key: "sftp-connector", ttlMs: 30_000 });
  });

  it("keeps namespaces apart: the same poller key under two `key`s has different Redis keys", () => {
    const { client } = recordingClient();
    const pollerKey = "sftp://127.0.0.1:2222/home/tester/inbox";
    const a = createRedisCoordination({ client }).keysFor(pollerKey);
    const b = createRedisCoordination({ client, key: "other-group" }).keysFor(pollerKey);
    expect(a.tag).not.toBe(b.tag);
    expect(a.lease).not.toBe(b.lease);
  });

  it("refuses a save or an enqueue without a fencing token, and a bad claim, before sending anything", async () => {
    const { client, calls } = recordingClient();
    const c = createRedisCoordination({ client, allowVolatile: true });
    const save = await c.store.save("k", { entries: [] }).then(
      () => undefined,
      (error: SftpConnectorError) => error,
    );
    expect(save?.reason).toBe("INVALID_INPUT");
    expect(save?.message).toContain("must be used with its lock");
    const enqueue = await c.queue.enqueue("k", []).then(
      () => undefined,
      (error: SftpConnectorError) => error,
    );
    expect(enqueue?.reason).toBe("INVALID_INPUT");
    const claim = (consumer: string, visibilityMs: number) =>
      c.queue.claim("k", consumer, visibilityMs).then(
        () => undefined,
        (error: SftpConnectorError) => error.message,
      );
    expect(await claim("w1", 0)).toBe("visibilityMs: expected a number of 1 or more (ms), got 0");
    expect(await claim("sftpc:unclaimed", 1000)).toContain("other than");
    expect(calls).toEqual([]);
  });
});
