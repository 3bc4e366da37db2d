// Tests authFromConfig: each core config auth entry becomes the matching strategy, in order, with field paths in its errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyboardInteractiveAuthMethod, ParsedKey, PublicKeyAuthMethod } from "ssh2";
import { isSftpConnectorError, validateConfig, type AuthMethod } from "@sftp-connector/core";
import { authFromConfig } from "./authFromConfig.js";
import { PASSPHRASE, testKey } from "./testKeys.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "auth-config-"));
  await writeFile(join(dir, "id_ecdsa"), testKey("ecdsa-256 OpenSSH").privateKey);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("authFromConfig", () => {
  it.each<[string, AuthMethod, string, string]>([
    ["password", { type: "password", password: "pw" }, "password", "password"],
    ["privateKey content", { type: "privateKey", content: testKey("ed25519 OpenSSH").privateKey }, "publickey", "publickey (key content)"],
    ["privateKey path", { type: "privateKey", path: "~/.ssh/id_rsa" }, "publickey", "publickey (key from '~/.ssh/id_rsa')"],
    ["agent", { type: "agent" }, "agent", "agent (SSH_AUTH_SOCK)"],
    ["agent with socket", { type: "agent", socket: "/run/agent.sock" }, "agent", "agent (/run/agent.sock)"],
    ["keyboardInteractive password", { type: "keyboardInteractive", password: "pw" }, "keyboard-interactive", "keyboard-interactive (password)"],
    ["keyboardInteractive responses", { type: "keyboardInteractive", responses: ["a", "b"] }, "keyboard-interactive", "keyboard-interactive (2 responses)"],
  ])("maps %s", (_name, method, strategyMethod, description) => {
    const [strategy, ...rest] = authFromConfig(method);
    expect(rest).toHaveLength(0);
    expect(strategy!.method).toBe(strategyMethod);
    expect(strategy!.description).toBe(description);
  });

  it("keeps the order of a list and passes passphrase and publicKey", async () => {
    const encrypted = testKey("ed25519 OpenSSH encrypted");
    const strategies = authFromConfig([
      { type: "password", password: "pw" },
      { type: "privateKey", content: encrypted.privateKey, passphrase: PASSPHRASE, publicKey: encrypted.publicLine! },
      { type: "privateKey", path: join(dir, "id_ecdsa") },
      { type: "keyboardInteractive", responses: ["x"] },
    ]);
    expect(strategies.map((s) => s.method)).toEqual(["password", "publickey", "publickey", "keyboard-interactive"]);
    expect(await strategies[0]!.prepare("u")).toMatchObject([
      { type: "password", username: "u", password: "pw" },
      { type: "keyboard-interactive", username: "u" },
    ]);
    const [content] = (await strategies[1]!.prepare("u")) as PublicKeyAuthMethod[];
    expect((content!.key as ParsedKey).type).toBe("ssh-ed25519");
    const [file] = (await strategies[2]!.prepare("u")) as PublicKeyAuthMethod[];
    expect((file!.key as ParsedKey).type).toBe("ecdsa-sha2-nistp256");
    const [kbd] = (await strategies[3]!.prepare("u")) as KeyboardInteractiveAuthMethod[];
    expect(kbd!.type).toBe("keyboard-interactive");
  });

  it("reads secrets from a validated config, whose secrets print as [redacted]", async () => {
    const config = validateConfig({
      host: "h",
      username: "u",
      auth: [
        { type: "password", password: "pw" },
        { type: "privateKey", content: testKey("rsa PKCS#1 PEM").privateKey },
      ],
      hostKey: { insecureAcceptAny: true },
    });
    const strategies = authFromConfig(config.auth);
    expect(await strategies[0]!.prepare("u")).toMatchObject([
      { type: "password", username: "u", password: "pw" },
      { type: "keyboard-interactive", username: "u" },
    ]);
    await expect(strategies[1]!.prepare("u")).resolves.toHaveLength(1);
    expect(strategies[1]!.description).toBe("publickey (ssh-rsa key content)");
  });

  it.each<[string, AuthMethod | readonly AuthMethod[], string]>([
    ["one entry", { type: "privateKey", content: "" }, "auth.content: the private key content is empty"],
    [
      "a list entry",
      [
        { type: "password", password: "x" },
        { type: "privateKey", path: join(tmpdir(), "no-such-key-file") },
      ],
      `auth[1].path: cannot read the private key file '${join(tmpdir(), "no-such-key-file")}' (no such file)`,
    ],
    [
      "an encrypted key in a list",
      [{ type: "agent" }, { type: "privateKey", content: testKey("rsa PKCS#1 PEM encrypted").privateKey }],
      "auth[1].content: the private key content is encrypted; give auth[1].passphrase",
    ],
  ])("names the field in prepare errors: %s", async (_name, auth, message) => {
    const strategies = authFromConfig(auth);
    const error = await strategies
      .at(-1)!
      .prepare("u")
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(message);
  });

  it.each<[string, unknown, string]>([
    ["an unknown type", { type: "kerberos" }, 'auth.type: expected one of "password", "privateKey", "agent", "keyboardInteractive", got "kerberos"'],
    ["a missing type", {}, 'auth.type: expected one of "password", "privateKey", "agent", "keyboardInteractive", got undefined'],
    ["a non-object", [null], "auth[0]: expected an auth method object"],
    ["an empty list", [], "auth: expected at least one auth method, got an empty array"],
    [
      "a key with both path and content",
      { type: "privateKey", path: "/k", content: "x" },
      'auth: expected exactly one of auth.path or auth.content for auth type "privateKey", got both',
    ],
    [
      "a key with neither",
      [{ type: "privateKey" }],
      'auth[0]: expected exactly one of auth[0].path or auth[0].content for auth type "privateKey", got neither',
    ],
  ])("throws INVALID_CONFIG at once for %s", (_name, auth, message) => {
    let error: unknown;
    try {
      authFromConfig(auth as AuthMethod);
    } catch (e) {
      error = e;
    }
    expect(isSftpConnectorError(error) && error.reason).toBe("INVALID_CONFIG");
    expect((error as Error).message).toBe(message);
  });
});
