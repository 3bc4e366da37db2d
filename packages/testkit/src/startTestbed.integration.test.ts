// The testbed proves itself with plain ssh2: every login kind, every proxy, refusals, exec, restart and pause.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect as tcpConnect, type Socket } from "node:net";
import { Client, type ConnectConfig } from "ssh2";
import { SocksClient } from "socks";
import { startTestbed, fingerprintOf, sha256, waitFor, type Testbed, type TestbedConnectionConfig, type TestbedProxy } from "./index.js";

let testbed: Testbed;

beforeAll(async () => {
  testbed = await startTestbed({ proxies: true });
});
afterAll(async () => {
  await testbed?.stop();
});

/** Connects with ssh2, verifying the host key against the testbed's fingerprint unless told otherwise. */
function login(config: Partial<ConnectConfig>, expectedFingerprint = testbed.hostKey.fingerprint, client = new Client()): Promise<Client> {
  return new Promise((resolve, reject) => {
    client
      .on("ready", () => resolve(client))
      .on("error", (error) => {
        client.end();
        reject(error);
      })
      .connect({
        host: testbed.host,
        port: testbed.port,
        readyTimeout: 20_000,
        hostVerifier: (key: Buffer) => fingerprintOf(`x ${key.toString("base64")}`) === expectedFingerprint,
        ...config,
      });
  });
}

/** Lists the home directory over SFTP, proving the session works end to end. */
function listHome(client: Client): Promise<string[]> {
  return new Promise((resolve, reject) => {
    client.sftp((error, sftp) => {
      if (error) return reject(error);
      sftp.readdir(".", (err, list) => (err ? reject(err) : resolve(list.map((e) => e.filename))));
    });
  });
}

async function loginAndList(config: Partial<ConnectConfig>): Promise<string[]> {
  const client = await login(config);
  try {
    return await listHome(client);
  } finally {
    client.end();
  }
}

