// Security: host keys are checked strictly by default, and a changed host key is refused by every entry point (facade, CLI, LISTEN, a pool's reuse) before any secret or byte is sent.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSftpConnector, fromBoomiProperties, isSftpConnectorError, openSession, SessionPool, validateConfig, type ConnectorConfig } from "sftp-connector";
import type { SftpConnectorError } from "@sftp-connector/core";
import { rejectionOf, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { captureIo, main } from "../../../packages/sftp-connector/src/cli.js";
import { authLinesSince, restoreHostKey, serverLog, swapHostKey } from "./securityTestbed.js";

let testbed: Testbed;
let local: string;
const DIR = "/home/tester/hostkey";
/** A fingerprint no server has: the pinned key of "the server we expect" when the testbed must look like an impostor. */
const OTHER_FINGERPRINT = `SHA256:${"Q".repeat(43)}`;

beforeAll(async () => {
  testbed = await startTestbed();
  await testbed.exec(`mkdir -p ${DIR} && echo keep > ${DIR}/keep.txt`, { user: "tester" });
  local = mkdtempSync(join(tmpdir(), "security-hostkey-"));
}, 120_000);
afterAll(async () => {
  await testbed?.stop();
  rmSync(local, { recursive: true, force: true });
});
afterEach(async () => {
  await restoreHostKey(testbed);
}, 30_000);

/** A logger that records every call. */
function recorder() {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}

const config = (extra: Record<string, unknown> = {}) =>
  testbed.connectionConfig({ hostKey: "fingerprint", timeoutMs: 30_000, extra: { remoteDirectory: "hostkey", ...extra } }) as ConnectorConfig;
const remoteFiles = async () => (await testbed.exec(`ls -A ${DIR}`)).stdout.split("\n").filter(Boolean).sort();
const isMismatch = (error: SftpConnectorError) =>
  error.reason === "HOST_KEY_MISMATCH" && /^host key verification failed for 127\.0\.0\.1:\d+: the server presented ssh-ed25519 SHA256:/.test(error.message);

describe("strict by default", () => {
  it("a config without hostKey is refused with INVALID_CONFIG naming hostKey, at every door; the opt-out is by name and warns", async () => {
    const { hostKey: _pinned, ...withoutHostKey } = testbed.connectionConfig();
    const refusals: Array<[string, () => unknown]> = [
      ["validateConfig", () => validateConfig(withoutHostKey as never)],
      ["createSftpConnector", () => createSftpConnector(withoutHostKey as never)],
      ["openSession", () => openSession(withoutHostKey as never)],
      ["SessionPool", () => new SessionPool(withoutHostKey as never)],
      ["hostKey: {}", () => validateConfig({ ...withoutHostKey, hostKey: {} } as never)],
      ["insecureAcceptAny: false alone", () => validateConfig({ ...withoutHostKey, hostKey: { insecureAcceptAny: false } } as never)],
      ['insecureAcceptAny: "true"', () => validateConfig({ ...withoutHostKey, hostKey: { insecureAcceptAny: "true" } } as never)],
    ];
    for (const [door, attempt] of refusals) {
      const error = await rejectionOf(async () => attempt(), isSftpConnectorError);
      expect(error.reason, door).toBe("INVALID_CONFIG");
      expect(error.message, door).toMatch(/hostKey/);
    }
    const boomi = { host: testbed.host, port: String(testbed.port), username: "tester", password: testbed.users.password.password, hostEntry: "  " };
    const boomiError = await rejectionOf(async () => fromBoomiProperties(boomi), isSftpConnectorError);
    expect(boomiError.message).toContain('hostKey (Boomi "hostEntry"): required');

    // Opting out works only by its name, and says so on every connection.
    const { lines, logger } = recorder();
    const sftp = createSftpConnector({ ...withoutHostKey, hostKey: { insecureAcceptAny: true } } as ConnectorConfig, { logger });
    try {
      expect((await sftp.testConnection()).homeDirectory).toBe("/home/tester");
    } finally {
      await sftp.close();
    }
    expect(
      lines.filter((l) => l.level === "warn" && /host key checking is off for 127\.0\.0\.1:\d+ \(hostKey\.insecureAcceptAny\)/.test(l.message)),
    ).toHaveLength(1);
  });

  it("the CLI without a host key flag is a usage error (exit 2) naming the flags that pin or opt out", async () => {
    const io = captureIo({ env: { PW: testbed.users.password.password }, cwd: local });
    const code = await main(["test", "--host", testbed.host, "--port", String(testbed.port), "--user", "tester", "--password-env", "PW"], io.io);
    expect(code).toBe(2);
    expect(io.stderr()).toMatch(/^error \[INVALID_CONFIG\]: Invalid connection config:\n\s+- hostKey: required\./);
    expect(io.stderr()).toContain("--insecure-accept-any-host-key");
  });
});

describe("a host key that does not match the pin", () => {
  it("facade: testConnection and every operation reject with HOST_KEY_MISMATCH; nothing is written, deleted or authenticated", async () => {
    const logStart = serverLog(testbed).length;
    const before = await remoteFiles();
    const sftp = createSftpConnector(config({ hostKey: { fingerprints: [OTHER_FINGERPRINT] } }));
    const drain = async (items: AsyncIterable<unknown>) => {
      for await (const _ of items) void _;
    };
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ["testConnection", () => sftp.testConnection()],
      ["get", () => sftp.get({ fileName: "keep.txt" })],
      ["create", () => sftp.create({ fileName: "planted.txt", content: "x" })],
      ["upsert", () => sftp.upsert({ fileName: "keep.txt", content: "overwritten" })],
      ["delete", () => sftp.delete({ fileName: "keep.txt" })],
      ["list", () => drain(sftp.list())],
      ["query", () => drain(sftp.query())],
      ["listen", () => sftp.listen({ remoteDirectory: "hostkey", pollingIntervalMs: 100 }, () => {})],
    ];
    try {
      for (const [operation, attempt] of attempts) {
        const error = await rejectionOf(attempt(), isSftpConnectorError);
        expect(isMismatch(error), `${operation}: ${error.reason} ${error.message}`).toBe(true);
        expect(error.retryable, operation).toBe(false);
        expect(error.message, operation).toContain(testbed.hostKey.fingerprint);
      }
    } finally {
      await sftp.close();
    }
    expect(await remoteFiles()).toEqual(before);
    expect((await testbed.exec(`cat ${DIR}/keep.txt`)).stdout).toBe("keep\n");
    expect(authLinesSince(testbed, logStart)).toEqual([]);
  });

  it("CLI: every command exits 1 with error [HOST_KEY_MISMATCH] and touches nothing", async () => {
    const before = await remoteFiles();
    const conn = [
      "--host",
      testbed.host,
      "--port",
      String(testbed.port),
      "--user",
      "tester",
      "--password-env",
      "PW",
      "--fingerprint",
      OTHER_FINGERPRINT,
      "--remote-dir",
      "hostkey",
    ];
    const commands: string[][] = [
      ["test"],
      ["list"],
      ["get", "keep.txt"],
      ["create", "--name", "planted.txt"],
      ["upsert", "--name", "keep.txt"],
      ["delete", "keep.txt"],
      ["query"],
      ["listen", "--interval", "100ms"],
    ];
    for (const command of commands) {
      const io = captureIo({ env: { PW: testbed.users.password.password }, cwd: local, stdin: "planted" });
      const started = Date.now();
      const code = await main([...command, ...conn], io.io);
      expect(code, command.join(" ")).toBe(1);
      expect(io.stderr(), command.join(" ")).toMatch(
        /^error \[HOST_KEY_MISMATCH\]: host key verification failed for 127\.0\.0\.1:\d+: the server presented ssh-ed25519 SHA256:/m,
      );
      expect(io.stderr() + io.stdout()).not.toContain(testbed.users.password.password);
      expect(Date.now() - started, command.join(" ")).toBeLessThan(20_000);
    }
    expect(await remoteFiles()).toEqual(before);
  });
});

