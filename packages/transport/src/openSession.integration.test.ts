// openSession against the real testbed: every auth row and proxy column of the matrix, and every refusal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tcpConnect } from "node:net";
import { startTestbed, freePorts, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError, type ConnectionConfig, type AuthMethod, type ProxyConfig } from "@sftp-connector/core";
import { openSession, testConnection, type Logger } from "./index.js";

let testbed: Testbed;
let agentSocket: string;
let agentPid: number;

beforeAll(async () => {
  testbed = await startTestbed({ proxies: true });
  // A real ssh-agent holding the ed25519 key.
  agentSocket = join(mkdtempSync(join(tmpdir(), "agent-")), "sock");
  const agent = spawn("ssh-agent", ["-D", "-a", agentSocket], { stdio: "ignore" });
  agentPid = agent.pid!;
  for (let i = 0; i < 50; i++) {
    try {
      execFileSync("ssh-add", ["-l"], { env: { SSH_AUTH_SOCK: agentSocket }, stdio: "ignore" });
      break;
    } catch (error) {
      if ((error as { status?: number }).status === 1) break; // "no identities": the agent answers
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  execFileSync("ssh-add", [await testbed.writeKeyFile("ed25519")], { env: { SSH_AUTH_SOCK: agentSocket }, stdio: "ignore" });
});

afterAll(async () => {
  if (agentPid) process.kill(agentPid);
  await testbed?.stop();
});

/** A config for the testbed: pinned host key, the given auth and proxy. */
function config(auth: AuthMethod | AuthMethod[], extra: Partial<ConnectionConfig> = {}): ConnectionConfig {
  const user = Array.isArray(auth) || auth.type === "password" || auth.type === "keyboardInteractive" ? "password" : "key";
  return testbed.connectionConfig({ user, extra: { auth, ...extra } });
}

const passwordAuth = (): AuthMethod => ({ type: "password", password: testbed.users.password.password });

/** Opens a session, lists home, closes: proves the whole path works. */
async function roundTrip(cfg: ConnectionConfig): Promise<string> {
  const session = await openSession(cfg);
  try {
    const names: string[] = [];
    for await (const entry of session.readdir(session.info.homeDirectory)) names.push(entry.name);
    expect(names).not.toContain(".");
    return session.info.homeDirectory;
  } finally {
    await session.close();
  }
}

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSftpConnectorError(error)).toBe(true);
  return error as import("@sftp-connector/core").SftpConnectorError;
}

describe("matrix rows: every auth kind, direct", () => {
  it("password", async () => {
    expect(await roundTrip(config(passwordAuth()))).toBe(testbed.users.password.home);
  });

  it("ed25519 key file", async () => {
    const path = await testbed.writeKeyFile("ed25519");
    expect(await roundTrip(config({ type: "privateKey", path }))).toBe(testbed.users.key.home);
  });

  it("RSA PEM key content (rsa-sha2)", async () => {
    const session = await openSession(config({ type: "privateKey", content: testbed.users.key.keys.rsaPem.privateKey }));
    await session.close();
    expect(session.info.homeDirectory).toBe(testbed.users.key.home);
  });

  it("ECDSA key content, OpenSSH and PEM formats", async () => {
    for (const name of ["ecdsa", "ecdsaPem"] as const) {
      expect(await roundTrip(config({ type: "privateKey", content: testbed.users.key.keys[name].privateKey }))).toBe(testbed.users.key.home);
    }
  });

  it("encrypted keys with their passphrase", async () => {
    const { passphrase, keys } = testbed.users.key;
    for (const name of ["ed25519Encrypted", "rsaPemEncrypted"] as const) {
      expect(await roundTrip(config({ type: "privateKey", content: keys[name].privateKey, passphrase }))).toBe(testbed.users.key.home);
    }
  });

  it("keyboard-interactive", async () => {
    expect(await roundTrip(config({ type: "keyboardInteractive", password: testbed.users.password.password }))).toBe(testbed.users.password.home);
  });

  it("ssh-agent", async () => {
    expect(await roundTrip(config({ type: "agent", socket: agentSocket }))).toBe(testbed.users.key.home);
  });

  it("several methods in order: a wrong password, then the right one", async () => {
    const cfg = config([{ type: "password", password: "wrong-first" }, passwordAuth()]);
    expect(await roundTrip(cfg)).toBe(testbed.users.password.home);
  });
});

