// Tests createAuthHandler: order, lazy preparation, methodsLeft filtering, remembered preparation errors, and real logins against an in-process ssh2 server.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";
import type { AnyAuthMethod, AuthenticationType, ParsedKey } from "ssh2";
import { isSftpConnectorError } from "@sftp-connector/core";
import type { AuthStrategy } from "./AuthStrategy.js";
import { authConfigError } from "./authConfigError.js";
import { createAuthHandler, type AuthHandler } from "./createAuthHandler.js";
import { defineStrategy } from "./defineStrategy.js";
import { keyboardInteractive } from "./keyboardInteractive.js";
import { password } from "./password.js";
import { privateKeyContent } from "./privateKeyContent.js";
import { PASSPHRASE, testKey } from "./testKeys.js";

/** A strategy whose prepare is a spy returning `entries` (or throwing `error`). */
function fake(method: AuthStrategy["method"], description: string, entries: AnyAuthMethod[] | Error) {
  const prepare = vi.fn(async () => {
    if (entries instanceof Error) throw entries;
    return entries;
  });
  return { strategy: defineStrategy(method, () => description, prepare), prepare };
}

/** Calls the handler as ssh2 does and resolves with what it calls back. */
function ask(auth: AuthHandler, methodsLeft: AuthenticationType[] | null, partial: boolean | null = null): Promise<AnyAuthMethod | false> {
  return new Promise((resolve) =>
    (auth.handler as unknown as (m: unknown, p: unknown, next: (v: AnyAuthMethod | false) => void) => void)(methodsLeft, partial, resolve),
  );
}

const pw = (p: string): AnyAuthMethod => ({ type: "password", username: "tester", password: p });

describe("createAuthHandler (as ssh2 calls it)", () => {
  it("offers entries in order and ends with false", async () => {
    const a = fake("password", "password", [pw("a")]);
    const b = fake("password", "password #2", [pw("b")]);
    const auth = createAuthHandler([a.strategy, b.strategy], "tester");
    expect(await ask(auth, null)).toEqual(pw("a"));
    expect(b.prepare).not.toHaveBeenCalled();
    expect(await ask(auth, ["password", "publickey"])).toEqual(pw("b"));
    expect(await ask(auth, ["password", "publickey"])).toBe(false);
    expect(auth.tried()).toEqual(["password", "password #2"]);
    expect(a.prepare).toHaveBeenCalledWith("tester", undefined); // no warnings sink given
  });

  it("prepares lazily and only strategies whose method the server still accepts", async () => {
    const p = fake("password", "password", [pw("a")]);
    const kbd = fake("keyboard-interactive", "keyboard-interactive (password)", [{ type: "keyboard-interactive", username: "tester", prompt: () => {} }]);
    const agentEntry: AnyAuthMethod = { type: "agent", username: "tester", agent: "/tmp/agent.sock" };
    const ag = fake("agent", "agent (SSH_AUTH_SOCK)", [agentEntry]);
    const auth = createAuthHandler([p.strategy, kbd.strategy, ag.strategy], "tester");
    expect(await ask(auth, ["publickey"])).toEqual(agentEntry); // agent keys travel as "publickey"
    expect(p.prepare).not.toHaveBeenCalled();
    expect(kbd.prepare).not.toHaveBeenCalled();
    expect(await ask(auth, ["publickey"])).toBe(false);
    expect(auth.tried()).toEqual(["agent (SSH_AUTH_SOCK)"]);
  });

  it("skips queued entries of a strategy once the server stops accepting their method", async () => {
    const two = fake("password", "passwords", [pw("a"), pw("b")]);
    const auth = createAuthHandler([two.strategy], "tester");
    expect(await ask(auth, null)).toEqual(pw("a"));
    expect(await ask(auth, ["publickey"], true)).toBe(false);
    expect(auth.methodsLeft()).toEqual(["publickey"]);
  });

  it("skips a strategy whose prepare fails, remembers the first error and goes on", async () => {
    const first = authConfigError("auth[0].path: cannot read the private key file '/x' (no such file)");
    const second = authConfigError("auth[1].passphrase: …");
    const broken1 = fake("publickey", "publickey (key from '/x')", first);
    const broken2 = fake("publickey", "publickey (key content)", second);
    const ok = fake("password", "password", [pw("a")]);
    const auth = createAuthHandler([broken1.strategy, broken2.strategy, ok.strategy], "tester");
    expect(await ask(auth, null)).toEqual(pw("a"));
    expect(auth.preparationError()).toBe(first);
    expect(auth.tried()).toEqual(["password"]);
    expect(auth.failure()).toBe(first);
  });

  it("wraps a non-Error thrown by prepare", async () => {
    const odd = fake("password", "odd", [pw("x")]);
    odd.prepare.mockImplementationOnce(() => Promise.reject("just a string"));
    const auth = createAuthHandler([odd.strategy], "tester");
    expect(await ask(auth, null)).toBe(false);
    expect(auth.preparationError()?.message).toBe("just a string");
  });

  it("reports each offer to onAttempt and ignores errors it throws", async () => {
    const onAttempt = vi.fn(() => {
      throw new Error("logger broke");
    });
    const a = fake("password", "password", [pw("a")]);
    const auth = createAuthHandler([a.strategy], "tester", { onAttempt });
    expect(await ask(auth, null)).toEqual(pw("a"));
    expect(onAttempt).toHaveBeenCalledWith({ method: "password", description: "password" });
  });

  it("hands the warnings sink to prepare, and a sink that throws does not break the login", async () => {
    const warned: string[] = [];
    const noisy = defineStrategy(
      "password",
      () => "password",
      async (_username, warnings) => {
        warnings?.warn("first");
        warnings?.warn("second");
        return [pw("a")];
      },
    );
    const sink = {
      warn(message: string) {
        warned.push(message);
        if (message === "first") throw new Error("logger broke");
      },
    };
    const auth = createAuthHandler([noisy], "tester", { warnings: sink });
    expect(await ask(auth, null)).toEqual(pw("a"));
    expect(warned).toEqual(["first", "second"]);
    expect(auth.preparationError()).toBeUndefined();
  });

  it("failure(): AUTH_FAILED naming nothing when nothing was offered", async () => {
    const auth = createAuthHandler([], "tester");
    expect(await ask(auth, null)).toBe(false);
    const error = auth.failure();
    expect(isSftpConnectorError(error) && error.reason).toBe("AUTH_FAILED");
    expect(error.message).toBe("authentication failed for user tester (tried: nothing)");
  });

  it("failure(): AUTH_FAILED naming what was tried and what the server accepts", async () => {
    const p = fake("password", "password", [pw("a")]);
    const k = fake("publickey", "publickey (ssh-ed25519 key content)", [{ type: "publickey", username: "tester", key: "k" }]);
    const auth = createAuthHandler([p.strategy, k.strategy], "tester");
    await ask(auth, null);
    await ask(auth, ["publickey", "password"]);
    expect(await ask(auth, ["publickey"])).toBe(false);
    const cause = new Error("All configured authentication methods failed");
    const error = auth.failure(cause);
    expect(isSftpConnectorError(error) && error.reason).toBe("AUTH_FAILED");
    expect(isSftpConnectorError(error) && error.operation).toBe("auth");
    expect(error.message).toBe("authentication failed for user tester (tried: password, publickey (ssh-ed25519 key content); the server accepts: publickey)");
    expect(error.cause).toBe(cause);
  });
});

