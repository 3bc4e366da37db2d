// Tests privateKeyFile: every key kind read from a file, `~` expansion, re-reading, and each file and key error with the file as path.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ParsedKey, PublicKeyAuthMethod } from "ssh2";
import { isSftpConnectorError } from "@sftp-connector/core";
import { rejectionOf } from "@sftp-connector/testkit";
import { privateKeyFile, unprotectedKeyWarning } from "./privateKeyFile.js";
import { PASSPHRASE, TEST_KEYS, spkiOfParsed, testKey, sshKeyPair } from "./testKeys.js";

// Root reads every file whatever its mode, so EACCES is also simulated: opening a path containing "EACCES-" fails as the kernel would.
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    open: (async (path: Parameters<typeof actual.open>[0], ...rest: [never]) => {
      if (String(path).includes("EACCES-")) {
        throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: "EACCES", path: String(path) });
      }
      return actual.open(path, ...rest);
    }) as typeof actual.open,
  };
});

let dir: string;
const file = (name: string) => join(dir, name);

const prepareError = (promise: Promise<unknown>) => rejectionOf(promise, isSftpConnectorError);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "auth-keyfile-"));
  for (const key of TEST_KEYS) await writeFile(file(key.name.replace(/[^A-Za-z0-9-]+/g, "_")), key.privateKey, { mode: 0o600 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("privateKeyFile: parsing", () => {
  it.each(TEST_KEYS.map((k) => [k.name, k] as const))("reads a %s key file", async (_name, key) => {
    const path = file(key.name.replace(/[^A-Za-z0-9-]+/g, "_"));
    const strategy = privateKeyFile(path, key.encrypted ? { passphrase: PASSPHRASE } : {});
    expect(strategy.method).toBe("publickey");
    expect(strategy.description).toBe(`publickey (key from '${path}')`);
    const [entry] = (await strategy.prepare("keyuser")) as PublicKeyAuthMethod[];
    expect(entry!.type).toBe("publickey");
    expect(entry!.username).toBe("keyuser");
    expect((entry!.key as ParsedKey).type).toBe(key.type);
    expect(spkiOfParsed(entry!.key as ParsedKey).equals(key.spki)).toBe(true);
    expect(strategy.description).toBe(`publickey (${key.type} key from '${path}')`);
  });

  it("reads a key file with CRLF line endings", async () => {
    const path = file("crlf");
    await writeFile(path, testKey("ec p256 SEC1 PEM").privateKey.replace(/\n/g, "\r\n"));
    await expect(privateKeyFile(path).prepare("u")).resolves.toHaveLength(1);
  });

  it("reads the file again on every prepare, so a replaced key is picked up", async () => {
    const path = file("rotating");
    await writeFile(path, testKey("ed25519 OpenSSH").privateKey);
    const strategy = privateKeyFile(path);
    const [first] = (await strategy.prepare("u")) as PublicKeyAuthMethod[];
    await writeFile(path, testKey("rsa PKCS#1 PEM").privateKey);
    const [second] = (await strategy.prepare("u")) as PublicKeyAuthMethod[];
    expect((first!.key as ParsedKey).type).toBe("ssh-ed25519");
    expect((second!.key as ParsedKey).type).toBe("ssh-rsa");
    expect(strategy.description).toBe(`publickey (ssh-rsa key from '${path}')`);
  });

  describe("expands ~ to the home directory", () => {
    let home: string;
    const saved = process.env.HOME;
    beforeAll(async () => {
      home = await mkdtemp(join(tmpdir(), "auth-home-"));
      await mkdir(join(home, ".ssh"));
      await writeFile(join(home, ".ssh", "id_ed25519"), testKey("ed25519 OpenSSH").privateKey, { mode: 0o600 });
      process.env.HOME = home;
    });
    afterAll(async () => {
      if (saved === undefined) delete process.env.HOME;
      else process.env.HOME = saved;
      await rm(home, { recursive: true, force: true });
    });

    it.each([
      ["~/.ssh/id_ed25519", "reads the key", undefined],
      [
        "~/.ssh/missing",
        "names the expanded path",
        (h: string) => `auth.path: cannot read the private key file '${join(h, ".ssh", "missing")}' (no such file)`,
      ],
      ["~", "reads the home directory itself", (h: string) => `auth.path: cannot read the private key file '${h}' (it is a directory)`],
      ["~other/.ssh/id", "leaves ~user paths alone", () => "auth.path: cannot read the private key file '~other/.ssh/id' (no such file)"],
    ])("%s: %s", async (path, _what, expected) => {
      const strategy = privateKeyFile(path);
      if (expected === undefined) {
        await expect(strategy.prepare("u")).resolves.toHaveLength(1);
        expect(strategy.description).toBe(`publickey (ssh-ed25519 key from '${path}')`);
      } else {
        const error = await prepareError(strategy.prepare("u"));
        expect(error.message).toBe(expected(home));
      }
    });
  });
});

describe("privateKeyFile: errors", () => {
  it.each([
    ["a missing file", () => file("missing"), "no such file", "ENOENT"],
    ["an unreadable file", () => file("EACCES-key"), "permission denied", "EACCES"],
    ["a directory", () => dir, "it is a directory", "EISDIR"],
    ["a path through a file", () => join(file("crlf"), "key"), "a parent is not a directory", "ENOTDIR"],
  ])("%s", async (_name, pathOf, words, code) => {
    const path = pathOf();
    const error = await prepareError(privateKeyFile(path).prepare("u"));
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.operation).toBe("auth");
    expect(error.path).toBe(path);
    expect(error.message).toBe(`auth.path: cannot read the private key file '${path}' (${words})`);
    expect((error.cause as { code?: string }).code).toBe(code);
  });

  it.runIf(process.getuid?.() !== 0)("a file without read permission (real chmod 000)", async () => {
    const path = file("mode000");
    await writeFile(path, testKey("ed25519 OpenSSH").privateKey);
    await chmod(path, 0o000);
    const error = await prepareError(privateKeyFile(path).prepare("u"));
    expect(error.message).toBe(`auth.path: cannot read the private key file '${path}' (permission denied)`);
  });

  it("a file too large to be a key", async () => {
    const path = file("huge");
    await writeFile(path, Buffer.alloc(1024 * 1024 + 10, 65));
    const error = await prepareError(privateKeyFile(path).prepare("u"));
    expect(error.message).toBe(`auth.path: the private key file '${path}' is too large to be a private key (over 1 MiB)`);
  });

  const pub = sshKeyPair("ed25519").public;
  it.each([
    ["an empty file", "", {}, (p: string) => `auth.path: the private key file '${p}' is empty`],
    [
      "a corrupt key",
      "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
      {},
      (p: string) =>
        `auth.path: the private key file '${p}' is not a private key ssh2 can parse (Malformed OpenSSH private key); expected an OpenSSH (-----BEGIN OPENSSH PRIVATE KEY-----), PEM (RSA, EC, PKCS#8) or PuTTY private key`,
    ],
    [
      "a .pub file",
      `${pub}\n`,
      {},
      (p: string) => `auth.path: the private key file '${p}' is a public key, not a private key; give the private key (e.g. id_ed25519, not id_ed25519.pub)`,
    ],
    [
      "an encrypted key without passphrase",
      testKey("ed25519 OpenSSH encrypted").privateKey,
      {},
      (p: string) => `auth.path: the private key file '${p}' is encrypted; give auth.passphrase`,
    ],
    [
      "an encrypted PEM key with a wrong passphrase",
      testKey("rsa PKCS#1 PEM encrypted").privateKey,
      { passphrase: "wrong" },
      (p: string) => `auth.passphrase: the private key file '${p}' could not be decrypted with the given passphrase`,
    ],
    [
      "an encrypted OpenSSH key with a wrong passphrase",
      testKey("rsa-2048 OpenSSH encrypted").privateKey,
      { passphrase: "wrong" },
      (p: string) => `auth.passphrase: the private key file '${p}' could not be decrypted with the given passphrase`,
    ],
    [
      "a public key that does not match",
      testKey("ed25519 OpenSSH").privateKey,
      { publicKey: pub },
      (p: string) =>
        new RegExp(
          `^auth\\.publicKey: does not match the private key \\(given ssh-ed25519 SHA256:\\S+; the private key file '${p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}' is ssh-ed25519 SHA256:\\S+\\)$`,
        ),
    ],
    ["a field prefix from a config list", "", { field: "auth[1]" }, (p: string) => `auth[1].path: the private key file '${p}' is empty`],
  ])("%s", async (name, content, options, expected) => {
    const path = file(`case-${name.replace(/[^a-z]+/g, "-")}`);
    await writeFile(path, content);
    const error = await prepareError(privateKeyFile(path, options).prepare("u"));
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.operation).toBe("auth");
    expect(error.path).toBe(path);
    const want = expected(path);
    if (typeof want === "string") expect(error.message).toBe(want);
    else expect(error.message).toMatch(want);
  });

  it.each([
    ["a blank path", "  ", "auth.path: expected the private key file path, got a blank string"],
    ["a non-string path", 7 as unknown as string, "auth.path: expected the private key file path, got number"],
  ])("%s", async (_name, path, message) => {
    const error = await prepareError(privateKeyFile(path).prepare("u"));
    expect(error.message).toBe(message);
  });
});