describe("matrix columns: every way in, with password and with keys", () => {
  const proxies = (): Array<[string, ProxyConfig]> => {
    const p = testbed.proxies!;
    return [
      ["HTTP", { type: "http", host: p.http.host, port: p.http.port }],
      ["HTTP + basic auth", { type: "http", host: p.httpAuth.host, port: p.httpAuth.port, username: p.httpAuth.username, password: p.httpAuth.password }],
      ["SOCKS4", { type: "socks4", host: p.socks.host, port: p.socks.port }],
      ["SOCKS5", { type: "socks5", host: p.socks.host, port: p.socks.port }],
      ["SOCKS5 + auth", { type: "socks5", host: p.socksAuth.host, port: p.socksAuth.port, username: p.socksAuth.username, password: p.socksAuth.password }],
    ];
  };

  it("each proxy with password auth", async () => {
    for (const [name, proxy] of proxies()) {
      expect(await roundTrip(config(passwordAuth(), { proxy })), name).toBe(testbed.users.password.home);
    }
  });

  it("keys through proxies: ed25519 via SOCKS5+auth, RSA PEM via HTTP+auth, encrypted ed25519 via SOCKS4", async () => {
    const [, httpAuth] = proxies()[1]!;
    const [, socks4] = proxies()[2]!;
    const [, socks5Auth] = proxies()[4]!;
    const { keys, passphrase } = testbed.users.key;
    expect(await roundTrip(config({ type: "privateKey", content: keys.ed25519.privateKey }, { proxy: socks5Auth }))).toBe(testbed.users.key.home);
    expect(await roundTrip(config({ type: "privateKey", content: keys.rsaPem.privateKey }, { proxy: httpAuth }))).toBe(testbed.users.key.home);
    expect(await roundTrip(config({ type: "privateKey", content: keys.ed25519Encrypted.privateKey, passphrase }, { proxy: socks4 }))).toBe(
      testbed.users.key.home,
    );
  });

  it("the environment's proxy (Boomi's ATOM type)", async () => {
    const saved = process.env.ALL_PROXY;
    process.env.ALL_PROXY = `socks5://127.0.0.1:${testbed.proxies!.socks.port}`;
    try {
      expect(await roundTrip(config(passwordAuth(), { proxy: { type: "environment" } }))).toBe(testbed.users.password.home);
    } finally {
      if (saved === undefined) delete process.env.ALL_PROXY;
      else process.env.ALL_PROXY = saved;
    }
  });

  it("a jump host (the testbed forwarding to itself), with a key on the jump and a password on the target", async () => {
    const jump: ProxyConfig = {
      type: "jump",
      host: testbed.host,
      port: testbed.port,
      username: testbed.users.key.username,
      auth: { type: "privateKey", content: testbed.users.key.keys.ecdsa.privateKey },
      hostKey: { fingerprints: [testbed.hostKey.fingerprint] },
    };
    expect(await roundTrip(config(passwordAuth(), { proxy: jump }))).toBe(testbed.users.password.home);
  });

  it("a jump host reached through a SOCKS5 proxy, with keyboard-interactive on the target", async () => {
    const [, socks5] = proxies()[3]!;
    const jump: ProxyConfig = {
      type: "jump",
      host: testbed.host,
      port: testbed.port,
      username: testbed.users.password.username,
      auth: passwordAuth(),
      hostKey: { knownHosts: testbed.hostKey.knownHostsLine },
      proxy: socks5,
    };
    const cfg = config({ type: "keyboardInteractive", password: testbed.users.password.password }, { proxy: jump });
    expect(await roundTrip(cfg)).toBe(testbed.users.password.home);
  });

  it("a custom socket factory, which gets TCP_NODELAY set", async () => {
    let noDelay: boolean | undefined;
    const session = await openSession(config(passwordAuth()), {
      socketFactory: async (target) => {
        const socket = tcpConnect({ host: target.host, port: target.port });
        const original = socket.setNoDelay.bind(socket);
        socket.setNoDelay = (value?: boolean) => {
          noDelay = value;
          return original(value);
        };
        await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
        return socket;
      },
    });
    await session.close();
    expect(noDelay).toBe(true);
  });
});

