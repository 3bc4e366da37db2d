// Tests redactSecrets and describeConfig: secrets print as "[redacted]" yet stay readable, copies are deep.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { REDACTED, SECRET_FIELDS, describeConfig, redactSecrets } from "./redactSecrets.js";

const sample = () => ({
  host: "h",
  auth: [
    { type: "password", password: "S-password" },
    { type: "privateKey", content: "S-content", passphrase: "S-passphrase", publicKey: "ssh-ed25519 AAAA" },
    { type: "keyboardInteractive", responses: ["S-response-1", "S-response-2"] },
    { type: "agent" },
  ],
  proxy: {
    type: "jump",
    host: "j",
    auth: [{ type: "password", password: "S-jump-password" }],
    proxy: { type: "http", host: "p", port: 1, username: "u", password: "S-proxy-password" },
  },
});
const SECRETS = ["S-password", "S-content", "S-passphrase", "S-response-1", "S-response-2", "S-jump-password", "S-proxy-password"];

describe("SECRET_FIELDS", () => {
  it("names every secret field", () => {
    expect(SECRET_FIELDS).toStrictEqual(["password", "passphrase", "content", "responses"]);
    expect(REDACTED).toBe("[redacted]");
  });
});

describe("redactSecrets", () => {
  it.each([
    ["JSON.stringify", (value: unknown) => JSON.stringify(value)],
    ["util.inspect", (value: unknown) => inspect(value, { depth: 10 })],
    ["util.inspect showHidden", (value: unknown) => inspect(value, { depth: 10, showHidden: true })],
    ["util.inspect of one auth method", (value: unknown) => inspect((value as ReturnType<typeof sample>).auth[0])],
    ["JSON.stringify of the auth list", (value: unknown) => JSON.stringify((value as ReturnType<typeof sample>).auth)],
  ])("%s shows no secret", (_name, print) => {
    const printed = print(redactSecrets(sample()));
    for (const secret of SECRETS) expect(printed).not.toContain(secret);
    expect(printed).toContain(REDACTED);
  });

  it("prints exactly the redacted shape as JSON", () => {
    expect(JSON.parse(JSON.stringify(redactSecrets(sample())))).toStrictEqual({
      host: "h",
      auth: [
        { type: "password", password: REDACTED },
        { type: "privateKey", content: REDACTED, passphrase: REDACTED, publicKey: "ssh-ed25519 AAAA" },
        { type: "keyboardInteractive", responses: REDACTED },
        { type: "agent" },
      ],
      proxy: {
        type: "jump",
        host: "j",
        auth: [{ type: "password", password: REDACTED }],
        proxy: { type: "http", host: "p", port: 1, username: "u", password: REDACTED },
      },
    });
  });

  it("keeps the real values readable and enumerable, without extra enumerable keys", () => {
    const safe = redactSecrets(sample());
    expect(safe.auth[0]?.password).toBe("S-password");
    expect(safe.auth[2]?.responses).toStrictEqual(["S-response-1", "S-response-2"]);
    expect(safe.proxy.proxy.password).toBe("S-proxy-password");
    expect(Object.keys(safe.auth[0] ?? {})).toStrictEqual(["type", "password"]);
    expect(safe).toStrictEqual(sample());
    expect({ ...safe.auth[0] }).toStrictEqual({ type: "password", password: "S-password" });
    expect(JSON.stringify({ ...safe.auth[0] })).toContain("S-password");
  });

  it("returns a deep copy and leaves the input alone", () => {
    const input = sample();
    const safe = redactSecrets(input);
    expect(safe).not.toBe(input);
    expect(safe.auth).not.toBe(input.auth);
    expect(safe.auth[2]?.responses).not.toBe(input.auth[2]?.responses);
    expect(safe.proxy.proxy).not.toBe(input.proxy.proxy);
    expect(JSON.stringify(input)).toContain("S-password");
    expect(Object.getOwnPropertyNames(input.auth[0])).toStrictEqual(["type", "password"]);
  });

  it("marks only objects that hold a secret", () => {
    const safe = redactSecrets({ a: { b: 1 }, c: { password: undefined }, d: { password: "x" } });
    expect(Object.getOwnPropertyNames(safe)).toStrictEqual(["a", "c", "d"]);
    expect(Object.getOwnPropertyNames(safe.a)).toStrictEqual(["b"]);
    expect(Object.getOwnPropertyNames(safe.c)).toStrictEqual(["password"]);
    expect(Object.getOwnPropertyNames(safe.d)).toStrictEqual(["password", "toJSON"]);
    expect(Object.getOwnPropertySymbols(safe.d)).toStrictEqual([Symbol.for("nodejs.util.inspect.custom")]);
  });

  it("copies cycles and keeps non-plain objects by reference", () => {
    const date = new Date(0);
    const input: Record<string, unknown> = { password: "S", date };
    input.self = input;
    const safe = redactSecrets(input);
    expect(safe.self).toBe(safe);
    expect(safe.date).toBe(date);
    expect(inspect(safe)).not.toContain('"S"');
  });
});

describe("describeConfig", () => {
  it("returns a plain deep copy with secrets replaced", () => {
    const described = describeConfig(redactSecrets(sample()));
    expect(described).toStrictEqual(JSON.parse(JSON.stringify(redactSecrets(sample()))));
    const printed = `${JSON.stringify(described)} ${inspect(described, { depth: 10, showHidden: true })}`;
    for (const secret of SECRETS) expect(printed).not.toContain(secret);
  });

  it("is safe on a raw, unvalidated config too", () => {
    const described = describeConfig({ auth: { type: "password", password: "S-raw", passwrd: "typo" }, fn: () => 1 });
    expect(described).toStrictEqual({ auth: { type: "password", password: REDACTED, passwrd: REDACTED }, fn: "[function]" });
  });

  it("hides Boomi secret property ids and other secret-looking keys", () => {
    const described = describeConfig({
      host: "h",
      password: "1",
      keyPswrd: "2",
      prvkeyContent: "3",
      proxyPassword: "4",
      apiToken: "5",
      pubkeyContent: "ssh-rsa A",
    });
    expect(described).toStrictEqual({
      host: "h",
      password: REDACTED,
      keyPswrd: REDACTED,
      prvkeyContent: REDACTED,
      proxyPassword: REDACTED,
      apiToken: REDACTED,
      pubkeyContent: "ssh-rsa A",
    });
  });

  it("handles cycles and non-object roots", () => {
    const input: Record<string, unknown> = { a: 1 };
    input.self = input;
    expect(describeConfig(input)).toStrictEqual({ a: 1, self: "[circular]" });
    expect(describeConfig([{ password: "x" }])).toStrictEqual({ value: [{ password: REDACTED }] });
  });
});
