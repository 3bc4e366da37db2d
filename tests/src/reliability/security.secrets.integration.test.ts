// Security: no secret (password, key text, passphrase, keyboard-interactive answers, proxy passwords, Boomi secret properties) reaches an error, a log line, a printed config, connector or session, or the CLI's output, in scenarios that go wrong and in a logged success.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { inspect } from "node:util";
import { createSftpConnector, fromBoomiProperties, isSftpConnectorError, validateConfig, type ConnectorConfig, type SftpConnector } from "sftp-connector";
import { rejectionOf, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { captureIo, main } from "../../../packages/sftp-connector/src/cli.js";

let testbed: Testbed;
let local: string;
const DIR = "/home/tester/secrets";

/** A unique marker per secret field, used where the scenario needs a wrong secret. */
const tag = randomBytes(4).toString("hex");
const M = {
  password: `MARK-password-${tag}`,
  passphrase: `MARK-passphrase-${tag}`,
  response: `MARK-response-${tag}`,
  kbdPassword: `MARK-kbdpassword-${tag}`,
  socks: `MARK-socks5pw-${tag}`,
  http: `MARK-httppw-${tag}`,
  boomiPassword: `MARK-boomipassword-${tag}`,
  boomiPassphrase: `MARK-boomikeypswrd-${tag}`,
  boomiProxy: `MARK-boomiproxypw-${tag}`,
  content: `MARK-content-${tag}`,
};
const MARKERS = Object.values(M);

/** The testbed's real secrets: none may show either. Key text counts line by line. */
function realSecrets(): string[] {
  const keyLines = Object.values(testbed.users.key.keys).flatMap((key) =>
    key.privateKey.split("\n").filter((line) => line.length >= 20 && !line.startsWith("-----")),
  );
  return [testbed.users.password.password, testbed.users.key.passphrase, testbed.proxies!.socksAuth.password, testbed.proxies!.httpAuth.password, ...keyLines];
}
const needles = () => [...MARKERS, ...realSecrets()];

/** Every printed form of a value: inspect (all depths, hidden too) and JSON (circular structures cannot leak through it). */
function printed(value: unknown): string[] {
  const forms = [inspect(value, { depth: Infinity }), inspect(value, { depth: Infinity, showHidden: true }), String(value)];
  try {
    forms.push(JSON.stringify(value) ?? "");
  } catch {
    // circular: JSON cannot print it at all
  }
  return forms;
}

/** An error's message, stack, printed forms, and the same for every cause down the chain. */
function errorSurfaces(error: unknown): string[] {
  const surfaces: string[] = [];
  const seen = new Set<unknown>();
  for (let current: unknown = error; current !== undefined && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    if (current instanceof Error) surfaces.push(current.message, current.stack ?? "");
    surfaces.push(...printed(current));
  }
  return surfaces;
}

function expectClean(what: string, surfaces: string[]): void {
  for (const needle of needles()) {
    const hit = surfaces.find((surface) => surface.includes(needle));
    if (hit !== undefined) {
      const at = hit.indexOf(needle);
      throw new Error(`${what} leaks a secret: …${hit.slice(Math.max(0, at - 120), at).replaceAll(needle, "<SECRET>")}<SECRET>…`);
    }
  }
}

/** A logger that records every call at every level, details included. */
function recorder() {
  const calls: Array<{ level: string; message: string; details?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, details?: Record<string, unknown>) => void calls.push({ level, message, ...(details ? { details } : {}) });
  return {
    calls,
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    surfaces: () => calls.flatMap((c) => [c.message, ...(c.details ? printed(c.details) : [])]),
  };
}

beforeAll(async () => {
  testbed = await startTestbed({ proxies: true });
  await testbed.exec(`mkdir -p ${DIR} && head -c 33554432 /dev/urandom > ${DIR}/big.bin && echo hi > ${DIR}/small.txt && chown -R tester: ${DIR}`);
  local = mkdtempSync(join(tmpdir(), "security-secrets-"));
}, 120_000);
afterAll(async () => {
  await testbed?.stop();
  rmSync(local, { recursive: true, force: true });
});

const encryptedKey = () => testbed.users.key.keys.ed25519Encrypted.privateKey;
const base = (extra: Record<string, unknown> = {}) =>
  testbed.connectionConfig({
    hostKey: "fingerprint",
    timeoutMs: 30_000,
    extra: { remoteDirectory: "secrets", retry: { attempts: 0, backoffMs: 100 }, ...extra },
  });
/** Every kind of auth method at once, each with a wrong marker secret (tried in order, all refused). */
const allWrongAuth = () => [
  { type: "password", password: M.password },
  { type: "keyboardInteractive", responses: [M.response] },
  { type: "keyboardInteractive", password: M.kbdPassword },
];

interface Scenario {
  name: string;
  config: () => ConnectorConfig;
  act: (sftp: SftpConnector) => Promise<unknown>;
  reason: string;
  before?: () => Promise<void>;
  after?: () => Promise<void>;
}

const drain = async (items: AsyncIterable<unknown>) => {
  for await (const _ of items) void _;
};

const SCENARIOS: Scenario[] = [
  { name: "wrong password", config: () => base({ auth: { type: "password", password: M.password } }), act: (s) => s.testConnection(), reason: "AUTH_FAILED" },
  {
    name: "wrong keyboard-interactive answers, then a wrong password, through an operation",
    config: () => base({ auth: allWrongAuth() }),
    act: (s) => s.create({ fileName: "never.txt", content: "x" }),
    reason: "AUTH_FAILED",
  },
  {
    name: "wrong passphrase of a key given as content",
    config: () =>
      testbed.connectionConfig({
        key: "ed25519Encrypted",
        hostKey: "fingerprint",
        timeoutMs: 30_000,
        extra: { auth: { type: "privateKey", content: encryptedKey(), passphrase: M.passphrase }, retry: { attempts: 0 } },
      }),
    act: (s) => s.get({ fileName: "secrets/small.txt" }),
    reason: "INVALID_CONFIG",
  },
  {
    name: "host key mismatch, with every secret set and a SOCKS5 proxy with the right password",
    config: () =>
      base({
        auth: [...allWrongAuth(), { type: "privateKey", content: encryptedKey(), passphrase: M.passphrase }],
        hostKey: { fingerprints: [`SHA256:${"Z".repeat(43)}`] },
        proxy: { type: "socks5", ...testbed.proxies!.socksAuth },
      }),
    act: (s) => drain(s.list()),
    reason: "HOST_KEY_MISMATCH",
  },
  {
    name: "SOCKS5 proxy, wrong password",
    config: () => base({ proxy: { type: "socks5", ...testbed.proxies!.socksAuth, password: M.socks } }),
    act: (s) => s.testConnection(),
    reason: "PROXY_FAILED",
  },
  {
    name: "HTTP CONNECT proxy, wrong password",
    config: () => base({ proxy: { type: "http", ...testbed.proxies!.httpAuth, password: M.http } }),
    act: (s) => s.upsert({ fileName: "never.txt", content: "x" }),
    reason: "PROXY_FAILED",
  },
  {
    name: "Boomi properties, wrong password and proxy password",
    config: () => ({
      boomi: {
        host: testbed.host,
        port: String(testbed.port),
        username: "tester",
        password: M.boomiPassword,
        hostEntry: testbed.hostKey.knownHostsLine,
        proxyEnable: "true",
        proxyType: "SOCKS5",
        proxyHost: "127.0.0.1",
        proxyPort: String(testbed.proxies!.socksAuth.port),
        proxyuserName: testbed.proxies!.socksAuth.username,
        proxyPassword: M.boomiProxy,
      },
    }),
    act: (s) => s.testConnection(),
    reason: "PROXY_FAILED",
  },
  {
    name: "Boomi properties, key content with a wrong keyPswrd",
    config: () => ({
      boomi: {
        host: testbed.host,
        port: testbed.port,
        username: "keyuser",
        authType: "Using public Key",
        useKeyContent: "true",
        prvkeyContent: encryptedKey(),
        keyPswrd: M.boomiPassphrase,
        hostEntry: testbed.hostKey.knownHostsLine,
      },
    }),
    act: (s) => s.testConnection(),
    reason: "INVALID_CONFIG",
  },
  {
    name: "connect timeout against a paused server",
    config: () => base({ auth: allWrongAuth(), timeouts: { connectMs: 1_500, readMs: 1_500 } }),
    before: () => testbed.pause(),
    act: (s) => s.testConnection(),
    after: () => testbed.unpause(),
    reason: "TIMEOUT",
  },
  {
    name: "read timeout mid-operation (the server pauses under an open session)",
    config: () => base({ timeouts: { connectMs: 30_000, readMs: 3_000 } }),
    act: async (s) => {
      const doc = await s.get({ fileName: "small.txt" });
      await drain(doc!.content as Readable); // read whole: the GET's one session is back, open and idle in the pool
      await testbed.pause();
      await drain(s.list());
    },
    after: () => testbed.unpause(),
    reason: "TIMEOUT",
  },
  {
    name: "connection lost mid-transfer",
    config: () => base(),
    act: async (s) => {
      const doc = await s.get({ fileName: "big.bin" });
      let received = 0;
      let dropped = false;
      for await (const chunk of doc!.content as Readable) {
        received += (chunk as Buffer).length;
        if (!dropped && received >= 1 << 20) {
          dropped = true;
          testbed.dropSessionsSync(); // synchronous: no more data is read before the sessions are gone
        }
      }
      throw new Error(`the transfer finished (${received} bytes) despite the dropped session`);
    },
    reason: "CONNECTION_LOST",
  },
];

describe("secrets never show when things go wrong (facade, logger recording every level)", () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    "%s",
    async (_name, scenario) => {
      const { logger, surfaces } = recorder();
      await scenario.before?.();
      const sftp = createSftpConnector(scenario.config(), { logger });
      let error: unknown;
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hung for 30 s; the log so far:\n${surfaces().join("\n").slice(-3000)}`)), 30_000);
      });
      try {
        error = await rejectionOf(Promise.race([scenario.act(sftp), hang]));
        if (error instanceof Error && error.message.startsWith("hung for 30 s")) throw error;
      } finally {
        clearTimeout(timer);
        await scenario.after?.();
        await sftp.close();
      }
      expect(isSftpConnectorError(error) && error.reason, String(error)).toBe(scenario.reason);
      expectClean("the error", errorSurfaces(error));
      expectClean("the log", surfaces());
      expectClean("the connector", [...printed(sftp), ...printed(sftp.config), ...printed(sftp.pool)]);
    },
    60_000,
  );

  it("invalid config (a bad port beside every secret), through validateConfig, the facade and fromBoomiProperties", async () => {
    const raw = {
      host: testbed.host,
      port: 0,
      username: "tester",
      auth: [...allWrongAuth(), { type: "privateKey", content: M.content, passphrase: M.passphrase }],
      hostKey: { fingerprints: [testbed.hostKey.fingerprint] },
      proxy: { type: "http", host: "127.0.0.1", port: 99999, username: "u", password: M.http },
    };
    const boomi = {
      host: testbed.host,
      port: "0",
      username: "keyuser",
      authType: "Using public Key",
      useKeyContent: "true",
      prvkeyContent: M.content,
      keyPswrd: M.boomiPassphrase,
      password: M.boomiPassword,
      hostEntry: testbed.hostKey.knownHostsLine,
      proxyEnable: "true",
      proxyType: "HTTP",
      proxyHost: "127.0.0.1",
      proxyPort: "-1",
      proxyuserName: "u",
      proxyPassword: M.boomiProxy,
    };
    for (const [door, attempt] of [
      ["validateConfig", () => validateConfig(raw as never)],
      ["createSftpConnector", () => createSftpConnector(raw as never)],
      ["createSftpConnector({ boomi })", () => createSftpConnector({ boomi })],
      ["fromBoomiProperties", () => fromBoomiProperties(boomi)],
    ] as Array<[string, () => unknown]>) {
      const error = await rejectionOf(async () => attempt(), isSftpConnectorError);
      expect(error.reason, door).toBe("INVALID_CONFIG");
      expect(error.message, door).toMatch(/port/);
      expectClean(`${door}'s error`, [...errorSurfaces(error), ...printed((error as { problems?: unknown }).problems)]);
    }
  });

  it("validated configs print no secret: validateConfig, fromBoomiProperties, connector.config (values still usable)", () => {
    const ours = validateConfig(
      base({
        auth: [...allWrongAuth(), { type: "privateKey", content: encryptedKey(), passphrase: M.passphrase }],
        proxy: { type: "socks5", ...testbed.proxies!.socksAuth, password: M.socks },
      }) as never,
    );
    const boomi = fromBoomiProperties({
      host: testbed.host,
      port: testbed.port,
      username: "keyuser",
      authType: "Using public Key",
      useKeyContent: "true",
      prvkeyContent: encryptedKey(),
      keyPswrd: M.boomiPassphrase,
      hostEntry: testbed.hostKey.knownHostsLine,
      proxyEnable: "true",
      proxyType: "HTTP",
      proxyHost: "127.0.0.1",
      proxyPort: "3128",
      proxyuserName: "u",
      proxyPassword: M.boomiProxy,
    });
    const sftp = createSftpConnector(ours);
    expectClean("configs", [...printed(ours), ...printed(boomi), ...printed(sftp.config), ...printed(sftp)]);
    expect(ours.auth[0]).toMatchObject({ password: M.password });
    expect(boomi.proxy).toMatchObject({ password: M.boomiProxy });
    return sftp.close();
  });
});