describe("host keys", () => {
  it("accepts a hashed known_hosts line", async () => {
    const salt = Buffer.from("0123456789abcdefghij");
    const name = `[127.0.0.1]:${testbed.port}`;
    const hash = createHash("sha1"); // placeholder to keep imports honest
    void hash;
    const { createHmac } = await import("node:crypto");
    const hmac = createHmac("sha1", salt).update(name).digest("base64");
    const line = `|1|${salt.toString("base64")}|${hmac} ${testbed.hostKey.publicKey}`;
    expect(await roundTrip(config(passwordAuth(), { hostKey: { knownHosts: line } }))).toBe(testbed.users.password.home);
  });

  it("refuses a mismatched key with HOST_KEY_MISMATCH naming the presented fingerprint", async () => {
    const other = `[127.0.0.1]:${testbed.port} ${testbed.users.key.keys.ed25519.publicKey.split(" ").slice(0, 2).join(" ")}`;
    const error = await rejection(openSession(config(passwordAuth(), { hostKey: { knownHosts: other } })));
    expect(error.reason).toBe("HOST_KEY_MISMATCH");
    expect(error.message).toContain(testbed.hostKey.fingerprint);
    expect(error.retryable).toBe(false);
  });

  it("refuses a revoked key even when another line accepts it", async () => {
    const lines = `${testbed.hostKey.knownHostsLine}\n@revoked [127.0.0.1]:${testbed.port} ${testbed.hostKey.publicKey}`;
    const error = await rejection(openSession(config(passwordAuth(), { hostKey: { knownHosts: lines } })));
    expect(error.reason).toBe("HOST_KEY_MISMATCH");
    expect(error.message).toMatch(/revoked/);
  });

  it("insecureAcceptAny connects and warns once per session", async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
    const session = await openSession(config(passwordAuth(), { hostKey: { insecureAcceptAny: true } }), { logger });
    await session.close();
    expect(warnings.filter((w) => /host key checking is off/.test(w))).toHaveLength(1);
  });
});

describe("refusals", () => {
  it("a wrong password: AUTH_FAILED naming the methods tried, never the password", async () => {
    const error = await rejection(openSession(config({ type: "password", password: "SECRET-wrong-password" })));
    expect(error.reason).toBe("AUTH_FAILED");
    expect(error.message).toMatch(/tried: password/);
    expect(JSON.stringify(error) + error.message + String(error.stack)).not.toContain("SECRET-wrong-password");
  });

  it("a wrong passphrase: INVALID_CONFIG before any login", async () => {
    const error = await rejection(
      openSession(config({ type: "privateKey", content: testbed.users.key.keys.ed25519Encrypted.privateKey, passphrase: "SECRET-wrong-pass" })),
    );
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.message).toMatch(/passphrase/);
    expect(error.message).not.toContain("SECRET-wrong-pass");
  });

  it("a key the server does not authorize: AUTH_FAILED", async () => {
    const error = await rejection(openSession(config({ type: "privateKey", content: testbed.users.key.keys.unauthorized.privateKey })));
    expect(error.reason).toBe("AUTH_FAILED");
    expect(error.message).toMatch(/publickey/);
  });

  it("wrong proxy credentials: PROXY_FAILED naming the proxy", async () => {
    const p = testbed.proxies!;
    for (const proxy of [
      { type: "socks5", host: p.socksAuth.host, port: p.socksAuth.port, username: p.socksAuth.username, password: "SECRET-proxy" },
      { type: "http", host: p.httpAuth.host, port: p.httpAuth.port, username: p.httpAuth.username, password: "SECRET-proxy" },
      { type: "http", host: p.httpAuth.host, port: p.httpAuth.port },
    ] as ProxyConfig[]) {
      const error = await rejection(openSession(config(passwordAuth(), { proxy })));
      expect(error.reason).toBe("PROXY_FAILED");
      expect(error.message).toContain(`${(proxy as { port: number }).port}`);
      expect(error.message + JSON.stringify(error)).not.toContain("SECRET-proxy");
    }
  });

  it("a proxy asked for a closed port: PROXY_FAILED", async () => {
    const [closed] = await freePorts(1);
    const p = testbed.proxies!;
    for (const proxy of [
      { type: "socks5", host: p.socks.host, port: p.socks.port },
      { type: "http", host: p.http.host, port: p.http.port },
    ] as ProxyConfig[]) {
      const error = await rejection(openSession({ ...config(passwordAuth(), { proxy }), port: closed! }));
      expect(error.reason).toBe("PROXY_FAILED");
    }
  });

  it("a closed port: HOST_UNREACHABLE", async () => {
    const [closed] = await freePorts(1);
    const error = await rejection(openSession({ ...config(passwordAuth()), port: closed! }));
    expect(error.reason).toBe("HOST_UNREACHABLE");
    expect(error.message).toContain(`127.0.0.1:${closed}`);
  });

  it("a paused server: TIMEOUT within timeouts.connectMs", async () => {
    await testbed.pause();
    try {
      const error = await rejection(openSession(config(passwordAuth(), { timeouts: { connectMs: 1_500, readMs: 1_500 } })));
      expect(error.reason).toBe("TIMEOUT");
      expect(error.message).toMatch(/connectMs|Timed out/);
    } finally {
      await testbed.unpause();
    }
  });
});