/** Opens an HTTP CONNECT tunnel; resolves with the socket or rejects with the proxy's status line. */
function httpConnect(proxy: TestbedProxy, auth?: { username: string; password: string }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: proxy.host, port: proxy.port });
    socket.once("error", reject);
    socket.once("connect", () => {
      const target = `${testbed.host}:${testbed.port}`;
      const authHeader = auth ? `Proxy-Authorization: Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}\r\n` : "";
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${authHeader}\r\n`);
    });
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const status = head.split("\r\n")[0] ?? "";
      if (/^HTTP\/1\.[01] 200/.test(status)) {
        const rest = head.slice(end + 4);
        if (rest) socket.unshift(Buffer.from(rest, "latin1"));
        resolve(socket);
      } else {
        socket.destroy();
        reject(new Error(status));
      }
    };
    socket.on("data", onData);
  });
}

async function socks(proxy: TestbedProxy, type: 4 | 5, auth?: { username: string; password: string }): Promise<Socket> {
  const { socket } = await SocksClient.createConnection({
    proxy: { host: proxy.host, port: proxy.port, type, userId: auth?.username, password: auth?.password },
    command: "connect",
    destination: { host: testbed.host, port: testbed.port },
    timeout: 10_000,
  });
  return socket;
}

describe("testbed: logins", () => {
  it("reports a host key whose fingerprint matches the key line", () => {
    expect(testbed.hostKey.type).toBe("ssh-ed25519");
    expect(testbed.hostKey.knownHostsLine).toBe(`[127.0.0.1]:${testbed.port} ${testbed.hostKey.publicKey}`);
    expect(testbed.hostKey.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("accepts the password user and serves SFTP", async () => {
    const { username, password } = testbed.users.password;
    await testbed.exec(`touch ${testbed.users.password.home}/hello.txt`, { user: username });
    expect(await loginAndList({ username, password })).toContain("hello.txt");
  });

  it.each(["ed25519", "ecdsa", "ecdsaPem", "rsa", "rsaPem"] as const)("accepts the key user with the %s key", async (name) => {
    const { username, keys } = testbed.users.key;
    expect(keys[name].encrypted).toBe(false);
    expect(await loginAndList({ username, privateKey: keys[name].privateKey })).toEqual(expect.any(Array));
  });

  it("ships keys in the formats their names say", () => {
    const { keys } = testbed.users.key;
    expect(keys.ed25519.privateKey).toContain("BEGIN OPENSSH PRIVATE KEY");
    expect(keys.rsaPem.privateKey).toContain("BEGIN RSA PRIVATE KEY");
    expect(keys.ecdsaPem.privateKey).toContain("BEGIN EC PRIVATE KEY");
    expect(keys.rsaPemEncrypted.privateKey).toContain("Proc-Type: 4,ENCRYPTED");
  });

  it.each(["ed25519Encrypted", "rsaPemEncrypted"] as const)("accepts the encrypted %s key with its passphrase", async (name) => {
    const { username, keys, passphrase } = testbed.users.key;
    expect(keys[name].encrypted).toBe(true);
    expect(await loginAndList({ username, privateKey: keys[name].privateKey, passphrase })).toEqual(expect.any(Array));
  });

  it("accepts a key read from the file writeKeyFile made", async () => {
    const { readFile, stat } = await import("node:fs/promises");
    const path = await testbed.writeKeyFile("ed25519");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const { username } = testbed.users.key;
    expect(await loginAndList({ username, privateKey: await readFile(path) })).toEqual(expect.any(Array));
  });

  it("accepts the password user over keyboard-interactive", async () => {
    const { username, password } = testbed.users.password;
    const prompts: string[] = [];
    const client = new Client();
    client.on("keyboard-interactive", (_name, _instructions, _lang, asked, finish) => {
      prompts.push(...asked.map((p) => p.prompt));
      finish(asked.map(() => password));
    });
    const client2 = await login({ username, tryKeyboard: true, authHandler: ["keyboard-interactive"] } as Partial<ConnectConfig>, undefined, client);
    client2.end();
    expect(prompts.join(" ")).toMatch(/password/i);
  });

  it("refuses a wrong password", async () => {
    await expect(login({ username: testbed.users.password.username, password: "wrong" })).rejects.toThrow(/authentication methods failed/);
  });

  it("refuses a key that is not authorized", async () => {
    const { username, keys } = testbed.users.key;
    await expect(login({ username, privateKey: keys.unauthorized.privateKey })).rejects.toThrow(/authentication methods failed/);
  });

  it("refuses a wrong passphrase for an encrypted key", async () => {
    const { username, keys } = testbed.users.key;
    await expect(login({ username, privateKey: keys.ed25519Encrypted.privateKey, passphrase: "wrong" })).rejects.toThrow();
  });

  it("is refused when the host key does not match the pinned fingerprint", async () => {
    const { username, password } = testbed.users.password;
    await expect(login({ username, password }, "SHA256:" + "A".repeat(43))).rejects.toThrow(/verification failed/i);
  });
});

describe("testbed: proxies", () => {
  it("tunnels SSH through SOCKS5 without auth", async () => {
    const sock = await socks(testbed.proxies!.socks, 5);
    expect(await loginAndList({ sock, ...testbed.users.password })).toEqual(expect.any(Array));
  });

  it("tunnels SSH through SOCKS4", async () => {
    const sock = await socks(testbed.proxies!.socks, 4);
    expect(await loginAndList({ sock, ...testbed.users.password })).toEqual(expect.any(Array));
  });

  it("tunnels SSH through SOCKS5 with username and password", async () => {
    const proxy = testbed.proxies!.socksAuth;
    const sock = await socks(proxy, 5, proxy);
    expect(await loginAndList({ sock, ...testbed.users.password })).toEqual(expect.any(Array));
  });

  it("is refused by the SOCKS5 auth proxy with wrong credentials", async () => {
    const proxy = testbed.proxies!.socksAuth;
    await expect(socks(proxy, 5, { username: proxy.username, password: "wrong" })).rejects.toThrow(/Socks5/i);
  });

  it("tunnels SSH through HTTP CONNECT without auth", async () => {
    const sock = await httpConnect(testbed.proxies!.http);
    expect(await loginAndList({ sock, ...testbed.users.password })).toEqual(expect.any(Array));
  });

  it("tunnels SSH through HTTP CONNECT with basic auth", async () => {
    const proxy = testbed.proxies!.httpAuth;
    const sock = await httpConnect(proxy, proxy);
    expect(await loginAndList({ sock, ...testbed.users.password })).toEqual(expect.any(Array));
  });

  it("is refused by the HTTP auth proxy without or with wrong credentials", async () => {
    const proxy = testbed.proxies!.httpAuth;
    await expect(httpConnect(proxy)).rejects.toThrow(/ 407 /);
    // tinyproxy answers wrong credentials with 401 rather than 407.
    await expect(httpConnect(proxy, { username: proxy.username, password: "wrong" })).rejects.toThrow(/ 40[17] /);
  });
});

/** The ssh2 settings for a connection config, checking the host key by what the config pins. */
function ssh2Settings(config: TestbedConnectionConfig): Partial<ConnectConfig> {
  const { auth, hostKey } = config;
  const pinned = "knownHosts" in hostKey ? fingerprintOf(hostKey.knownHosts.split(" ").slice(1).join(" ")) : hostKey.fingerprints[0];
  return {
    host: config.host,
    port: config.port,
    username: config.username,
    readyTimeout: config.timeouts.connectMs,
    ...(auth.type === "password" ? { password: auth.password } : { privateKey: auth.content, passphrase: auth.passphrase }),
    hostVerifier: (key: Buffer) => fingerprintOf(`x ${key.toString("base64")}`) === pinned,
  };
}

/** Resolves when the client's connection closes. */
const closed = (client: Client) => new Promise<void>((resolve) => client.once("close", () => resolve()));

describe("testbed: helpers", () => {
  it("connectionConfig gives the password user, the known_hosts line and 20 s timeouts by default", () => {
    expect(testbed.connectionConfig()).toEqual({
      host: "127.0.0.1",
      port: testbed.port,
      username: "tester",
      auth: { type: "password", password: testbed.users.password.password },
      hostKey: { knownHosts: testbed.hostKey.knownHostsLine },
      timeouts: { connectMs: 20_000, readMs: 20_000 },
    });
  });

  it("connectionConfig gives the key user with a key (and its passphrase when encrypted), a fingerprint, a timeout and extra fields", () => {
    const { username, keys, passphrase } = testbed.users.key;
    expect(testbed.connectionConfig({ user: "key" }).auth).toEqual({ type: "privateKey", content: keys.ed25519.privateKey });
    expect(testbed.connectionConfig({ key: "rsaPem" }).auth).toEqual({ type: "privateKey", content: keys.rsaPem.privateKey });
    const proxy = { type: "socks5", host: "127.0.0.1", port: 1080 };
    expect(
      testbed.connectionConfig({ key: "rsaPemEncrypted", hostKey: "fingerprint", timeoutMs: 5_000, extra: { proxy, timeouts: { connectMs: 1, readMs: 2 } } }),
    ).toEqual({
      host: "127.0.0.1",
      port: testbed.port,
      username,
      auth: { type: "privateKey", content: keys.rsaPemEncrypted.privateKey, passphrase },
      hostKey: { fingerprints: [testbed.hostKey.fingerprint] },
      timeouts: { connectMs: 1, readMs: 2 },
      proxy,
    });
    expect(testbed.connectionConfig({ timeoutMs: 5_000 }).timeouts).toEqual({ connectMs: 5_000, readMs: 5_000 });
  });

  it.each([
    ["the password user", {}],
    ["the key user", { user: "key" }],
    ["an encrypted key, pinned by fingerprint", { key: "ed25519Encrypted", hostKey: "fingerprint" }],
  ] as const)("connectionConfig logs in as %s", async (_name, options) => {
    const config = testbed.connectionConfig(options);
    const client = await login(ssh2Settings(config));
    try {
      expect(await listHome(client)).toEqual(expect.any(Array));
    } finally {
      client.end();
    }
  });

  it("dropSessions kills one user's sessions, and only theirs; dropSessionsSync too", async () => {
    const tester = await login(ssh2Settings(testbed.connectionConfig()));
    const keyuser = await login(ssh2Settings(testbed.connectionConfig({ user: "key" })));
    try {
      const testerClosed = closed(tester);
      await testbed.dropSessions();
      await testerClosed;
      expect(await listHome(keyuser)).toEqual(expect.any(Array));
      const keyuserClosed = closed(keyuser);
      testbed.dropSessionsSync("keyuser");
      await keyuserClosed;
      await testbed.dropSessions(); // none left: still fine
      await waitFor(async () => (await testbed.exec("pgrep -f '^sshd: (tester|keyuser)' || true")).stdout.trim() === "", "no sessions left", 10_000);
    } finally {
      tester.end();
      keyuser.end();
    }
  });

  it("dropSessions refuses what is not a user name", async () => {
    await expect(testbed.dropSessions("tester' /")).rejects.toThrow(/not a user name/);
    expect(() => testbed.dropSessionsSync("a b")).toThrow(/not a user name/);
  });

  it("sha256 hashes a file in the container, odd names too, and rejects for a missing one", async () => {
    const { home, username } = testbed.users.password;
    await testbed.exec(`printf 'héllo ✓' > "${home}/it's here.txt"`, { user: username });
    expect(await testbed.sha256(`${home}/it's here.txt`)).toBe(sha256("héllo ✓"));
    await expect(testbed.sha256(`${home}/missing.txt`)).rejects.toThrow(/sha256sum/);
  });
});