describe("a success with debug logging shows no secret either", () => {
  it("password user, key user with an encrypted key through SOCKS5 auth, keyboard-interactive through HTTP auth: every operation, logs, connector and session", async () => {
    const { calls, logger, surfaces } = recorder();
    const configs: ConnectorConfig[] = [
      base(),
      testbed.connectionConfig({
        key: "ed25519Encrypted",
        hostKey: "fingerprint",
        timeoutMs: 30_000,
        extra: { remoteDirectory: "/home/keyuser", proxy: { type: "socks5", ...testbed.proxies!.socksAuth } },
      }),
      base({ auth: { type: "keyboardInteractive", responses: [testbed.users.password.password] }, proxy: { type: "http", ...testbed.proxies!.httpAuth } }),
    ];
    for (const config of configs) {
      const sftp = createSftpConnector(config, { logger });
      try {
        await sftp.testConnection();
        await sftp.create({ fileName: `ok-${calls.length}.txt`, content: "fine" });
        await sftp.upsert({ fileName: "upserted.txt", content: "fine" });
        await sftp.get({ fileName: "upserted.txt" }, { as: "buffer" });
        await drain(sftp.list());
        await drain(sftp.query({}, { as: "buffer" }));
        const listener = await sftp.listen({ remoteDirectory: ".", pollingIntervalMs: 100, emitInitial: true }, () => {});
        await waitFor(() => listener.poller.state === "running", "the listener to run", 10_000);
        await listener.stop();
        await sftp.delete({ fileName: "upserted.txt" });
        const session = await sftp.pool.acquire();
        try {
          expectClean("a session", printed(session));
          expectClean("session.info", printed(session.info));
        } finally {
          sftp.pool.release(session);
        }
        expectClean("the connector", [...printed(sftp), ...printed(sftp.config), ...printed(sftp.pool)]);
      } finally {
        await sftp.close();
      }
    }
    expect(calls.some((c) => c.level === "debug")).toBe(true); // debug lines were logged, and checked
    expectClean("the debug log", surfaces());
  }, 90_000);
});

