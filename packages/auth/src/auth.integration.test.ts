// Logs in to the real OpenSSH testbed with plain ssh2 and createAuthHandler: every strategy and key kind, strategies in order, an agent, and refusals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { isSftpConnectorError } from "@sftp-connector/core";
import { readmeCodeBlock, runReadmeExample, startTestbed, type ClientKeyName, type Testbed } from "@sftp-connector/testkit";
import type { AuthStrategy } from "./AuthStrategy.js";
import { createAuthHandler, type AuthHandler } from "./createAuthHandler.js";
import { agent } from "./agent.js";
import { keyboardInteractive } from "./keyboardInteractive.js";
import { password } from "./password.js";
import { privateKeyContent } from "./privateKeyContent.js";
import { privateKeyFile } from "./privateKeyFile.js";
import { authFromConfig } from "./authFromConfig.js";

let testbed: Testbed;

beforeAll(async () => {
  testbed = await startTestbed();
});
afterAll(async () => {
  await testbed?.stop();
});

/**
 * Logs in with the strategies, lists the home directory over SFTP (proving the session works) and
 * resolves with the handler. Rejects with `auth.failure(error)` when ssh2 reports an auth failure.
 */
function login(username: string, strategies: AuthStrategy[]): Promise<AuthHandler> {
  const auth = createAuthHandler(strategies, username);
  const hostKey = testbed.hostKey.publicKey.split(" ")[1];
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client
      .on("ready", () => {
        client.sftp((error, sftp) => {
          if (error) {
            client.end();
            return reject(error);
          }
          sftp.readdir(".", (err) => {
            client.end();
            if (err) reject(err);
            else resolve(auth);
          });
        });
      })
      .on("error", (error: Error & { level?: string }) => {
        client.end();
        reject(error.level === "client-authentication" ? auth.failure(error) : error);
      })
      .connect({
        host: testbed.host,
        port: testbed.port,
        username,
        readyTimeout: 20_000,
        authHandler: auth.handler,
        hostVerifier: (key: Buffer) => key.toString("base64") === hostKey,
      });
  });
}

/** The ssh2 key type each testbed key parses to. */
const KEY_TYPES: Record<Exclude<ClientKeyName, "unauthorized">, string> = {
  ed25519: "ssh-ed25519",
  ecdsa: "ecdsa-sha2-nistp256",
  ecdsaPem: "ecdsa-sha2-nistp384",
  rsa: "ssh-rsa",
  rsaPem: "ssh-rsa",
  ed25519Encrypted: "ssh-ed25519",
  rsaPemEncrypted: "ssh-rsa",
};
const KEY_NAMES = Object.keys(KEY_TYPES) as (keyof typeof KEY_TYPES)[];

