// Secrets never leak: no passphrase, password, answer or key text in any error (message, stack, JSON, inspect) or strategy printout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AnyAuthMethod } from "ssh2";
import type { AuthStrategy } from "./AuthStrategy.js";
import { agent } from "./agent.js";
import { authFromConfig } from "./authFromConfig.js";
import { createAuthHandler } from "./createAuthHandler.js";
import { keyboardInteractive } from "./keyboardInteractive.js";
import { password } from "./password.js";
import { privateKeyContent } from "./privateKeyContent.js";
import { privateKeyFile } from "./privateKeyFile.js";
import { PASSPHRASE, TEST_KEYS, testKey, sshKeyPair } from "./testKeys.js";

const PASSWORD = "PASSWORD-MARKER-2d41";
const WRONG_PASSPHRASE = "WRONG-PASSPHRASE-MARKER-88c0";
const ANSWER = "ANSWER-MARKER-51aa";
const KEY_BYTES = "KEYBYTES-MARKER-e0f7";

/** Every string that must never be printed: the markers and a body line of every test key (plain or encrypted). */
const SECRETS = [
  PASSWORD,
  PASSPHRASE,
  WRONG_PASSPHRASE,
  ANSWER,
  KEY_BYTES,
  Buffer.from(KEY_BYTES).toString("base64").slice(0, 16),
  ...TEST_KEYS.flatMap((k) => {
    const body = k.privateKey.split("\n").filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line));
    return [body[0]!, body[Math.floor(body.length / 2)]!];
  }),
];

/** Every printed form of a value that a log line or error report might carry. */
function printouts(value: unknown): string[] {
  const forms = [String(value), JSON.stringify(value) ?? "", inspect(value, { depth: Infinity }), inspect(value, { depth: Infinity, showHidden: true })];
  if (value instanceof Error) forms.push(value.message, String(value.stack), inspect(value.cause, { depth: Infinity }));
  return forms;
}

function expectNoSecret(value: unknown) {
  for (const text of printouts(value)) for (const secret of SECRETS) expect(text, "printout leaks a secret").not.toContain(secret);
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error("expected prepare to fail");
  return error;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "auth-secrets-"));
  await writeFile(join(dir, "enc"), testKey("rsa PKCS#1 PEM encrypted").privateKey);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const encryptedKeys = TEST_KEYS.filter((k) => k.encrypted);
const magicBytes = `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from(`${KEY_BYTES}${"x".repeat(40)}`).toString("base64")}\n-----END OPENSSH PRIVATE KEY-----`;

/** [case, a strategy that fails to prepare]. */
const FAILING: [string, () => AuthStrategy][] = [
  ...encryptedKeys.map(
    (k) => [`${k.name}, wrong passphrase`, () => privateKeyContent(k.privateKey, { passphrase: WRONG_PASSPHRASE })] as [string, () => AuthStrategy],
  ),
  ...encryptedKeys.map((k) => [`${k.name}, no passphrase`, () => privateKeyContent(k.privateKey)] as [string, () => AuthStrategy]),
  ...encryptedKeys.map(
    (k) =>
      [`${k.name} on one line, wrong passphrase`, () => privateKeyContent(k.privateKey.replace(/\n/g, " "), { passphrase: WRONG_PASSPHRASE })] as [
        string,
        () => AuthStrategy,
      ],
  ),
  ["ssh2 quoting the key's bytes", () => privateKeyContent(magicBytes, { passphrase: PASSPHRASE })],
  ["text that is no key", () => privateKeyContent(`${KEY_BYTES} ${testKey("ed25519 OpenSSH").privateKey.split("\n")[1]}`)],
  [
    "a truncated key",
    () => privateKeyContent(testKey("rsa-2048 OpenSSH").privateKey.split("\n").slice(0, 6).join("\n") + "\n-----END OPENSSH PRIVATE KEY-----"),
  ],
  [
    "a corrupt PKCS#8 key",
    () => privateKeyContent(`-----BEGIN PRIVATE KEY-----\n${testKey("rsa PKCS#1 PEM").privateKey.split("\n")[1]}\n-----END PRIVATE KEY-----`),
  ],
  [
    "a mismatched public key",
    () => privateKeyContent(testKey("ed25519 OpenSSH encrypted").privateKey, { passphrase: PASSPHRASE, publicKey: sshKeyPair("ed25519").public }),
  ],
  ["a private key as publicKey", () => privateKeyContent(testKey("ed25519 OpenSSH").privateKey, { publicKey: testKey("ecdsa-256 OpenSSH").privateKey })],
  ["a key file, wrong passphrase", () => privateKeyFile(join(dir, "enc"), { passphrase: WRONG_PASSPHRASE })],
  ["a key file, no passphrase", () => privateKeyFile(join(dir, "enc"))],
  ["a missing key file with a passphrase", () => privateKeyFile(join(dir, "missing"), { passphrase: PASSPHRASE })],
  ["keyboard-interactive without answers", () => keyboardInteractive({ responses: [ANSWER, 1 as unknown as string] })],
  ["agent without socket", () => agent({ socket: join(dir, "no-agent") })],
];

