// startRedis proves itself with the real ioredis client over TCP 127.0.0.1: persistence on and off (data across a restart), requirepass, pause, and stop removing the container.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { ensureEngineImage, startRedis, type RedisServer } from "./index.js";
import { dockerRequest } from "./dockerEngine.js";

/**
 * Runs `work` with a connected ioredis client (no retries: a refusal is an error) and disconnects it.
 * A failed connect rejects with the errors the client reported (ioredis's own rejection only says
 * "Connection is closed"; the server's NOAUTH or WRONGPASS arrives as an error event).
 */
async function withClient<T>(url: string, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const reported: string[] = [];
  redis.on("error", (error: Error) => reported.push(error.message));
  try {
    try {
      await redis.connect();
    } catch (error) {
      throw new Error(`connect failed: ${[...reported, (error as Error).message].join("; ")}`);
    }
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

// The first run on a machine builds the engines image (debootstrap, a minute or more on a busy machine).
beforeAll(() => ensureEngineImage(), 900_000);

describe("startRedis with appendonly (the default)", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("answers over TCP 127.0.0.1, runs Redis 7 with appendonly yes and no RDB snapshots, and keeps a key across a restart", async () => {
    expect(server.host).toBe("127.0.0.1");
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(server.appendonly).toBe(true);
    await withClient(server.url, async (redis) => {
      expect(await redis.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
      expect(await redis.config("GET", "save")).toEqual(["save", ""]);
      expect(await redis.config("GET", "bind")).toEqual(["bind", "127.0.0.1"]);
      expect(await redis.info("server")).toMatch(/^redis_version:7\./m);
      expect(await redis.set("greeting", "hello")).toBe("OK");
    });
    expect(await server.cli("GET", "greeting")).toBe("hello");
    await server.restart();
    await withClient(server.url, async (redis) => expect(await redis.get("greeting")).toBe("hello"));
  });

  it("cli rejects an error reply; pause freezes the server until unpause", async () => {
    await expect(server.cli("NOSUCHCOMMAND")).rejects.toThrow(/ERR unknown command/);
    await withClient(server.url, async (redis) => {
      await server.pause();
      let settled = false;
      const pending = redis.incr("counter").finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 500));
      expect(settled).toBe(false);
      await server.unpause();
      expect(await pending).toBe(1);
    });
  });
});

describe("startRedis without persistence, with a password", () => {
  it("appendonly: false is volatile: a key is gone after a restart", async () => {
    const server = await startRedis({ appendonly: false });
    try {
      await withClient(server.url, async (redis) => {
        expect(await redis.config("GET", "appendonly")).toEqual(["appendonly", "no"]);
        expect(await redis.config("GET", "save")).toEqual(["save", ""]);
        await redis.set("greeting", "hello");
      });
      await server.restart();
      await withClient(server.url, async (redis) => expect(await redis.exists("greeting")).toBe(0));
    } finally {
      await server.stop();
    }
  });

  it("password: refuses commands without AUTH and with a wrong one, accepts url and cli; stop removes the container", async () => {
    const password = 'p@ss "word\\ with spaces';
    const server = await startRedis({ password });
    try {
      expect(server.url).toBe(`redis://:${encodeURIComponent(password)}@127.0.0.1:${server.port}`);
      await expect(withClient(`redis://127.0.0.1:${server.port}`, (redis) => redis.get("k"))).rejects.toThrow(/NOAUTH/);
      await expect(withClient(`redis://:wrong@127.0.0.1:${server.port}`, (redis) => redis.ping())).rejects.toThrow(/WRONGPASS/);
      await withClient(server.url, async (redis) => {
        expect(await redis.set("k", "v")).toBe("OK");
      });
      expect(await server.cli("GET", "k")).toBe("v");
    } finally {
      await server.stop();
    }
    expect((await dockerRequest("GET", `/containers/${server.containerId}/json`)).status).toBe(404);
    await expect(withClient(server.url, (redis) => redis.ping())).rejects.toThrow(/ECONNREFUSED/);
  });

  it("rejects an unknown option before starting anything", async () => {
    await expect(startRedis({ appendOnly: false } as never)).rejects.toThrow(/unknown option\(s\) appendOnly/);
  });
});