describe("logs in to OpenSSH", () => {
  it("with a password", async () => {
    const { username, password: secret } = testbed.users.password;
    const auth = await login(username, [password(secret)]);
    expect(auth.tried()).toEqual(["password"]);
  });

  it.each([
    ["the password", () => keyboardInteractive({ password: testbed.users.password.password }), "keyboard-interactive (password)"],
    ["responses", () => keyboardInteractive({ responses: [testbed.users.password.password] }), "keyboard-interactive (1 response)"],
  ])("with keyboard-interactive answering %s", async (_name, make, description) => {
    const auth = await login(testbed.users.password.username, [make()]);
    expect(auth.tried()).toEqual([description]);
  });

  it.each(KEY_NAMES)("with the %s key from a file", async (name) => {
    const { username, passphrase, keys } = testbed.users.key;
    const path = await testbed.writeKeyFile(name);
    const auth = await login(username, [privateKeyFile(path, keys[name].encrypted ? { passphrase } : {})]);
    expect(auth.tried()).toEqual([`publickey (${KEY_TYPES[name]} key from '${path}')`]);
  });

  it.each(KEY_NAMES)("with the %s key as content, checked against its public key", async (name) => {
    const { username, passphrase, keys } = testbed.users.key;
    const options = { publicKey: keys[name].publicKey, ...(keys[name].encrypted ? { passphrase } : {}) };
    const auth = await login(username, [privateKeyContent(keys[name].privateKey, options)]);
    expect(auth.tried()).toEqual([`publickey (${KEY_TYPES[name]} key content)`]);
  });

  it.each(["ed25519Encrypted", "rsaPemEncrypted", "ecdsaPem"] as const)("with the %s key pasted on one line", async (name) => {
    const { username, passphrase, keys } = testbed.users.key;
    const oneLine = keys[name].privateKey.trim().replace(/\n/g, " ");
    await login(username, [privateKeyContent(oneLine, keys[name].encrypted ? { passphrase } : {})]);
  });

  it("with several strategies in order: a wrong password, an unauthorized key, then the right key", async () => {
    const { username, keys } = testbed.users.key;
    const auth = await login(username, [password("wrong"), privateKeyContent(keys.unauthorized.privateKey), privateKeyContent(keys.ed25519.privateKey)]);
    expect(auth.tried()).toEqual(["password", "publickey (ssh-ed25519 key content)", "publickey (ssh-ed25519 key content)"]);
  });

  it("with a config list (authFromConfig)", async () => {
    const { username, passphrase, keys } = testbed.users.key;
    const auth = await login(
      username,
      authFromConfig([
        { type: "password", password: "wrong" },
        { type: "privateKey", content: keys.rsaPemEncrypted.privateKey, passphrase },
      ]),
    );
    expect(auth.tried()).toEqual(["password", "publickey (ssh-rsa key content)"]);
  });

  describe("with an ssh-agent", () => {
    const hasAgent = spawnSync("which", ["ssh-agent"]).status === 0 && spawnSync("which", ["ssh-add"]).status === 0;
    let dir: string | undefined;
    let socket = "";
    let pid: number | undefined;

    beforeAll(async () => {
      if (!hasAgent) return;
      dir = mkdtempSync(join(tmpdir(), "sock-"));
      socket = join(dir, "agent");
      const out = execFileSync("ssh-agent", ["-s", "-a", socket], { encoding: "utf8" });
      pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
      const keyFile = await testbed.writeKeyFile("ecdsa");
      execFileSync("ssh-add", [keyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: "pipe" });
    });
    afterAll(() => {
      if (pid) process.kill(pid);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it.runIf(hasAgent)("given its socket", async () => {
      const auth = await login(testbed.users.key.username, [agent({ socket })]);
      expect(auth.tried()).toEqual([`agent (${socket})`]);
    });

    it.runIf(hasAgent)("from SSH_AUTH_SOCK, after an agent-less key", async () => {
      const saved = process.env.SSH_AUTH_SOCK;
      process.env.SSH_AUTH_SOCK = socket;
      try {
        const auth = await login(testbed.users.key.username, [privateKeyContent(testbed.users.key.keys.unauthorized.privateKey), agent()]);
        expect(auth.tried()).toEqual(["publickey (ssh-ed25519 key content)", "agent (SSH_AUTH_SOCK)"]);
      } finally {
        if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
        else process.env.SSH_AUTH_SOCK = saved;
      }
    });
  });
});

describe("refuses", () => {
  it("a wrong password: ssh2 reports client-authentication, failure() is AUTH_FAILED", async () => {
    const { username } = testbed.users.password;
    const auth = createAuthHandler([password("wrong")], username);
    const raw = await new Promise<Error & { level?: string }>((resolve, reject) => {
      const client = new ssh2.Client();
      client
        .on("ready", () => {
          client.end();
          reject(new Error("logged in with a wrong password"));
        })
        .on("error", (error) => resolve(error))
        .connect({ host: testbed.host, port: testbed.port, username, authHandler: auth.handler, hostVerifier: () => true, readyTimeout: 20_000 });
    });
    expect(raw.level).toBe("client-authentication");
    const error = auth.failure(raw);
    expect(isSftpConnectorError(error) && error.reason).toBe("AUTH_FAILED");
    expect(error.message).toMatch(/^authentication failed for user tester \(tried: password; the server accepts: [a-z-, ]*password[a-z-, ]*\)$/);
  });

  it("an unauthorized key", async () => {
    const { username, keys } = testbed.users.key;
    const error = await login(username, [privateKeyContent(keys.unauthorized.privateKey)]).catch((e: unknown) => e);
    expect(isSftpConnectorError(error) && error.reason).toBe("AUTH_FAILED");
    expect((error as Error).message).toMatch(/^authentication failed for user keyuser \(tried: publickey \(ssh-ed25519 key content\); the server accepts: /);
  });

  it("a wrong passphrase with INVALID_CONFIG, before anything is offered", async () => {
    const { username } = testbed.users.key;
    const path = await testbed.writeKeyFile("rsaPemEncrypted");
    const strategy = privateKeyFile(path, { passphrase: "wrong" });
    await expect(strategy.prepare(username)).rejects.toMatchObject({
      reason: "INVALID_CONFIG",
      path,
      message: `auth.passphrase: the private key file '${path}' could not be decrypted with the given passphrase`,
    });
    const error = await login(username, [strategy]).catch((e: unknown) => e);
    expect(isSftpConnectorError(error) && error.reason).toBe("INVALID_CONFIG");
  });
});

describe("the README's ssh2 example", () => {
  it("logs in with the password after skipping the missing key file", async () => {
    const readme = new URL("../README.md", import.meta.url);
    expect(readmeCodeBlock(readme, 1)).toContain("createAuthHandler");
    const home = mkdtempSync(join(tmpdir(), "readme-home-"));
    try {
      const out = await runReadmeExample(readme, {
        block: 1,
        replaceImports: { "@sftp-connector/auth": fileURLToPath(new URL("./index.ts", import.meta.url)) },
        dir: new URL("../node_modules/", import.meta.url),
        env: {
          ...process.env,
          HOME: home,
          SFTP_HOST: testbed.host,
          SFTP_PORT: String(testbed.port),
          SFTP_USER: testbed.users.password.username,
          SFTP_PASSWORD: testbed.users.password.password,
          SFTP_HOST_KEY: testbed.hostKey.publicKey.split(" ")[1],
        },
      });
      expect(out.trim().split("\n")).toEqual(["trying password", "logged in after trying [ 'password' ]"]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