describe("privateKeyFile: unprotected key file warning", () => {
  const recorder = () => {
    const warnings: string[] = [];
    return { warnings, sink: { warn: (message: string) => void warnings.push(message) } };
  };

  it.runIf(process.platform !== "win32").each([
    [0o644, "0644"],
    [0o640, "0640"],
    [0o604, "0604"],
    [0o660, "0660"],
    [0o777, "0777"],
  ])("mode %o: warns once, naming the file and mode and chmod 600, and still logs in", async (mode, octal) => {
    const path = file(`unprotected-${octal}`);
    const key = testKey("ed25519 OpenSSH encrypted");
    await writeFile(path, key.privateKey);
    await chmod(path, mode);
    const { warnings, sink } = recorder();
    await expect(privateKeyFile(path, { passphrase: PASSPHRASE }).prepare("u", sink)).resolves.toHaveLength(1);
    expect(warnings).toEqual([
      `auth.path: UNPROTECTED PRIVATE KEY FILE: '${path}' has mode ${octal}, so users other than its owner may read it; ` +
        `run "chmod 600 '${path}'" (OpenSSH would refuse this key; it is used anyway)`,
    ]);
    for (const line of key.privateKey.split("\n").filter((l) => l.length > 20)) expect(warnings[0]).not.toContain(line);
    expect(warnings[0]).not.toContain(PASSPHRASE);
  });

  it.runIf(process.platform !== "win32").each([0o600, 0o400, 0o700])("mode %o: no warning", async (mode) => {
    const path = file(`protected-${mode.toString(8)}`);
    await writeFile(path, testKey("ed25519 OpenSSH").privateKey);
    await chmod(path, mode);
    const { warnings, sink } = recorder();
    await expect(privateKeyFile(path).prepare("u", sink)).resolves.toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it.runIf(process.platform !== "win32")("warns before a key that cannot be decrypted fails, with the config field of the entry", async () => {
    const path = file("unprotected-wrong-passphrase");
    await writeFile(path, testKey("ed25519 OpenSSH encrypted").privateKey);
    await chmod(path, 0o644);
    const { warnings, sink } = recorder();
    const error = await prepareError(privateKeyFile(path, { passphrase: "wrong", field: "auth[1]" }).prepare("u", sink));
    expect(error.message).toContain("auth[1].passphrase");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^auth\[1\]\.path: UNPROTECTED PRIVATE KEY FILE: .* has mode 0644/);
  });

  it.runIf(process.platform !== "win32")("without a warning sink an unprotected key still works", async () => {
    const path = file("unprotected-no-sink");
    await writeFile(path, testKey("ed25519 OpenSSH").privateKey);
    await chmod(path, 0o644);
    await expect(privateKeyFile(path).prepare("u")).resolves.toHaveLength(1);
  });

  it("unprotectedKeyWarning: never on Windows; only group/other bits count", () => {
    expect(unprotectedKeyWarning("auth", "C:\\k", 0o100666, "win32")).toBeUndefined();
    expect(unprotectedKeyWarning("auth", "/k", 0o100600, "linux")).toBeUndefined();
    expect(unprotectedKeyWarning("auth", "/k", 0o100700, "darwin")).toBeUndefined();
    expect(unprotectedKeyWarning("auth", "/k", 0o100610, "linux")).toContain("has mode 0610");
    expect(unprotectedKeyWarning("auth", "/k", 0o100601, "linux")).toContain(`run "chmod 600 '/k'"`);
  });
});