describe("the server's host key changes under a running client", () => {
  it("pool reuse: after the swap the pool's next connection is refused; nothing is written and no login reaches the impostor", async () => {
    const { lines, logger } = recorder();
    const sftp = createSftpConnector(config(), { logger });
    try {
      // Warm the pool with several sessions.
      await Promise.all([0, 1, 2].map((i) => sftp.create({ fileName: `warm-${i}.txt`, content: "warm" })));
      expect(sftp.pool.size).toBeGreaterThanOrEqual(1);
      const logStart = serverLog(testbed).length;
      expect(authLinesSince(testbed, 0).some((line) => /Accepted password for tester/.test(line))).toBe(true); // the log does show logins

      await swapHostKey(testbed);
      for (const [operation, attempt] of [
        ["create", () => sftp.create({ fileName: "after-swap.txt", content: "must not arrive" })],
        ["upsert", () => sftp.upsert({ fileName: "keep.txt", content: "must not arrive" })],
        ["get", () => sftp.get({ fileName: "keep.txt" })],
        ["testConnection", () => sftp.testConnection()],
      ] as Array<[string, () => Promise<unknown>]>) {
        const error = await rejectionOf(attempt(), isSftpConnectorError);
        expect(isMismatch(error), `${operation}: ${error.reason} ${error.message}`).toBe(true);
        expect(error.message).not.toContain(testbed.hostKey.fingerprint); // it is the impostor's key that is named
      }
      expect(await remoteFiles()).not.toContain("after-swap.txt");
      expect((await testbed.exec(`cat ${DIR}/keep.txt`)).stdout).toBe("keep\n");
      expect(authLinesSince(testbed, logStart)).toEqual([]);
      expect(lines.filter((l) => /password/i.test(l.message) && l.message.includes(testbed.users.password.password))).toEqual([]);
    } finally {
      await sftp.close();
    }
  }, 60_000);

  it("LISTEN: the listener stops with HOST_KEY_MISMATCH (done rejects, the error is logged), delivers nothing from the impostor, and stops connecting", async () => {
    await testbed.exec(`mkdir -p ${DIR}/inbox`, { user: "tester" });
    const { lines, logger } = recorder();
    const sftp = createSftpConnector(config(), { logger });
    const delivered: string[] = [];
    try {
      const listener = await sftp.listen(
        { remoteDirectory: "hostkey/inbox", pollingIntervalMs: 200, retryBackoffMs: 200 },
        (doc) => void delivered.push(doc.properties.fileName),
      );
      await testbed.exec(`echo one > ${DIR}/inbox/before.txt`, { user: "tester" });
      await waitFor(() => delivered.includes("before.txt"), "the file written before the swap to be delivered", 20_000);

      const logStart = serverLog(testbed).length;
      await swapHostKey(testbed);
      await testbed.exec(`echo two > ${DIR}/inbox/after.txt`, { user: "tester" });
      const started = Date.now();
      const error = await rejectionOf(listener.done, isSftpConnectorError);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(error.reason).toBe("HOST_KEY_MISMATCH");
      expect(error.message).toMatch(/^listening to '\/home\/tester\/hostkey\/inbox' stopped: host key verification failed for 127\.0\.0\.1:\d+/);
      expect(listener.poller.state).toBe("stopped");
      expect(lines).toContainEqual({ level: "error", message: error.message });

      // It stopped connecting: sshd sees no new connection over the next second, and nothing was delivered.
      const connectionsNow = serverLog(testbed).filter((l) => /Connection (closed|reset) by 127\.0\.0\.1/.test(l)).length;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(serverLog(testbed).filter((l) => /Connection (closed|reset) by 127\.0\.0\.1/.test(l)).length).toBe(connectionsNow);
      expect(delivered).toEqual(["before.txt"]);
      expect(authLinesSince(testbed, logStart)).toEqual([]);
    } finally {
      await sftp.close();
    }
  }, 60_000);

  it("CLI listen: exits 1 with error [HOST_KEY_MISMATCH] once the key changes, instead of polling an impostor forever", async () => {
    await testbed.exec(`mkdir -p ${DIR}/cli-inbox`, { user: "tester" });
    const conn = [
      "--host",
      testbed.host,
      "--port",
      String(testbed.port),
      "--user",
      "tester",
      "--password-env",
      "PW",
      "--fingerprint",
      testbed.hostKey.fingerprint,
      "--remote-dir",
      "hostkey/cli-inbox",
    ];
    const io = captureIo({ env: { PW: testbed.users.password.password }, cwd: local });
    const running = main(["listen", ...conn, "--interval", "200ms", "--retry-backoff", "200ms"], io.io);
    try {
      await waitFor(() => io.stderr().includes("listening to '/home/tester/hostkey/cli-inbox'"), "the CLI to listen", 20_000);
      await swapHostKey(testbed);
      const started = Date.now();
      const code = await Promise.race([running, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 30_000))]);
      expect(code).toBe(1);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(io.stderr()).toMatch(/^error \[HOST_KEY_MISMATCH\]: listening to '\/home\/tester\/hostkey\/cli-inbox' stopped: host key verification failed/m);
      expect(io.stderr() + io.stdout()).not.toContain(testbed.users.password.password);
    } finally {
      io.stop();
      await running;
    }
  }, 60_000);
});