describe("createAuthHandler: the password strategy's keyboard-interactive fallback", () => {
  const types = (entry: AnyAuthMethod | false) => (entry === false ? false : entry.type);

  it("offers the password over keyboard-interactive when the server does not accept password", async () => {
    const auth = createAuthHandler([password("pw")], "tester");
    expect(types(await ask(auth, null))).toBe("password");
    expect(types(await ask(auth, ["publickey", "keyboard-interactive"]))).toBe("keyboard-interactive");
    expect(await ask(auth, ["publickey", "keyboard-interactive"])).toBe(false);
    expect(auth.tried()).toEqual(["password", "password over keyboard-interactive"]);
  });

  it("prepares the password strategy when the server names only keyboard-interactive", async () => {
    const auth = createAuthHandler([password("pw")], "tester");
    expect(types(await ask(auth, ["keyboard-interactive"]))).toBe("keyboard-interactive");
    expect(auth.tried()).toEqual(["password over keyboard-interactive"]);
  });

  it("never sends a refused password again over keyboard-interactive", async () => {
    const auth = createAuthHandler([password("pw")], "tester");
    expect(types(await ask(auth, null))).toBe("password");
    expect(await ask(auth, ["publickey", "password", "keyboard-interactive"])).toBe(false);
    expect(auth.tried()).toEqual(["password"]);
  });

  it("offers nothing to a server that takes neither", async () => {
    const auth = createAuthHandler([password("pw")], "tester");
    expect(await ask(auth, ["publickey"])).toBe(false);
    expect(auth.tried()).toEqual([]);
  });

  it("the strategy declares the fallback and keeps the password out of print", () => {
    const strategy = password("s3cret-pw");
    expect(strategy.fallbackMethods).toEqual(["keyboard-interactive"]);
    expect(JSON.stringify(strategy)).not.toContain("s3cret-pw");
  });
});

