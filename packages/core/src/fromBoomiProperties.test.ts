// Tests fromBoomiProperties: every Boomi property id, the problems it reports (with Boomi ids), and that secrets never leak.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { fromBoomiProperties } from "./fromBoomiProperties.js";
import type { FromBoomiPropertiesOptions } from "./fromBoomiProperties.js";
import { describeConfig } from "./redactSecrets.js";
import { isSftpConnectorError } from "./SftpConnectorError.js";
import type { SftpConnectorError } from "./SftpConnectorError.js";

const KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const KH = `sftp.example.com ssh-ed25519 ${KEY}`;

/** A valid Boomi password connection. */
const boomi = { authType: "Username and Password", host: "sftp.example.com", port: "22", username: "me", password: "pw", hostEntry: KH };
const KEY_AUTH = "Using public Key";

/** The normalized form of `boomi`. */
const boomiOut = {
  host: "sftp.example.com",
  port: 22,
  username: "me",
  auth: [{ type: "password", password: "pw" }],
  hostKey: { knownHosts: KH, insecureAcceptAny: false },
  timeouts: { connectMs: 120_000, readMs: 120_000 },
  keepaliveIntervalMs: 10_000,
  legacyKex: false,
  pool: false,
  retry: { attempts: 1, backoffMs: 1_000 },
};

function boomiError(props: Record<string, unknown>, options?: FromBoomiPropertiesOptions): SftpConnectorError {
  try {
    fromBoomiProperties(props, options);
  } catch (error) {
    expect(isSftpConnectorError(error)).toBe(true);
    const e = error as SftpConnectorError;
    expect(e.reason).toBe("INVALID_CONFIG");
    expect(e.operation).toBe("fromBoomiProperties");
    return e;
  }
  throw new Error("expected fromBoomiProperties to throw");
}