describe("the CLI's output (stdout and stderr) shows no secret, given in a config file or through flags", () => {
  const cli = async (argv: string[], env: Record<string, string> = {}) => {
    const io = captureIo({ env: { PATH: process.env.PATH, ...env }, cwd: local });
    const code = await main(argv, io.io);
    return { code, output: io.stdout() + io.stderr() };
  };
  const flags = () => ["--host", testbed.host, "--port", String(testbed.port), "--fingerprint", testbed.hostKey.fingerprint];
  const file = (name: string, content: unknown) => {
    const path = join(local, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content), { mode: 0o600 });
    return path;
  };

  it.each([
    [
      "config file: every auth kind wrong, SOCKS5 with the right password",
      () => [
        "test",
        "--verbose",
        "--config",
        file("wrong.json", { ...base({ auth: allWrongAuth(), proxy: { type: "socks5", ...testbed.proxies!.socksAuth } }) }),
      ],
      {},
      1,
      "AUTH_FAILED",
    ],
    [
      "config file: key content with a wrong passphrase",
      () => [
        "list",
        "--verbose",
        "--config",
        file(
          "key.json",
          testbed.connectionConfig({
            key: "ed25519Encrypted",
            hostKey: "fingerprint",
            timeoutMs: 30_000,
            extra: { auth: { type: "privateKey", content: encryptedKey(), passphrase: M.passphrase } },
          }),
        ),
      ],
      {},
      2,
      "INVALID_CONFIG",
    ],
    [
      "config file: a bad port beside every secret",
      () => [
        "test",
        "--config",
        file("badport.json", { ...base({ auth: [...allWrongAuth(), { type: "privateKey", content: M.content, passphrase: M.passphrase }] }), port: 70000 }),
      ],
      {},
      2,
      "INVALID_CONFIG",
    ],
    [
      "Boomi YAML: wrong password and proxy password",
      () => [
        "test",
        "--verbose",
        "--config",
        file(
          "boomi.yaml",
          [
            `host: "${testbed.host}"`,
            `port: "${testbed.port}"`,
            "username: tester",
            `password: "${M.boomiPassword}"`,
            `hostEntry: "${testbed.hostKey.knownHostsLine}"`,
            "proxyEnable: true",
            "proxyType: HTTP",
            "proxyHost: 127.0.0.1",
            `proxyPort: "${testbed.proxies!.httpAuth.port}"`,
            `proxyuserName: "${testbed.proxies!.httpAuth.username}"`,
            `proxyPassword: "${M.boomiProxy}"`,
          ].join("\n"),
        ),
      ],
      {},
      1,
      "PROXY_FAILED",
    ],
    [
      "flags: --password-env with a wrong password, --proxy with the right SOCKS5 password",
      () => [
        "test",
        "--verbose",
        ...flags(),
        "--user",
        "tester",
        "--password-env",
        "PW",
        "--proxy",
        `socks5://${testbed.proxies!.socksAuth.username}:${testbed.proxies!.socksAuth.password}@127.0.0.1:${testbed.proxies!.socksAuth.port}`,
      ],
      { PW: M.password },
      1,
      "AUTH_FAILED",
    ],
    [
      "flags: --proxy with a wrong HTTP password",
      () => [
        "list",
        "--verbose",
        ...flags(),
        "--user",
        "tester",
        "--password-env",
        "PW",
        "--proxy",
        `http://${testbed.proxies!.httpAuth.username}:${M.http}@127.0.0.1:${testbed.proxies!.httpAuth.port}`,
      ],
      () => ({ PW: testbed.users.password.password }),
      1,
      "PROXY_FAILED",
    ],
    [
      "flags: --key with a wrong --key-passphrase-env",
      () => ["test", "--verbose", ...flags(), "--user", "keyuser", "--key", file("id_enc", encryptedKey()), "--key-passphrase-env", "KP"],
      { KP: M.passphrase },
      2,
      "INVALID_CONFIG",
    ],
  ] as Array<[string, () => string[], Record<string, string> | (() => Record<string, string>), number, string]>)(
    "%s",
    async (_name, argv, env, code, reason) => {
      const result = await cli(argv(), typeof env === "function" ? env() : env);
      expect(result.code, result.output).toBe(code);
      expect(result.output).toContain(`error [${reason}]`);
      expectClean("the CLI's output", [result.output]);
    },
    60_000,
  );

  it("a success with --verbose: secrets from a config file and from flags never print", async () => {
    const fromFile = await cli([
      "list",
      "--verbose",
      "--json",
      "--config",
      file("ok.json", { ...base({ proxy: { type: "socks5", ...testbed.proxies!.socksAuth } }) }),
    ]);
    expect(fromFile.code, fromFile.output).toBe(0);
    expect(fromFile.output).toContain("small.txt");
    const fromFlags = await cli(
      [
        "test",
        "--verbose",
        ...flags(),
        "--user",
        "keyuser",
        "--key",
        file("id_ok", encryptedKey()),
        "--key-passphrase-env",
        "KP",
        "--proxy",
        `http://${testbed.proxies!.httpAuth.username}:${testbed.proxies!.httpAuth.password}@127.0.0.1:${testbed.proxies!.httpAuth.port}`,
      ],
      { KP: testbed.users.key.passphrase },
    );
    expect(fromFlags.code, fromFlags.output).toBe(0);
    expect(fromFlags.output).toMatch(/debug: /);
    expectClean("the CLI's output", [fromFile.output, fromFlags.output]);
  }, 60_000);
});
