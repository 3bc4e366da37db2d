// Tests privateKeyContent: every key kind parses (plain, encrypted, one-line), and every key problem gives its own INVALID_CONFIG message.
import { describe, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import type { ParsedKey, PublicKeyAuthMethod } from "ssh2";
import { isSftpConnectorError } from "@sftp-connector/core";
import { rejectionOf } from "@sftp-connector/testkit";
import { privateKeyContent } from "./privateKeyContent.js";
import { PASSPHRASE, TEST_KEYS, spkiOfParsed, testKey, sshKeyPair } from "./testKeys.js";

/** The OpenSSH public line of a parsed key. */
const publicLineOf = (key: ParsedKey) => `${key.type} ${key.getPublicSSH().toString("base64")} me@host`;

/** Runs prepare and returns the thrown error (failing if none). */
const prepareError = (promise: Promise<unknown>) => rejectionOf(promise, isSftpConnectorError);

const encrypted = TEST_KEYS.filter((k) => k.encrypted);
const plain = TEST_KEYS.filter((k) => !k.encrypted);
const other = sshKeyPair("ed25519");
const truncatedOpenSsh = (() => {
  const lines = testKey("ed25519 OpenSSH").privateKey.trim().split("\n");
  return [...lines.slice(0, 3), lines.at(-1)].join("\n");
})();
const spkiPem = generateKeyPairSync("ed25519", {
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
}).publicKey;
const rsaPkcs1Public = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  publicKeyEncoding: { type: "pkcs1", format: "pem" },
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
}).publicKey;

describe("privateKeyContent: parsing", () => {
  it.each(TEST_KEYS.map((k) => [k.name, k] as const))("parses a %s key", async (_name, key) => {
    const strategy = privateKeyContent(key.privateKey, key.encrypted ? { passphrase: PASSPHRASE } : {});
    expect(strategy.method).toBe("publickey");
    expect(strategy.description).toBe("publickey (key content)");
    const entries = await strategy.prepare("tester");
    expect(entries).toHaveLength(1);
    const entry = entries[0] as PublicKeyAuthMethod;
    expect(entry.type).toBe("publickey");
    expect(entry.username).toBe("tester");
    const parsed = entry.key as ParsedKey;
    expect(parsed.type).toBe(key.type);
    expect(parsed.isPrivateKey()).toBe(true);
    expect(spkiOfParsed(parsed).equals(key.spki)).toBe(true);
    expect(strategy.description).toBe(`publickey (${key.type} key content)`);
  });

  it.each(TEST_KEYS.map((k) => [k.name, k] as const))("parses a %s key pasted on one line", async (_name, key) => {
    const oneLine = key.privateKey.trim().replace(/\n/g, " ");
    const [entry] = (await privateKeyContent(oneLine, key.encrypted ? { passphrase: PASSPHRASE } : {}).prepare("u")) as PublicKeyAuthMethod[];
    expect(spkiOfParsed(entry!.key as ParsedKey).equals(key.spki)).toBe(true);
  });

  it.each(TEST_KEYS.map((k) => [k.name, k] as const))("accepts the matching public key line for a %s key", async (_name, key) => {
    const [entry] = (await privateKeyContent(key.privateKey, key.encrypted ? { passphrase: PASSPHRASE } : {}).prepare("u")) as PublicKeyAuthMethod[];
    const line = key.publicLine ?? publicLineOf(entry!.key as ParsedKey);
    await expect(
      privateKeyContent(key.privateKey, { ...(key.encrypted ? { passphrase: PASSPHRASE } : {}), publicKey: `\n${line}\n` }).prepare("u"),
    ).resolves.toHaveLength(1);
  });

  it.each(plain.map((k) => [k.name, k] as const))("ignores a passphrase given for an unencrypted %s key", async (_name, key) => {
    await expect(privateKeyContent(key.privateKey, { passphrase: PASSPHRASE }).prepare("u")).resolves.toHaveLength(1);
  });

  it("takes a Buffer, parses once and reuses the key on later prepares", async () => {
    const strategy = privateKeyContent(Buffer.from(testKey("rsa-2048 OpenSSH encrypted").privateKey), { passphrase: PASSPHRASE });
    const [a] = (await strategy.prepare("one")) as PublicKeyAuthMethod[];
    const [b] = (await strategy.prepare("two")) as PublicKeyAuthMethod[];
    expect(b!.key).toBe(a!.key);
    expect(b!.username).toBe("two");
  });
});