describe("fromBoomiProperties: mapping", () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, FromBoomiPropertiesOptions?]> = [
    ["password connection", {}, {}],
    ["port absent → 22", { port: undefined }, {}],
    ["port blank → 22", { port: " " }, {}],
    ["port as number", { port: 2222 }, { port: 2222 }],
    ["port as padded string", { port: " 2222 " }, { port: 2222 }],
    ["host trimmed", { host: " sftp.example.com " }, {}],
    ["authType absent → password", { authType: undefined }, {}],
    ["any other authType → password", { authType: "using public key", keyPath: "/k" }, {}],
    [
      "public key from keyPath with keyPswrd",
      { authType: KEY_AUTH, keyPath: "/keys/id_rsa", keyPswrd: "pp", password: "ignored", prvkeyContent: "ignored", pubkeyContent: "ignored" },
      { auth: [{ type: "privateKey", path: "/keys/id_rsa", passphrase: "pp" }] },
    ],
    [
      'public key from keyPath, useKeyContent "false", blank keyPswrd',
      { authType: KEY_AUTH, keyPath: "/keys/id_rsa", keyPswrd: "", useKeyContent: "false" },
      { auth: [{ type: "privateKey", path: "/keys/id_rsa" }] },
    ],
    [
      "public key from content (useKeyContent true) with keyPswrd and pubkeyContent",
      {
        authType: KEY_AUTH,
        useKeyContent: true,
        keyPath: "/ignored",
        prvkeyContent: "-----BEGIN RSA PRIVATE KEY----- x",
        pubkeyContent: "ssh-rsa AAAA",
        keyPswrd: "pp",
        keyPairName: "pair",
      },
      { auth: [{ type: "privateKey", content: "-----BEGIN RSA PRIVATE KEY----- x", passphrase: "pp", publicKey: "ssh-rsa AAAA" }] },
    ],
    [
      'useKeyContent as string "TRUE", blank pubkeyContent',
      { authType: KEY_AUTH, useKeyContent: " TRUE ", prvkeyContent: "k", pubkeyContent: "" },
      { auth: [{ type: "privateKey", content: "k" }] },
    ],
    ["hostEntry trimmed", { hostEntry: ` ${KH}\n` }, {}],
    ["blank hostEntry with insecureAcceptAnyHostKey", { hostEntry: "" }, { hostKey: { insecureAcceptAny: true } }, { insecureAcceptAnyHostKey: true }],
    ["hostEntry wins over insecureAcceptAnyHostKey", {}, {}, { insecureAcceptAnyHostKey: true }],
    ["isMaxExchange → legacyKex", { isMaxExchange: true }, { legacyKex: true }],
    ["isMaxExchange as string", { isMaxExchange: "true" }, { legacyKex: true }],
    ['isMaxExchange "false"', { isMaxExchange: "false" }, {}],
    ['options.algorithms "legacy"', {}, { algorithms: { profile: "legacy" } }, { algorithms: "legacy" }],
    [
      'isMaxExchange with options.algorithms "legacy"',
      { isMaxExchange: "true" },
      { legacyKex: true, algorithms: { profile: "legacy" } },
      { algorithms: "legacy" },
    ],
    ['options.algorithms "default"', {}, {}, { algorithms: "default" }],
    ["remoteDirectory trimmed", { remoteDirectory: " /inbox " }, { remoteDirectory: "/inbox" }],
    ["blank remoteDirectory", { remoteDirectory: "  " }, {}],
    ["enablePooling true → pool of 10", { enablePooling: true }, { pool: { max: 10, idleMs: 10_800_000 } }],
    ['enablePooling "true"', { enablePooling: "true" }, { pool: { max: 10, idleMs: 10_800_000 } }],
    ["enablePooling false", { enablePooling: false }, {}],
    ["proxy fields ignored while proxyEnable is false", { proxyEnable: false, proxyType: "HTTP", proxyHost: "p", proxyPort: "1" }, {}],
    ["proxyEnable absent", { proxyType: "HTTP", proxyHost: "", proxyPort: "0" }, {}],
    ["ATOM → environment proxy", { proxyEnable: true, proxyType: "ATOM", proxyHost: "", proxyPort: "" }, { proxy: { type: "environment" } }],
    [
      "HTTP proxy with credentials",
      { proxyEnable: "true", proxyType: "HTTP", proxyHost: " proxy ", proxyPort: "3128", proxyuserName: "u", proxyPassword: "pp" },
      { proxy: { type: "http", host: "proxy", port: 3128, username: "u", password: "pp" } },
    ],
    [
      "HTTP proxy: a password without a user is ignored, as in Boomi",
      { proxyEnable: true, proxyType: "HTTP", proxyHost: "proxy", proxyPort: 3128, proxyuserName: "", proxyPassword: "pp" },
      { proxy: { type: "http", host: "proxy", port: 3128 } },
    ],
    [
      "SOCKS4 proxy ignores user and password, as in Boomi",
      { proxyEnable: true, proxyType: "SOCKS4", proxyHost: "proxy", proxyPort: "1080", proxyuserName: "u", proxyPassword: "pp" },
      { proxy: { type: "socks4", host: "proxy", port: 1080 } },
    ],
    [
      "SOCKS5 proxy with credentials, type in lower case",
      { proxyEnable: true, proxyType: "socks5", proxyHost: "proxy", proxyPort: 1080, proxyuserName: "u", proxyPassword: "pp" },
      { proxy: { type: "socks5", host: "proxy", port: 1080, username: "u", password: "pp" } },
    ],
    ["connectionTimeout and readTimeout", { connectionTimeout: "30000", readTimeout: 0 }, { timeouts: { connectMs: 30_000, readMs: 0 } }],
    ["blank timeouts → defaults", { connectionTimeout: "", readTimeout: null }, {}],
    ["keyPairName and unknown ids ignored", { keyPairName: "pair", somethingElse: 1, hostkey: "x" }, {}],
  ];

  it.each(cases)("%s", (_name, change, expected, options) => {
    expect(fromBoomiProperties({ ...boomi, ...change }, options)).toStrictEqual({ ...boomiOut, ...expected });
  });

  it("does not mutate the properties", () => {
    const props = Object.freeze({ ...boomi, proxyEnable: "true", proxyType: "HTTP", proxyHost: "p", proxyPort: "8080" });
    const before = { ...props };
    fromBoomiProperties(props);
    expect(props).toStrictEqual(before);
  });
});