describe("createAuthHandler (real logins against an in-process ssh2 server)", () => {
  const key = testKey("ed25519 OpenSSH encrypted");
  const allowed = ssh2.utils.parseKey(key.privateKey, PASSPHRASE) as ParsedKey;
  let server: InstanceType<typeof ssh2.Server>;
  let port: number;
  let serverMethods: AuthenticationType[] = ["password", "publickey", "keyboard-interactive"];

  beforeAll(async () => {
    server = new ssh2.Server({ hostKeys: [testKey("ed25519 OpenSSH").privateKey] }, (client) => {
      client
        .on("authentication", (ctx) => {
          const reject = () => ctx.reject(serverMethods);
          if (ctx.username !== "tester" || !serverMethods.includes(ctx.method as AuthenticationType)) return reject();
          switch (ctx.method) {
            case "password":
              return ctx.password === "right" ? ctx.accept() : reject();
            case "publickey":
              if (!ctx.key.data.equals(allowed.getPublicSSH())) return reject();
              if (!ctx.signature) return ctx.accept();
              return allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : reject();
            case "keyboard-interactive":
              return ctx.prompt([{ prompt: "Password: ", echo: false }], (answers) => (answers[0] === "right" ? ctx.accept() : reject()));
            default:
              return reject();
          }
        })
        .on("ready", () => client.end())
        .on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Logs in as tester with the strategies; resolves with the handler, or rejects with `failure()`. */
  function login(strategies: AuthStrategy[]): Promise<AuthHandler> {
    const auth = createAuthHandler(strategies, "tester");
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      client
        .on("ready", () => {
          client.end();
          resolve(auth);
        })
        .on("error", (error: Error & { level?: string }) => reject(error.level === "client-authentication" ? auth.failure(error) : error))
        .connect({ host: "127.0.0.1", port, username: "tester", authHandler: auth.handler, hostVerifier: () => true });
    });
  }

  it.each([
    ["a password", () => [password("right")], ["password"]],
    ["an encrypted key", () => [privateKeyContent(key.privateKey, { passphrase: PASSPHRASE })], ["publickey (ssh-ed25519 key content)"]],
    ["keyboard-interactive", () => [keyboardInteractive({ password: "right" })], ["keyboard-interactive (password)"]],
    [
      "a wrong password, then the key",
      () => [password("wrong"), privateKeyContent(key.privateKey, { passphrase: PASSPHRASE })],
      ["password", "publickey (ssh-ed25519 key content)"],
    ],
    [
      "an unknown key, then keyboard-interactive",
      () => [privateKeyContent(testKey("rsa PKCS#1 PEM").privateKey), keyboardInteractive({ password: "right" })],
      ["publickey (ssh-rsa key content)", "keyboard-interactive (password)"],
    ],
  ])("logs in with %s", async (_name, strategies, tried) => {
    serverMethods = ["password", "publickey", "keyboard-interactive"];
    const auth = await login(strategies());
    expect(auth.tried()).toEqual(tried);
    expect(auth.preparationError()).toBeUndefined();
  });

  it("logs in with the next strategy when one cannot be prepared, and keeps its error", async () => {
    const auth = await login([privateKeyContent(key.privateKey, { passphrase: "wrong" }), password("right")]);
    expect(auth.tried()).toEqual(["password"]);
    expect(auth.preparationError()?.message).toBe("auth.passphrase: the private key content could not be decrypted with the given passphrase");
  });

  it("skips what the server does not accept", async () => {
    serverMethods = ["publickey"];
    const auth = await login([password("wrong"), keyboardInteractive({ password: "right" }), privateKeyContent(key.privateKey, { passphrase: PASSPHRASE })]);
    expect(auth.tried()).toEqual(["password", "publickey (ssh-ed25519 key content)"]);
  });

  it("fails with AUTH_FAILED naming what it tried", async () => {
    serverMethods = ["password", "keyboard-interactive"];
    const error = await login([
      password("wrong"),
      privateKeyContent(key.privateKey, { passphrase: PASSPHRASE }),
      keyboardInteractive({ password: "wrong" }),
    ]).catch((e: unknown) => e);
    expect(isSftpConnectorError(error) && error.reason).toBe("AUTH_FAILED");
    expect((error as Error).message).toBe(
      "authentication failed for user tester (tried: password, keyboard-interactive (password); the server accepts: password, keyboard-interactive)",
    );
  });

  it("fails with the INVALID_CONFIG error when the only strategy cannot be prepared", async () => {
    serverMethods = ["password", "publickey", "keyboard-interactive"];
    const error = await login([privateKeyContent(key.privateKey)]).catch((e: unknown) => e);
    expect(isSftpConnectorError(error) && error.reason).toBe("INVALID_CONFIG");
    expect((error as Error).message).toBe("auth.content: the private key content is encrypted; give auth.passphrase");
  });
});