describe("secrets never appear", () => {
  it.each([
    ["a key's text", () => testKey("ed25519 OpenSSH encrypted").privateKey],
    ["a message quoting a passphrase", () => new Error(`bad passphrase ${WRONG_PASSPHRASE}`)],
    ["a cause quoting key bytes", () => new Error("wrapped", { cause: new Error(`magic: ${KEY_BYTES}`) })],
  ])("(the check itself catches %s)", (_name, leak) => {
    expect(() => expectNoSecret(leak())).toThrow("printout leaks a secret");
  });

  it.each(FAILING)("in the error for %s", async (_name, make) => {
    const strategy = make();
    const error = await errorOf(strategy.prepare("u"));
    expectNoSecret(error);
    expectNoSecret(strategy);
  });

  const HOLDING: [string, () => AuthStrategy][] = [
    ["password", () => password(PASSWORD)],
    ["keyboard-interactive password", () => keyboardInteractive({ password: PASSWORD })],
    ["keyboard-interactive responses", () => keyboardInteractive({ responses: [ANSWER, PASSWORD] })],
    ...TEST_KEYS.map((k) => [`${k.name} content`, () => privateKeyContent(k.privateKey, { passphrase: PASSPHRASE })] as [string, () => AuthStrategy]),
    ["key file", () => privateKeyFile(join(dir, "enc"), { passphrase: PASSPHRASE })],
    ...authFromConfig([
      { type: "password", password: PASSWORD },
      { type: "privateKey", content: testKey("ed25519 OpenSSH encrypted").privateKey, passphrase: PASSPHRASE },
      { type: "keyboardInteractive", responses: [ANSWER] },
    ]).map((s, i) => [`config entry ${i}`, () => s] as [string, () => AuthStrategy]),
  ];

  it.each(HOLDING)("in the %s strategy's description, JSON or inspect, before and after prepare", async (_name, make) => {
    const strategy = make();
    expectNoSecret(strategy);
    expectNoSecret({ ...strategy });
    expect(JSON.parse(JSON.stringify(strategy))).toEqual({ method: strategy.method, description: strategy.description });
    expect(inspect(strategy)).toBe(`AuthStrategy { method: '${strategy.method}', description: '${strategy.description}' }`);
    await strategy.prepare("u");
    expectNoSecret(strategy);
    expectNoSecret(strategy.description);
  });

  it("in the handler's tried() list and AUTH_FAILED error", async () => {
    const strategies = [
      password(PASSWORD),
      keyboardInteractive({ responses: [ANSWER] }),
      privateKeyContent(testKey("rsa-2048 OpenSSH encrypted").privateKey, { passphrase: PASSPHRASE }),
    ];
    const auth = createAuthHandler(strategies, "tester");
    const handler = auth.handler as unknown as (m: unknown, p: unknown, next: (v: AnyAuthMethod | false) => void) => void;
    for (;;) {
      const next = await new Promise<AnyAuthMethod | false>((resolve) => handler(null, null, resolve));
      if (next === false) break;
    }
    expect(auth.tried()).toEqual(["password", "keyboard-interactive (1 response)", "publickey (ssh-rsa key content)"]);
    expectNoSecret(auth.tried());
    expectNoSecret(auth.failure(new Error("All configured authentication methods failed")));
    expectNoSecret(auth);
  });
});