describe("fromBoomiProperties: problems", () => {
  const hostEntryRequired = (keyscan: string): string =>
    `hostKey (Boomi "hostEntry"): required. Boomi accepted any host key when "Known Host Entry" was blank; we do not. ` +
    `Set hostEntry to the server's known_hosts line (from "${keyscan}"), or pass { insecureAcceptAnyHostKey: true } to accept any key as Boomi did`;

  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ["blank hostEntry", { hostEntry: " " }, [hostEntryRequired("ssh-keyscan -p 22 sftp.example.com")]],
    ["absent hostEntry, hint uses port", { hostEntry: undefined, port: "2222" }, [hostEntryRequired("ssh-keyscan -p 2222 sftp.example.com")]],
    [
      "bad hostEntry line",
      { hostEntry: `ssh-ed25519 ${KEY}` },
      [
        `hostKey.knownHosts (Boomi "hostEntry"): line 1: expected "<host> <key type> <base64 key>" as printed by "ssh-keyscan -p 22 sftp.example.com", got "ssh-ed25519 ${KEY.slice(0, 47)}…"`,
      ],
    ],
    ["blank host", { host: "" }, ['host (Boomi "host"): required; expected a host name or IP address (a non-empty string without spaces)']],
    ["port not a number", { port: "abc" }, ['port (Boomi "port"): expected an integer from 1 to 65535, got "abc"']],
    ["port 0", { port: "0" }, ['port (Boomi "port"): expected an integer from 1 to 65535, got 0']],
    ["port too large", { port: 70000 }, ['port (Boomi "port"): expected an integer from 1 to 65535, got 70000']],
    ["blank username", { username: "" }, ['username (Boomi "username"): required; expected a non-empty string']],
    ["blank password", { password: "" }, ['auth.password (Boomi "password"): required; expected a non-empty string']],
    ["blank keyPath", { authType: KEY_AUTH }, ['auth.path (Boomi "keyPath"): expected a non-empty string (the private key file path), got ""']],
    [
      "blank prvkeyContent",
      { authType: KEY_AUTH, useKeyContent: "true", prvkeyContent: " " },
      ['auth.content (Boomi "prvkeyContent"): expected a non-empty string (the private key text), got an empty string'],
    ],
    ["keyPswrd of the wrong type", { authType: KEY_AUTH, keyPath: "/k", keyPswrd: 5 }, ['auth.passphrase (Boomi "keyPswrd"): expected a string, got a number']],
    [
      "useKeyContent not a boolean",
      { authType: KEY_AUTH, keyPath: "/k", useKeyContent: "yes" },
      ['auth (Boomi "useKeyContent"): expected true or false, got "yes"'],
    ],
    ["isMaxExchange not a boolean", { isMaxExchange: "1" }, ['legacyKex (Boomi "isMaxExchange"): expected true or false, got "1"']],
    ["enablePooling not a boolean", { enablePooling: 1 }, ['pool (Boomi "enablePooling"): expected true or false, got 1']],
    ["remoteDirectory not a string", { remoteDirectory: 5 }, ['remoteDirectory (Boomi "remoteDirectory"): expected a string, got 5']],
    ["proxyEnable not a boolean", { proxyEnable: "on" }, ['proxy (Boomi "proxyEnable"): expected true or false, got "on"']],
    [
      "proxy enabled without a type",
      { proxyEnable: true },
      ['proxy.type (Boomi "proxyType"): required; expected one of "ATOM", "HTTP", "SOCKS4", "SOCKS5" because proxyEnable is true'],
    ],
    [
      "unknown proxyType",
      { proxyEnable: true, proxyType: "FTP", proxyHost: "p", proxyPort: 1 },
      ['proxy.type (Boomi "proxyType"): expected one of "ATOM", "HTTP", "SOCKS4", "SOCKS5" because proxyEnable is true, got "FTP"'],
    ],
    [
      "proxy enabled with blank host and no port (Boomi silently skipped the proxy)",
      { proxyEnable: true, proxyType: "HTTP", proxyHost: "", proxyuserName: "u" },
      [
        'proxy.host (Boomi "proxyHost"): required; expected a host name or IP address (a non-empty string without spaces)',
        'proxy.port (Boomi "proxyPort"): required; expected an integer from 1 to 65535',
      ],
    ],
    [
      "proxy port 0",
      { proxyEnable: true, proxyType: "SOCKS5", proxyHost: "p", proxyPort: "0" },
      ['proxy.port (Boomi "proxyPort"): expected an integer from 1 to 65535, got 0'],
    ],
    [
      "proxy port negative",
      { proxyEnable: true, proxyType: "SOCKS4", proxyHost: "p", proxyPort: -1 },
      ['proxy.port (Boomi "proxyPort"): expected an integer from 1 to 65535, got -1'],
    ],
    [
      "proxyuserName of the wrong type",
      { proxyEnable: true, proxyType: "HTTP", proxyHost: "p", proxyPort: 1, proxyuserName: 7 },
      ['proxy.username (Boomi "proxyuserName"): expected a non-empty string, got 7'],
    ],
    [
      "proxyPassword of the wrong type",
      { proxyEnable: true, proxyType: "HTTP", proxyHost: "p", proxyPort: 1, proxyuserName: "u", proxyPassword: 7 },
      ['proxy.password (Boomi "proxyPassword"): expected a string, got a number'],
    ],
    [
      "bad timeouts",
      { connectionTimeout: "abc", readTimeout: -5 },
      [
        'timeouts.connectMs (Boomi "connectionTimeout"): expected an integer from 0 to 2147483647 (milliseconds; 0 = no limit), got "abc"',
        'timeouts.readMs (Boomi "readTimeout"): expected an integer from 0 to 2147483647 (milliseconds; 0 = no limit), got -5',
      ],
    ],
  ];

  it.each(cases)("%s", (_name, change, expected) => {
    expect(boomiError({ ...boomi, ...change }).problems).toStrictEqual(expected);
  });

  it("names a wrong options.algorithms", () => {
    const options = { algorithms: "legacyy" } as unknown as FromBoomiPropertiesOptions;
    expect(boomiError(boomi, options).problems).toStrictEqual([
      'algorithms: expected one of "default", "legacy" or an object like { profile: "legacy", kex: ["curve25519-sha256"], cipher: [...] }, got "legacyy"; did you mean "legacy"?',
    ]);
  });

  it("lists every problem at once", () => {
    const error = boomiError({ host: "", port: "x", username: "me", password: "", hostEntry: "", enablePooling: "maybe" });
    expect(error.message).toBe(
      [
        "Invalid connection config:",
        '  - pool (Boomi "enablePooling"): expected true or false, got "maybe"',
        '  - host (Boomi "host"): required; expected a host name or IP address (a non-empty string without spaces)',
        '  - port (Boomi "port"): expected an integer from 1 to 65535, got "x"',
        '  - auth.password (Boomi "password"): required; expected a non-empty string',
        `  - ${hostEntryRequired("ssh-keyscan -p 22 HOST")}`,
      ].join("\n"),
    );
  });

  it("rejects properties that are not an object", () => {
    expect(boomiError(null as unknown as Record<string, unknown>).problems).toStrictEqual(["config: expected an object of Boomi connection properties"]);
  });
});