/** [case, content, options, expected message]: each problem has its own message. */
const ERROR_CASES: [string, string, Parameters<typeof privateKeyContent>[1], string | RegExp][] = [
  ["empty content", "", {}, "auth.content: the private key content is empty"],
  ["blank content", "  \n  ", {}, "auth.content: the private key content is empty"],
  [
    "text that is no key",
    "hello world",
    {},
    "auth.content: the private key content is not a private key ssh2 can parse (Unsupported key format); expected an OpenSSH (-----BEGIN OPENSSH PRIVATE KEY-----), PEM (RSA, EC, PKCS#8) or PuTTY private key",
  ],
  [
    "a truncated OpenSSH key",
    truncatedOpenSsh,
    {},
    /^auth\.content: the private key content is not a private key ssh2 can parse \(Malformed OpenSSH private key\); /,
  ],
  [
    "an OpenSSH armor around other data",
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from("not-openssh-at-all-0123456789-abcdefghijklmnopqrstuvwxyz").toString("base64")}\n-----END OPENSSH PRIVATE KEY-----`,
    {},
    /^auth\.content: the private key content is not a private key ssh2 can parse \(Unsupported OpenSSH key magic\); /,
  ],
  [
    "a corrupt PKCS#8 key",
    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
    {},
    /^auth\.content: the private key content is not a private key ssh2 can parse \(PKCS#8 key not readable \(ERR_[A-Z_]+\)\); /,
  ],
  [
    "an OpenSSH public key line",
    other.public,
    {},
    "auth.content: the private key content is a public key, not a private key; give the private key (e.g. id_ed25519, not id_ed25519.pub)",
  ],
  [
    "a PEM (SPKI) public key",
    spkiPem,
    {},
    "auth.content: the private key content is a public key, not a private key; give the private key (e.g. id_ed25519, not id_ed25519.pub)",
  ],
  [
    "a PKCS#1 RSA public key",
    rsaPkcs1Public,
    {},
    "auth.content: the private key content is a public key, not a private key; give the private key (e.g. id_ed25519, not id_ed25519.pub)",
  ],
  ...encrypted.map(
    (k) =>
      [`${k.name} without passphrase`, k.privateKey, {}, "auth.content: the private key content is encrypted; give auth.passphrase"] as [
        string,
        string,
        object,
        string,
      ],
  ),
  ...encrypted.map(
    (k) =>
      [`${k.name} with a blank passphrase`, k.privateKey, { passphrase: "" }, "auth.content: the private key content is encrypted; give auth.passphrase"] as [
        string,
        string,
        object,
        string,
      ],
  ),
  ...encrypted.map(
    (k) =>
      [
        `${k.name} with a wrong passphrase`,
        k.privateKey,
        { passphrase: "not-the-passphrase" },
        "auth.passphrase: the private key content could not be decrypted with the given passphrase",
      ] as [string, string, object, string],
  ),
  [
    "a public key of another key",
    testKey("ed25519 OpenSSH").privateKey,
    { publicKey: other.public },
    /^auth\.publicKey: does not match the private key \(given ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}; the private key content is ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}\)$/,
  ],
  [
    "a public key of another type",
    testKey("rsa PKCS#1 PEM").privateKey,
    { publicKey: other.public },
    /^auth\.publicKey: does not match the private key \(given ssh-ed25519 SHA256:\S+; the private key content is ssh-rsa SHA256:\S+\)$/,
  ],
  [
    "a public key that is no key",
    testKey("ed25519 OpenSSH").privateKey,
    { publicKey: "ssh-ed25519 not-base64!" },
    'auth.publicKey: is not an OpenSSH public key line (expected "TYPE BASE64 [comment]", e.g. "ssh-ed25519 AAAA… me@host")',
  ],
  [
    "a PEM public key as publicKey",
    testKey("ed25519 OpenSSH").privateKey,
    { publicKey: spkiPem },
    'auth.publicKey: is not an OpenSSH public key line (expected "TYPE BASE64 [comment]", e.g. "ssh-ed25519 AAAA… me@host")',
  ],
  [
    "a private key as publicKey",
    testKey("ed25519 OpenSSH").privateKey,
    { publicKey: testKey("ed25519 OpenSSH").privateKey },
    'auth.publicKey: is a private key; give the public key line (the content of the .pub file, e.g. "ssh-ed25519 AAAA… me@host")',
  ],
  ["a field prefix from a config list", "", { field: "auth[2]" }, "auth[2].content: the private key content is empty"],
];

describe("privateKeyContent: errors", () => {
  it.each(ERROR_CASES)("%s", async (_name, content, options, expected) => {
    const error = await prepareError(privateKeyContent(content, options).prepare("u"));
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.operation).toBe("auth");
    expect(error.path).toBeUndefined();
    expect(error.retryable).toBe(false);
    if (typeof expected === "string") expect(error.message).toBe(expected);
    else expect(error.message).toMatch(expected);
    expect(error.problems).toEqual([error.message]);
    expect(error.cause).toBeUndefined();
  });

  it("answers a wrong passphrase the same on the next prepare (errors are not cached as success)", async () => {
    const strategy = privateKeyContent(testKey("ed25519 OpenSSH encrypted").privateKey, { passphrase: "nope" });
    await expect(strategy.prepare("u")).rejects.toThrow("could not be decrypted");
    await expect(strategy.prepare("u")).rejects.toThrow("could not be decrypted");
    expect(strategy.description).toBe("publickey (key content)");
  });

  it("reports a non-string content as INVALID_CONFIG", async () => {
    const error = await prepareError(privateKeyContent(42 as unknown as string).prepare("u"));
    expect(error.message).toBe("auth.content: expected the private key text, got number");
  });
});