describe("testConnection", () => {
  it("reports banner, algorithms, host key, home and round trip", async () => {
    const report = await testConnection(config(passwordAuth()));
    expect(report.banner).toMatch(/^SSH-2\.0-OpenSSH_/);
    expect(report.hostKey).toEqual({ type: "ssh-ed25519", fingerprint: testbed.hostKey.fingerprint });
    expect(report.algorithms.kex).not.toBe("");
    expect(report.algorithms.cipher).not.toBe("");
    expect(report.homeDirectory).toBe(testbed.users.password.home);
    expect(report.extensions).toContain("posix-rename@openssh.com");
    expect(report.limits.maxReadLength).toBeGreaterThan(32_768);
    expect(report.roundTripMs).toBeGreaterThanOrEqual(0);
  });

  it("connects with legacyKex on (legacy exchanges are appended, modern ones still win)", async () => {
    const report = await testConnection(config(passwordAuth(), { legacyKex: true }));
    expect(report.algorithms.kex).not.toMatch(/group1-sha1/);
  });
});

describe("logging", () => {
  it("debug output names host, port, proxy and algorithms, and never a secret", async () => {
    const lines: string[] = [];
    const record = (level: string) => (message: string, details?: Record<string, unknown>) =>
      lines.push(`${level} ${message} ${details ? JSON.stringify(details) : ""}`);
    const logger: Logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
    const p = testbed.proxies!.socksAuth;
    const { passphrase, keys } = testbed.users.key;
    const jump: ProxyConfig = {
      type: "jump",
      host: testbed.host,
      port: testbed.port,
      username: testbed.users.key.username,
      auth: { type: "privateKey", content: keys.ed25519Encrypted.privateKey, passphrase },
      hostKey: { knownHosts: testbed.hostKey.knownHostsLine },
      proxy: { type: "socks5", host: p.host, port: p.port, username: p.username, password: p.password },
    };
    const session = await openSession(config(passwordAuth(), { proxy: jump }), { logger });
    await session.close();
    const text = lines.join("\n");
    expect(text).toContain(`socks5 proxy 127.0.0.1:${p.port}`);
    expect(text).toContain(`127.0.0.1:${testbed.port}`);
    expect(text).toMatch(/cipher/);
    for (const secret of [testbed.users.password.password, p.password, passphrase, keys.ed25519Encrypted.privateKey.split("\n")[1]!]) {
      expect(text).not.toContain(secret);
    }
  });
});