describe("fromBoomiProperties: secrets never leak", () => {
  /** Invalid in several other ways: blank host, bad port, blank hostEntry, bad boolean. */
  const broken = { host: "", port: "abc", username: "me", hostEntry: "", isMaxExchange: "nope" };

  const secretCases: Array<[string, string, (marker: unknown) => Record<string, unknown>]> = [
    ["password", "SECRET-MARKER-boomi-password", (m) => ({ authType: "Username and Password", password: m })],
    ["keyPswrd", "SECRET-MARKER-boomi-keyPswrd", (m) => ({ authType: KEY_AUTH, keyPath: "", keyPswrd: m })],
    ["keyPswrd with key content", "SECRET-MARKER-boomi-keyPswrd2", (m) => ({ authType: KEY_AUTH, useKeyContent: "true", prvkeyContent: "", keyPswrd: m })],
    ["prvkeyContent", "SECRET-MARKER-boomi-prvkeyContent", (m) => ({ authType: KEY_AUTH, useKeyContent: true, prvkeyContent: m })],
    [
      "proxyPassword",
      "SECRET-MARKER-boomi-proxyPassword",
      (m) => ({ proxyEnable: true, proxyType: "SOCKS5", proxyHost: "", proxyPort: "0", proxyuserName: "u", proxyPassword: m }),
    ],
  ];

  const shapes: Array<[string, (marker: string) => unknown]> = [
    ["string", (m) => m],
    ["object", (m) => ({ nested: m })],
    ["array", (m) => [m]],
    ["number-like string", (m) => `9${[...m].map((c) => c.charCodeAt(0) % 10).join("")}`],
    [
      "number",
      (m) =>
        Number(
          `9${[...m]
            .slice(0, 12)
            .map((c) => c.charCodeAt(0) % 10)
            .join("")}`,
        ),
    ],
  ];

  for (const [name, marker, build] of secretCases) {
    it.each(shapes)(`${name} as %s`, (_shape, shape) => {
      const value = shape(marker);
      const needle = typeof value === "number" ? String(value) : typeof value === "string" ? value : marker;
      const error = boomiError({ ...broken, ...build(value) });
      expect(error.problems.length).toBeGreaterThanOrEqual(4);
      const surfaces = [error.message, ...error.problems, JSON.stringify(error), inspect(error, { depth: 10 }), String(error.stack)];
      for (const surface of surfaces) expect(surface).not.toContain(needle);
    });
  }

  it.each([
    ["password", { password: "SECRET-MARKER-boomi-ok-password" }, ["SECRET-MARKER-boomi-ok-password"]],
    [
      "key content, passphrase and proxy password",
      {
        authType: KEY_AUTH,
        useKeyContent: "true",
        prvkeyContent: "SECRET-MARKER-boomi-ok-content",
        keyPswrd: "SECRET-MARKER-boomi-ok-keyPswrd",
        proxyEnable: "true",
        proxyType: "HTTP",
        proxyHost: "p",
        proxyPort: "3128",
        proxyuserName: "u",
        proxyPassword: "SECRET-MARKER-boomi-ok-proxyPassword",
      },
      ["SECRET-MARKER-boomi-ok-content", "SECRET-MARKER-boomi-ok-keyPswrd", "SECRET-MARKER-boomi-ok-proxyPassword"],
    ],
  ])("valid properties with %s print no secret", (_name, change, markers) => {
    const config = fromBoomiProperties({ ...boomi, ...change });
    const surfaces = [JSON.stringify(config), inspect(config, { depth: 10 }), JSON.stringify(describeConfig(config))];
    for (const surface of surfaces) for (const marker of markers) expect(surface).not.toContain(marker);
    const first = config.auth[0];
    const values = first.type === "password" ? [first.password] : first.type === "privateKey" ? [first.content, first.passphrase] : [];
    if (config.proxy?.type === "http") values.push(config.proxy.password);
    expect(values).toStrictEqual(markers);
  });
});

describe("fromBoomiProperties: issues", () => {
  it("carries each problem's field path without the Boomi name, in the order of `problems`", () => {
    let error: unknown;
    try {
      fromBoomiProperties({ host: "h", port: "x", authType: "Username and Password", proxyEnable: "maybe" });
    } catch (caught) {
      error = caught;
    }
    if (!isSftpConnectorError(error)) throw new Error("expected an SftpConnectorError");
    expect(error.issues.map((issue) => issue.path)).toEqual(error.problems.map((line) => line.replace(/(?: \(Boomi "[^"]+"\))?: [\s\S]*$/, "")));
    expect(error.issues.map((issue) => issue.path)).toContain("hostKey");
    expect(error.issues.find((issue) => issue.path === "hostKey")!.text).toMatch(/^required\. Boomi accepted any host key/);
    expect(error.problems.every((line, index) => line.endsWith(`: ${error.issues[index]!.text}`))).toBe(true);
  });
});