describe("testbed: control", () => {
  it("runs commands in the container, as root or as a user, and reports failures", async () => {
    expect((await testbed.exec("id -un")).stdout.trim()).toBe("root");
    expect((await testbed.exec("id -un", { user: "tester" })).stdout.trim()).toBe("tester");
    await expect(testbed.exec("exit 3")).rejects.toThrow(/exit 3/);
    expect((await testbed.exec("exit 3", { allowFailure: true })).exitCode).toBe(3);
  });

  it("stalls connections while paused and serves again after unpause", async () => {
    await testbed.pause();
    try {
      await expect(login({ ...testbed.users.password, readyTimeout: 1_500 })).rejects.toThrow(/Timed out/i);
    } finally {
      await testbed.unpause();
    }
    expect(await loginAndList(testbed.users.password)).toEqual(expect.any(Array));
  });

  it("restarts keeping its host key, users and files", async () => {
    const { home, username } = testbed.users.password;
    await testbed.exec(`echo kept > ${home}/kept.txt`, { user: username });
    await testbed.restart();
    expect(await loginAndList(testbed.users.password)).toContain("kept.txt");
  });
});

describe("testbed: start", () => {
  it("fails fast, naming the cause, when sshd cannot start", async () => {
    const started = Date.now();
    await expect(startTestbed({ sshdConfig: ["NoSuchSshdOption yes"], startupTimeoutMs: 60_000 })).rejects.toThrow(/exited \(code \d+\) before sshd answered/);
    expect(Date.now() - started).toBeLessThan(30_000); // not the 60 s startup timeout
  });
});

describe("stop", () => {
  it("deletes the key files writeKeyFile wrote", async () => {
    const { existsSync } = await import("node:fs");
    const { dirname } = await import("node:path");
    const own = await startTestbed();
    let paths: string[] = [];
    try {
      paths = [await own.writeKeyFile("ed25519"), await own.writeKeyFile("rsa")];
      for (const path of paths) expect(existsSync(path)).toBe(true);
    } finally {
      await own.stop();
    }
    for (const path of paths) expect(existsSync(path)).toBe(false);
    expect(existsSync(dirname(paths[0]!))).toBe(false);
  });
});
