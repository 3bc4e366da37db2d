// The environment's proxy (Boomi's ATOM type), a refused SOCKS5 login that must not print its password, and the login queue.
import { describe, expect, it } from "vitest";
import { createServer, type AddressInfo } from "node:net";
import { inspect } from "node:util";
import { openTunnel, proxyFromEnvironment } from "./openTunnel.js";
import { LoginQueue } from "./LoginQueue.js";

describe("proxyFromEnvironment", () => {
  const target = { host: "sftp.example.com", port: 22 };
  it.each([
    [{ ALL_PROXY: "socks5://proxy:1080" }, { type: "socks5", host: "proxy", port: 1080 }],
    [{ all_proxy: "socks5h://u:p%40ss@proxy:1081" }, { type: "socks5", host: "proxy", port: 1081, username: "u", password: "p@ss" }],
    [{ HTTPS_PROXY: "http://proxy:3128" }, { type: "http", host: "proxy", port: 3128 }],
    [{ https_proxy: "proxy:8080" }, { type: "http", host: "proxy", port: 8080 }],
    [{ HTTP_PROXY: "http://proxy" }, { type: "http", host: "proxy", port: 80 }],
    [
      { ALL_PROXY: "socks4://proxy:1080", HTTPS_PROXY: "http://other:1" },
      { type: "socks4", host: "proxy", port: 1080 },
    ],
    [{ ALL_PROXY: "socks5://proxy:1080", NO_PROXY: "example.com" }, undefined],
    [{ ALL_PROXY: "socks5://proxy:1080", NO_PROXY: ".example.com" }, undefined],
    [{ ALL_PROXY: "socks5://proxy:1080", NO_PROXY: "*" }, undefined],
    [
      { ALL_PROXY: "socks5://proxy:1080", NO_PROXY: "sftp.example.com:2222" },
      { type: "socks5", host: "proxy", port: 1080 },
    ],
    [
      { ALL_PROXY: "socks5://proxy:1080", NO_PROXY: "other.com" },
      { type: "socks5", host: "proxy", port: 1080 },
    ],
    [{}, undefined],
  ])("%j → %j", (env, expected) => {
    expect(proxyFromEnvironment(target, env as NodeJS.ProcessEnv)).toEqual(expected);
  });

  it("refuses an unsupported scheme without echoing credentials", () => {
    expect(() => proxyFromEnvironment(target, { ALL_PROXY: "ftp://u:SECRET@proxy:21" })).toThrow(/unsupported scheme "ftp"/);
    try {
      proxyFromEnvironment(target, { ALL_PROXY: "ftp://u:SECRET@proxy:21" });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain("SECRET");
    }
  });
});

describe("openTunnel through SOCKS5", () => {
  it("a refused username/password login is a ProxyError whose printed form (cause chain included) never shows the password", async () => {
    // A SOCKS5 server that asks for username/password and refuses every login.
    const server = createServer((socket) => {
      let step = 0;
      socket.on("data", () => {
        socket.write(step++ === 0 ? Buffer.from([5, 2]) : Buffer.from([1, 1]));
        if (step > 1) socket.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const password = "socks-secret-7f3a";
    try {
      const proxy = { type: "socks5" as const, host: "127.0.0.1", port: (server.address() as AddressInfo).port, username: "u", password };
      const error = await openTunnel({ host: "127.0.0.1", port: 22 }, proxy, { signal: new AbortController().signal, timeoutMs: 5_000 }).then(
        () => undefined,
        (e: unknown) => e as Error & { cause?: Error },
      );
      expect(error?.message).toMatch(/^the socks5 proxy 127\.0\.0\.1:\d+ could not connect to 127\.0\.0\.1:22: Socks5 Authentication failed/);
      expect(error?.cause?.message).toBe("Socks5 Authentication failed");
      expect(error?.cause?.stack).toContain("Socks5 Authentication failed");
      expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(password);
    } finally {
      server.close();
    }
  });
});

describe("LoginQueue", () => {
  it("runs at most `concurrency` logins per key at once, in arrival order, and keys independently", async () => {
    const queue = new LoginQueue(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const login = (i: number) => async () => {
      started.push(i);
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active -= 1;
      return i;
    };
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => queue.run("h:22", login(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    let otherPeak = 0;
    let otherActive = 0;
    await Promise.all(
      [0, 1, 2].map((i) =>
        queue.run(`host${i}:22`, async () => {
          otherActive += 1;
          otherPeak = Math.max(otherPeak, otherActive);
          await new Promise((r) => setTimeout(r, 5));
          otherActive -= 1;
        }),
      ),
    );
    expect(otherPeak).toBe(3);
  });

  it("frees the slot when a login fails", async () => {
    const queue = new LoginQueue(1);
    await expect(queue.run("k", async () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    await expect(queue.run("k", async () => "yes")).resolves.toBe("yes");
  });
});
