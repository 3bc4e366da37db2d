// Tests validateConfig: defaults for every auth/proxy/host-key kind, every problem line, and that secrets never leak.
import { inspect, format } from "node:util";
import { describe, expect, it } from "vitest";
import { validateConfig } from "./validateConfig.js";
import { describeConfig } from "./redactSecrets.js";
import { SftpConnectorError, isSftpConnectorError } from "./SftpConnectorError.js";
import type { NormalizedConnectionConfig } from "./ConnectionConfig.js";

const KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const KH = `sftp.example.com ssh-ed25519 ${KEY}`;
const FP = "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU";
const PW = { type: "password", password: "pw" } as const;

/** A valid minimal input. */
const base = { host: "sftp.example.com", username: "me", auth: PW, hostKey: { knownHosts: KH } };

/** The normalized form of `base`. */
const baseOut = {
  host: "sftp.example.com",
  port: 22,
  username: "me",
  auth: [{ type: "password", password: "pw" }],
  hostKey: { knownHosts: KH, insecureAcceptAny: false },
  timeouts: { connectMs: 120_000, readMs: 120_000 },
  keepaliveIntervalMs: 10_000,
  legacyKex: false,
  pool: { max: 10, idleMs: 10_800_000 },
  retry: { attempts: 1, backoffMs: 1_000 },
};

/** A valid jump host input and its normalized form. */
const jumpIn = { type: "jump", host: "bastion", username: "jumper", auth: { type: "agent" }, hostKey: { fingerprints: [FP] } };
const jumpOut = {
  type: "jump",
  host: "bastion",
  port: 22,
  username: "jumper",
  auth: [{ type: "agent" }],
  hostKey: { fingerprints: [FP], insecureAcceptAny: false },
  timeouts: { connectMs: 120_000, readMs: 120_000 },
  keepaliveIntervalMs: 10_000,
  legacyKex: false,
};

const hostKeyRequired = (path = "hostKey", host = "HOST", port = 22): string =>
  `${path}: required. Pin the server's key with ${path}.knownHosts (a line from "ssh-keyscan -p ${port} ${host}"), ` +
  `${path}.knownHostsFile or ${path}.fingerprints ["SHA256:..."] (from "ssh-keyscan -p ${port} ${host} | ssh-keygen -lf -"), ` +
  `or opt out with ${path}: { insecureAcceptAny: true }`;

/** Runs `fn`, expects an INVALID_CONFIG error and returns it. */
function configError(fn: () => unknown): SftpConnectorError {
  try {
    fn();
  } catch (error) {
    expect(isSftpConnectorError(error)).toBe(true);
    const e = error as SftpConnectorError;
    expect(e.reason).toBe("INVALID_CONFIG");
    expect(e.operation).toBe("validateConfig");
    expect(e.retryable).toBe(false);
    return e;
  }
  throw new Error("expected validateConfig to throw");
}

const problemsOf = (input: unknown): readonly string[] => configError(() => validateConfig(input)).problems;

describe("validateConfig: valid configs", () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ["minimal password config, defaults filled", {}, {}],
    ["explicit port", { port: 2222 }, { port: 2222 }],
    [
      "private key from a file with passphrase and public key",
      { auth: { type: "privateKey", path: "/keys/id", passphrase: "pp", publicKey: "ssh-ed25519 AAAA" } },
      { auth: [{ type: "privateKey", path: "/keys/id", passphrase: "pp", publicKey: "ssh-ed25519 AAAA" }] },
    ],
    [
      "private key content, empty passphrase kept",
      { auth: { type: "privateKey", content: "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n", passphrase: "" } },
      { auth: [{ type: "privateKey", content: "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n", passphrase: "" }] },
    ],
    ["agent", { auth: { type: "agent" } }, { auth: [{ type: "agent" }] }],
    ["agent with socket", { auth: { type: "agent", socket: "/tmp/agent.sock" } }, { auth: [{ type: "agent", socket: "/tmp/agent.sock" }] }],
    [
      "keyboard-interactive with a password",
      { auth: { type: "keyboardInteractive", password: "pw" } },
      { auth: [{ type: "keyboardInteractive", password: "pw" }] },
    ],
    [
      "keyboard-interactive with responses",
      { auth: { type: "keyboardInteractive", responses: ["a", "b"] } },
      { auth: [{ type: "keyboardInteractive", responses: ["a", "b"] }] },
    ],
    ["several auth methods in order", { auth: [{ type: "agent" }, PW] }, { auth: [{ type: "agent" }, { type: "password", password: "pw" }] }],
    [
      "known_hosts file",
      { hostKey: { knownHostsFile: "/etc/ssh/known_hosts" } },
      { hostKey: { knownHostsFile: "/etc/ssh/known_hosts", insecureAcceptAny: false } },
    ],
    ["fingerprints", { hostKey: { fingerprints: [FP, `${FP}=`] } }, { hostKey: { fingerprints: [FP, `${FP}=`], insecureAcceptAny: false } }],
    [
      "known_hosts with comments, markers, hashed hosts and several pins",
      {
        hostKey: {
          knownHosts: `# keys\n\n|1|abc=|def= ${KH.slice(17)}\n@cert-authority *.example.com ${KH.slice(17)} ca\n`,
          knownHostsFile: "/kh",
          fingerprints: [],
          insecureAcceptAny: false,
        },
      },
      {
        hostKey: {
          knownHosts: `# keys\n\n|1|abc=|def= ${KH.slice(17)}\n@cert-authority *.example.com ${KH.slice(17)} ca\n`,
          knownHostsFile: "/kh",
          insecureAcceptAny: false,
        },
      },
    ],
    ["insecureAcceptAny", { hostKey: { insecureAcceptAny: true } }, { hostKey: { insecureAcceptAny: true } }],
    ["remoteDirectory trimmed", { remoteDirectory: "  /in  " }, { remoteDirectory: "/in" }],
    ["blank remoteDirectory dropped", { remoteDirectory: "   " }, {}],
    [
      "http proxy with credentials",
      { proxy: { type: "http", host: "proxy", port: 3128, username: "u", password: "p" } },
      { proxy: { type: "http", host: "proxy", port: 3128, username: "u", password: "p" } },
    ],
    [
      "socks4 proxy with user id",
      { proxy: { type: "socks4", host: "10.0.0.1", port: 1080, username: "u" } },
      { proxy: { type: "socks4", host: "10.0.0.1", port: 1080, username: "u" } },
    ],
    ["socks4a proxy", { proxy: { type: "socks4a", host: "proxy", port: 1080 } }, { proxy: { type: "socks4a", host: "proxy", port: 1080 } }],
    ["socks5 proxy", { proxy: { type: "socks5", host: "::1", port: 1080 } }, { proxy: { type: "socks5", host: "::1", port: 1080 } }],
    ["environment proxy", { proxy: { type: "environment" } }, { proxy: { type: "environment" } }],
    ["jump host, defaults filled", { proxy: jumpIn }, { proxy: jumpOut }],
    [
      "jump host behind a socks5 proxy",
      { proxy: { ...jumpIn, port: 2200, proxy: { type: "socks5", host: "s", port: 1080, username: "u", password: "p" } } },
      { proxy: { ...jumpOut, port: 2200, proxy: { type: "socks5", host: "s", port: 1080, username: "u", password: "p" } } },
    ],
    [
      "jump hosts nested 4 deep",
      { proxy: { ...jumpIn, proxy: { ...jumpIn, proxy: { ...jumpIn, proxy: jumpIn } } } },
      { proxy: { ...jumpOut, proxy: { ...jumpOut, proxy: { ...jumpOut, proxy: jumpOut } } } },
    ],
    ["partial timeouts", { timeouts: { readMs: 0 } }, { timeouts: { connectMs: 120_000, readMs: 0 } }],
    ["keepalive off, legacy kex on", { keepaliveIntervalMs: 0, legacyKex: true }, { keepaliveIntervalMs: 0, legacyKex: true }],
    [
      "algorithms",
      { algorithms: { kex: ["curve25519-sha256"], cipher: ["aes128-ctr"], serverHostKey: ["ssh-ed25519"], hmac: ["hmac-sha2-256"], compress: ["none"] } },
      { algorithms: { kex: ["curve25519-sha256"], cipher: ["aes128-ctr"], serverHostKey: ["ssh-ed25519"], hmac: ["hmac-sha2-256"], compress: ["none"] } },
    ],
    ["empty algorithms dropped", { algorithms: {} }, {}],
    ["legacy profile as a string", { algorithms: "legacy" }, { algorithms: { profile: "legacy" } }],
    ["default profile as a string dropped", { algorithms: "default" }, {}],
    ["default profile in the object dropped", { algorithms: { profile: "default" } }, {}],
    [
      "legacy profile with a list",
      { algorithms: { profile: "legacy", cipher: ["aes128-cbc"] } },
      { algorithms: { profile: "legacy", cipher: ["aes128-cbc"] } },
    ],
    ["legacy profile beside legacyKex", { legacyKex: true, algorithms: "legacy" }, { legacyKex: true, algorithms: { profile: "legacy" } }],
    ["pool off", { pool: false }, { pool: false }],
    ["pool true = defaults", { pool: true }, {}],
    ["partial pool", { pool: { max: 2 } }, { pool: { max: 2, idleMs: 10_800_000 } }],
    ["partial retry", { retry: { attempts: 3 } }, { retry: { attempts: 3, backoffMs: 1_000 } }],
    ["known keys set to undefined are absent", { port: undefined, proxy: undefined, typo: undefined }, {}],
  ];

  it.each(cases)("%s", (_name, change, expected) => {
    const config = validateConfig({ ...base, ...change });
    expect(config).toStrictEqual({ ...baseOut, ...expected });
  });

  it("does not mutate the input and returns fresh objects", () => {
    const input = { ...base, auth: [{ type: "keyboardInteractive", responses: ["a"] }], hostKey: { fingerprints: [FP] }, remoteDirectory: " d " };
    const before = structuredClone(input);
    const config = validateConfig(Object.freeze(input));
    expect(input).toStrictEqual(before);
    expect(config.auth).not.toBe(input.auth);
    expect(config.auth[0]).not.toBe(input.auth[0]);
    const kbd = config.auth[0];
    if (kbd.type !== "keyboardInteractive" || kbd.responses === undefined) throw new Error("unexpected");
    expect(kbd.responses).not.toBe(input.auth[0]?.responses);
    expect(config.hostKey).not.toBe(input.hostKey);
  });

  it("accepts its own output (idempotent)", () => {
    const once = validateConfig({ ...base, proxy: jumpIn, pool: false });
    expect(validateConfig(once)).toStrictEqual(once);
  });

  it("types narrow without casts", () => {
    const config: NormalizedConnectionConfig = validateConfig({ ...base, auth: { type: "privateKey", content: "k" } });
    const first = config.auth[0];
    const text = first.type === "privateKey" ? (first.path !== undefined ? first.path : first.content) : "";
    expect(text).toBe("k");
    expect(config.hostKey.insecureAcceptAny ? "any" : config.hostKey.knownHosts).toBe(KH);
  });
});

describe("validateConfig: problems", () => {
  const cases: Array<[string, unknown, string[]]> = [
    ["config is a string", "sftp://me:pw@host", ["config: expected an object, got a string"]],
    ["config is null", null, ["config: expected an object, got null"]],
    ["config is an array", [], ["config: expected an object, got an empty array"]],
    [
      "empty config",
      {},
      [
        "host: required; expected a host name or IP address (a non-empty string without spaces)",
        "username: required; expected a non-empty string",
        'auth: required; expected an auth method object (e.g. { type: "password", password }) or a non-empty array of them',
        hostKeyRequired(),
      ],
    ],
    // unknown top-level fields
    ["typo hostkey", { ...base, hostkey: {} }, ["hostkey: unknown field; did you mean hostKey?"]],
    ["typo timeout", { ...base, timeout: {} }, ["timeout: unknown field; did you mean timeouts?"]],
    ["unknown field", { ...base, foo: 1 }, ["foo: unknown field"]],
    [
      "Host instead of host",
      { ...base, host: undefined, Host: "h" },
      ["Host: unknown field; did you mean host?", "host: required; expected a host name or IP address (a non-empty string without spaces)"],
    ],
    // host, port, username
    ["empty host", { ...base, host: "" }, ['host: expected a host name or IP address (a non-empty string without spaces), got ""']],
    ["host with a space", { ...base, host: "a b" }, ['host: expected a host name or IP address (a non-empty string without spaces), got "a b"']],
    ["host as number", { ...base, host: 5 }, ["host: expected a host name or IP address (a non-empty string without spaces), got 5"]],
    [
      "host as URL, userinfo hidden",
      { ...base, host: "sftp://bob:hunter2@h/x" },
      ['host: expected a host name or IP address, not a URL or path, got "sftp://bob:[redacted]@h/x"'],
    ],
    [
      "long host shortened to 60 characters",
      { ...base, host: `${"x".repeat(70)} y` },
      [`host: expected a host name or IP address (a non-empty string without spaces), got "${"x".repeat(59)}…"`],
    ],
    ["port 0", { ...base, port: 0 }, ["port: expected an integer from 1 to 65535, got 0"]],
    ["port 65536", { ...base, port: 65536 }, ["port: expected an integer from 1 to 65535, got 65536"]],
    ["port 22.5", { ...base, port: 22.5 }, ["port: expected an integer from 1 to 65535, got 22.5"]],
    ["port as string", { ...base, port: "22" }, ['port: expected an integer from 1 to 65535, got "22"']],
    ["port NaN", { ...base, port: Number.NaN }, ["port: expected an integer from 1 to 65535, got NaN"]],
    ["empty username", { ...base, username: "" }, ['username: expected a non-empty string, got ""']],
    ["username as number", { ...base, username: 7 }, ["username: expected a non-empty string, got 7"]],
    // auth
    ["auth empty array", { ...base, auth: [] }, ["auth: expected at least one auth method, got an empty array"]],
    [
      "auth as string",
      { ...base, auth: "pw" },
      ['auth: expected an auth method object (e.g. { type: "password", password }) or a non-empty array of them, got a string'],
    ],
    ["auth item not an object", { ...base, auth: [PW, "pw"] }, ["auth[1]: expected an auth method object, got a string"]],
    [
      "auth type missing",
      { ...base, auth: { password: "x" } },
      ['auth.type: required; expected one of "password", "privateKey", "agent", "keyboardInteractive"'],
    ],
    [
      "auth[1].type unknown",
      { ...base, auth: [PW, { type: "gssapi" }] },
      ['auth[1].type: expected one of "password", "privateKey", "agent", "keyboardInteractive", got "gssapi"'],
    ],
    [
      "auth type wrong case",
      { ...base, auth: { type: "Password", password: "x" } },
      ['auth.type: expected one of "password", "privateKey", "agent", "keyboardInteractive", got "Password"; did you mean "password"?'],
    ],
    [
      "auth type typo",
      { ...base, auth: { type: "private_key", path: "/k" } },
      ['auth.type: expected one of "password", "privateKey", "agent", "keyboardInteractive", got "private_key"; did you mean "privateKey"?'],
    ],
    ["password missing", { ...base, auth: { type: "password" } }, ["auth.password: required; expected a non-empty string"]],
    ["password empty", { ...base, auth: { type: "password", password: "" } }, ["auth.password: expected a non-empty string, got an empty string"]],
    ["password as number", { ...base, auth: { type: "password", password: 1234 } }, ["auth.password: expected a non-empty string, got a number"]],
    ["password typo", { ...base, auth: { type: "password", passwd: "x", password: "y" } }, ["auth.passwd: unknown field; did you mean password?"]],
    [
      "field of another auth type",
      { ...base, auth: { type: "password", password: "y", path: "/k" } },
      ['auth.path: not a field of auth type "password" (its fields: type, password)'],
    ],
    [
      "private key with neither path nor content",
      { ...base, auth: { type: "privateKey" } },
      ['auth: expected exactly one of auth.path or auth.content for auth type "privateKey", got neither'],
    ],
    [
      "private key with both",
      { ...base, auth: [PW, { type: "privateKey", path: "/k", content: "k" }] },
      ['auth[1]: expected exactly one of auth[1].path or auth[1].content for auth type "privateKey", got both'],
    ],
    ["empty key path", { ...base, auth: { type: "privateKey", path: "" } }, ['auth.path: expected a non-empty string (the private key file path), got ""']],
    [
      "key content as number",
      { ...base, auth: { type: "privateKey", content: 5 } },
      ["auth.content: expected a non-empty string (the private key text), got a number"],
    ],
    ["passphrase as number", { ...base, auth: { type: "privateKey", path: "/k", passphrase: 5 } }, ["auth.passphrase: expected a string, got a number"]],
    [
      "empty public key",
      { ...base, auth: { type: "privateKey", path: "/k", publicKey: "" } },
      ['auth.publicKey: expected a non-empty string (the public key text), got ""'],
    ],
    ["empty agent socket", { ...base, auth: { type: "agent", socket: "" } }, ['auth.socket: expected a non-empty string (the agent socket path), got ""']],
    [
      "keyboard-interactive with neither",
      { ...base, auth: { type: "keyboardInteractive" } },
      ['auth: expected exactly one of auth.password or auth.responses for auth type "keyboardInteractive", got neither'],
    ],
    [
      "keyboard-interactive with both",
      { ...base, auth: { type: "keyboardInteractive", password: "p", responses: ["r"] } },
      ['auth: expected exactly one of auth.password or auth.responses for auth type "keyboardInteractive", got both'],
    ],
    [
      "responses empty",
      { ...base, auth: { type: "keyboardInteractive", responses: [] } },
      ["auth.responses: expected a non-empty array of strings (one answer per prompt), got an empty array"],
    ],
    [
      "responses as string",
      { ...base, auth: { type: "keyboardInteractive", responses: "r" } },
      ["auth.responses: expected a non-empty array of strings (one answer per prompt), got a string"],
    ],
    ["response not a string", { ...base, auth: { type: "keyboardInteractive", responses: ["a", 2] } }, ["auth.responses[1]: expected a string, got a number"]],
    // hostKey
    ["hostKey missing, hint uses host and port", { ...base, port: 2222, hostKey: undefined }, [hostKeyRequired("hostKey", "sftp.example.com", 2222)]],
    ["hostKey empty", { ...base, hostKey: {} }, [hostKeyRequired("hostKey", "sftp.example.com")]],
    ["hostKey with empty fingerprints only", { ...base, hostKey: { fingerprints: [] } }, [hostKeyRequired("hostKey", "sftp.example.com")]],
    ["insecureAcceptAny false alone", { ...base, hostKey: { insecureAcceptAny: false } }, [hostKeyRequired("hostKey", "sftp.example.com")]],
    [
      "hostKey as a string",
      { ...base, hostKey: KH },
      [`hostKey: expected an object such as { knownHosts: "<host> <key type> <base64 key>" } or { insecureAcceptAny: true }, got "${KH.slice(0, 59)}…"`],
    ],
    ["insecureAcceptAny as string", { ...base, hostKey: { insecureAcceptAny: "true" } }, ['hostKey.insecureAcceptAny: expected true or false, got "true"']],
    [
      "insecureAcceptAny with a pin",
      { ...base, hostKey: { insecureAcceptAny: true, knownHosts: KH } },
      ["hostKey.insecureAcceptAny: cannot be combined with knownHosts, knownHostsFile or fingerprints; remove one or the other"],
    ],
    ["hostKey field typo", { ...base, hostKey: { knownhosts: KH } }, ["hostKey.knownhosts: unknown field; did you mean knownHosts?"]],
    [
      "bad fingerprint",
      { ...base, hostKey: { fingerprints: [FP, "MD5:12:34", 7] } },
      [
        'hostKey.fingerprints[1]: expected "SHA256:" followed by 43 base64 characters (as printed by "ssh-keyscan -p 22 sftp.example.com | ssh-keygen -lf -"), got "MD5:12:34"',
        'hostKey.fingerprints[2]: expected "SHA256:" followed by 43 base64 characters (as printed by "ssh-keyscan -p 22 sftp.example.com | ssh-keygen -lf -"), got 7',
      ],
    ],
    [
      "fingerprint with padding missing a character",
      { ...base, hostKey: { fingerprints: [FP.slice(0, -1)] } },
      [
        `hostKey.fingerprints[0]: expected "SHA256:" followed by 43 base64 characters (as printed by "ssh-keyscan -p 22 sftp.example.com | ssh-keygen -lf -"), got "${FP.slice(0, -1)}"`,
      ],
    ],
    [
      "fingerprints as a string",
      { ...base, hostKey: { fingerprints: FP } },
      [`hostKey.fingerprints: expected an array of fingerprints like "SHA256:<43 base64 characters>", got "${FP}"`],
    ],
    [
      "empty knownHosts",
      { ...base, hostKey: { knownHosts: "" } },
      ['hostKey.knownHosts: expected known_hosts lines ("<host> <key type> <base64 key>") as printed by "ssh-keyscan -p 22 sftp.example.com", got ""'],
    ],
    [
      "known_hosts line without host",
      { ...base, hostKey: { knownHosts: `# c\nssh-ed25519 ${KEY}` } },
      [
        `hostKey.knownHosts: line 2: expected "<host> <key type> <base64 key>" as printed by "ssh-keyscan -p 22 sftp.example.com", got "ssh-ed25519 ${KEY.slice(0, 47)}…"`,
      ],
    ],
    [
      "known_hosts with comments only",
      { ...base, hostKey: { knownHosts: "# nothing\n" } },
      [
        'hostKey.knownHosts: expected at least one known_hosts line ("<host> <key type> <base64 key>") as printed by "ssh-keyscan -p 22 sftp.example.com", got only blank or comment lines',
      ],
    ],
    [
      "empty knownHostsFile",
      { ...base, hostKey: { knownHostsFile: "" } },
      ['hostKey.knownHostsFile: expected a non-empty string (a known_hosts file path), got ""'],
    ],
    // remoteDirectory
    ["remoteDirectory as number", { ...base, remoteDirectory: 5 }, ["remoteDirectory: expected a string, got 5"]],
    // proxy
    [
      "proxy as string",
      { ...base, proxy: "http://u:p@proxy:3128" },
      ['proxy: expected a proxy object with type one of "http", "socks4", "socks4a", "socks5", "environment", "jump", got a string'],
    ],
    [
      "proxy type missing",
      { ...base, proxy: { host: "p", port: 1 } },
      ['proxy.type: required; expected one of "http", "socks4", "socks4a", "socks5", "environment", "jump"'],
    ],
    [
      "proxy type upper case",
      { ...base, proxy: { type: "HTTP", host: "p", port: 1 } },
      ['proxy.type: expected one of "http", "socks4", "socks4a", "socks5", "environment", "jump", got "HTTP"; did you mean "http"?'],
    ],
    [
      "proxy type ambiguous",
      { ...base, proxy: { type: "socks", host: "p", port: 1 } },
      ['proxy.type: expected one of "http", "socks4", "socks4a", "socks5", "environment", "jump", got "socks"'],
    ],
    [
      "http proxy without host and port",
      { ...base, proxy: { type: "http" } },
      [
        "proxy.host: required; expected a host name or IP address (a non-empty string without spaces)",
        "proxy.port: required; expected an integer from 1 to 65535",
      ],
    ],
    ["proxy port 0", { ...base, proxy: { type: "socks5", host: "p", port: 0 } }, ["proxy.port: expected an integer from 1 to 65535, got 0"]],
    [
      "socks4 password",
      { ...base, proxy: { type: "socks4", host: "p", port: 1080, username: "u", password: "x" } },
      ["proxy.password: not supported by socks4 proxies; use socks5 for a password"],
    ],
    [
      "socks4a password",
      { ...base, proxy: { type: "socks4a", host: "p", port: 1080, password: "x" } },
      ["proxy.password: not supported by socks4a proxies; use socks5 for a password"],
    ],
    ["proxy password without username", { ...base, proxy: { type: "http", host: "p", port: 3128, password: "x" } }, ["proxy.password: needs proxy.username"]],
    [
      "proxy password as number",
      { ...base, proxy: { type: "http", host: "p", port: 3128, username: "u", password: 5 } },
      ["proxy.password: expected a string, got a number"],
    ],
    [
      "empty proxy username",
      { ...base, proxy: { type: "http", host: "p", port: 3128, username: "" } },
      ['proxy.username: expected a non-empty string, got ""'],
    ],
    ["proxy field typo", { ...base, proxy: { type: "http", host: "p", port: 3128, usernme: "u" } }, ["proxy.usernme: unknown field; did you mean username?"]],
    ["environment proxy with a host", { ...base, proxy: { type: "environment", host: "p" } }, ["proxy.host: unknown field"]],
    // jump
    [
      "jump host problems use nested paths",
      { ...base, proxy: { type: "jump", host: "bastion", port: 0, auth: { type: "password" } } },
      [
        "proxy.port: expected an integer from 1 to 65535, got 0",
        "proxy.username: required; expected a non-empty string",
        "proxy.auth.password: required; expected a non-empty string",
        hostKeyRequired("proxy.hostKey", "bastion"),
      ],
    ],
    [
      "top-level-only fields on a jump host",
      { ...base, proxy: { ...jumpIn, pool: false, retry: {}, remoteDirectory: "/x", hostkey: {} } },
      [
        "proxy.pool: not used for a jump host; set it on the top-level config",
        "proxy.retry: not used for a jump host; set it on the top-level config",
        "proxy.remoteDirectory: not used for a jump host; set it on the top-level config",
        "proxy.hostkey: unknown field; did you mean hostKey?",
      ],
    ],
    [
      "jump hosts nested 5 deep",
      { ...base, proxy: { ...jumpIn, proxy: { ...jumpIn, proxy: { ...jumpIn, proxy: { ...jumpIn, proxy: jumpIn } } } } },
      ["proxy.proxy.proxy.proxy.proxy: jump hosts may be nested at most 4 deep"],
    ],
    [
      "nested jump proxy problem",
      { ...base, proxy: { ...jumpIn, proxy: { type: "http", host: "p", port: 70000 } } },
      ["proxy.proxy.port: expected an integer from 1 to 65535, got 70000"],
    ],
    // timeouts, keepalive, legacyKex, algorithms
    ["timeouts as string", { ...base, timeouts: "5" }, ['timeouts: expected an object like { connectMs: 120000, readMs: 120000 }, got "5"']],
    [
      "negative and too large timeouts",
      { ...base, timeouts: { connectMs: -1, readMs: 2 ** 31 } },
      [
        "timeouts.connectMs: expected an integer from 0 to 2147483647 (milliseconds; 0 = no limit), got -1",
        "timeouts.readMs: expected an integer from 0 to 2147483647 (milliseconds; 0 = no limit), got 2147483648",
      ],
    ],
    ["timeouts field typo", { ...base, timeouts: { connect: 1 } }, ["timeouts.connect: unknown field; did you mean connectMs?"]],
    [
      "negative keepalive",
      { ...base, keepaliveIntervalMs: -1 },
      ["keepaliveIntervalMs: expected an integer from 0 to 2147483647 (milliseconds; 0 = off), got -1"],
    ],
    ["legacyKex as string", { ...base, legacyKex: "yes" }, ['legacyKex: expected true or false, got "yes"']],
    [
      "algorithms as array",
      { ...base, algorithms: [] },
      [
        'algorithms: expected one of "default", "legacy" or an object like { profile: "legacy", kex: ["curve25519-sha256"], cipher: [...] }, got an empty array',
      ],
    ],
    [
      "algorithms profile typo",
      { ...base, algorithms: "legacyy" },
      [
        'algorithms: expected one of "default", "legacy" or an object like { profile: "legacy", kex: ["curve25519-sha256"], cipher: [...] }, got "legacyy"; did you mean "legacy"?',
      ],
    ],
    [
      "algorithms profile in another case",
      { ...base, algorithms: "Legacy" },
      [
        'algorithms: expected one of "default", "legacy" or an object like { profile: "legacy", kex: ["curve25519-sha256"], cipher: [...] }, got "Legacy"; did you mean "legacy"?',
      ],
    ],
    ["algorithms.profile unknown", { ...base, algorithms: { profile: "old" } }, ['algorithms.profile: expected one of "default", "legacy", got "old"']],
    ["algorithms.profile as boolean", { ...base, algorithms: { profile: true } }, ['algorithms.profile: expected one of "default", "legacy", got true']],
    [
      "algorithms as boolean",
      { ...base, algorithms: true },
      ['algorithms: expected one of "default", "legacy" or an object like { profile: "legacy", kex: ["curve25519-sha256"], cipher: [...] }, got true'],
    ],
    ["empty algorithm list", { ...base, algorithms: { kex: [] } }, ["algorithms.kex: expected a non-empty array of algorithm names, got an empty array"]],
    [
      "bad algorithm name",
      { ...base, algorithms: { hmac: ["hmac-sha2-256", "a b"] } },
      ['algorithms.hmac[1]: expected an algorithm name (a non-empty string without spaces), got "a b"'],
    ],
    ["algorithms field typo", { ...base, algorithms: { ciphers: ["x"] } }, ["algorithms.ciphers: unknown field; did you mean cipher?"]],
    ["algorithms.profile typo", { ...base, algorithms: { profil: "legacy" } }, ["algorithms.profil: unknown field; did you mean profile?"]],
    // pool, retry
    ["pool as string", { ...base, pool: "yes" }, ['pool: expected false, true or an object like { max: 10, idleMs: 10800000 }, got "yes"']],
    [
      "bad pool values",
      { ...base, pool: { max: 0, idleMs: 1.5 } },
      ["pool.max: expected an integer of at least 1, got 0", "pool.idleMs: expected an integer from 0 to 2147483647 (milliseconds), got 1.5"],
    ],
    ["pool unknown field", { ...base, pool: { maxSize: 3 } }, ["pool.maxSize: unknown field"]],
    ["retry as number", { ...base, retry: 3 }, ["retry: expected an object like { attempts: 3, backoffMs: 1000 }, got 3"]],
    [
      "bad retry values",
      { ...base, retry: { attempts: -1, backoffMs: -5 } },
      [
        "retry.attempts: expected an integer from 0 to 100 (retries after the first try), got -1",
        "retry.backoffMs: expected an integer from 0 to 2147483647 (milliseconds), got -5",
      ],
    ],
    // values that must never be echoed from non-secret fields
    [
      "private key pasted into host",
      { ...base, host: "-----BEGIN OPENSSH PRIVATE KEY----- abc" },
      ["host: expected a host name or IP address (a non-empty string without spaces), got a private key (not shown)"],
    ],
  ];

  it.each(cases)("%s", (_name, input, expected) => {
    expect(problemsOf(input)).toStrictEqual(expected);
  });

  it("lists every problem at once in the message", () => {
    const error = configError(() =>
      validateConfig({ hostkey: { insecureAcceptAny: true }, host: "a b", port: 0, username: "me", auth: [PW, { type: "nope" }] }),
    );
    expect(error.message).toBe(
      [
        "Invalid connection config:",
        "  - hostkey: unknown field; did you mean hostKey?",
        '  - host: expected a host name or IP address (a non-empty string without spaces), got "a b"',
        "  - port: expected an integer from 1 to 65535, got 0",
        '  - auth[1].type: expected one of "password", "privateKey", "agent", "keyboardInteractive", got "nope"',
        `  - ${hostKeyRequired()}`,
      ].join("\n"),
    );
    expect(error.problems).toHaveLength(5);
    expect(error).toBeInstanceOf(SftpConnectorError);
  });
});

describe("validateConfig: secrets never leak", () => {
  /** Everything an error exposes to a log. */
  const errorSurfaces = (error: SftpConnectorError): string[] => [
    error.message,
    ...error.problems,
    JSON.stringify(error),
    inspect(error, { depth: 10 }),
    inspect(error, { depth: 10, showHidden: true }),
    String(error.stack),
  ];

  /** Invalid in several other ways: bad host, bad port, unknown field, no hostKey. */
  const broken = { host: "a b", port: 0, username: "me", hostkey: {} };

  const secretCases: Array<[string, string, (marker: unknown) => Record<string, unknown>]> = [
    ["auth.password", "SECRET-MARKER-auth.password", (m) => ({ auth: { type: "password", password: m } })],
    ["auth[1].password", "SECRET-MARKER-auth1.password", (m) => ({ auth: [{ type: "agent" }, { type: "password", password: m }] })],
    ["auth.passphrase", "SECRET-MARKER-auth.passphrase", (m) => ({ auth: { type: "privateKey", path: "/k", passphrase: m } })],
    ["auth.content", "SECRET-MARKER-auth.content", (m) => ({ auth: { type: "privateKey", content: m } })],
    ["auth.content with path too", "SECRET-MARKER-auth.content2", (m) => ({ auth: { type: "privateKey", content: m, path: "" } })],
    ["auth.responses", "SECRET-MARKER-auth.responses", (m) => ({ auth: { type: "keyboardInteractive", responses: [m] } })],
    ["auth.responses as the value", "SECRET-MARKER-auth.responses2", (m) => ({ auth: { type: "keyboardInteractive", responses: m } })],
    ["keyboard-interactive password", "SECRET-MARKER-kbd.password", (m) => ({ auth: { type: "keyboardInteractive", password: m, responses: [m] } })],
    ["proxy.password", "SECRET-MARKER-proxy.password", (m) => ({ proxy: { type: "http", host: "p", port: 3128, username: "u", password: m } })],
    ["proxy.password on socks4", "SECRET-MARKER-proxy.password4", (m) => ({ proxy: { type: "socks4", host: "p", port: 1080, password: m } })],
    ["proxy.password without user", "SECRET-MARKER-proxy.password5", (m) => ({ proxy: { type: "socks5", host: "p", port: 0, password: m } })],
    ["jump auth.password", "SECRET-MARKER-jump.auth.password", (m) => ({ proxy: { type: "jump", host: "a b", auth: { type: "password", password: m } } })],
    [
      "jump's proxy.password",
      "SECRET-MARKER-jump.proxy.password",
      (m) => ({ proxy: { ...jumpIn, port: -1, proxy: { type: "http", host: "p", port: 0, username: "u", password: m } } }),
    ],
    ["misspelt secret field", "SECRET-MARKER-passwd", (m) => ({ auth: { type: "password", passwd: m } })],
    ["secret field on the wrong auth type", "SECRET-MARKER-wrongtype", (m) => ({ auth: { type: "agent", password: m } })],
    ["auth as a bare string", "SECRET-MARKER-auth", (m) => ({ auth: m })],
    ["proxy as a URL string", "SECRET-MARKER-proxyurl", (m) => ({ proxy: `http://u:${String(m)}@proxy:3128` })],
  ];

  /** Wrong-type and odd shapes of the secret value: each must stay hidden too. */
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
      const error = configError(() => validateConfig({ ...broken, ...build(value) }));
      expect(error.problems.length).toBeGreaterThanOrEqual(3);
      for (const surface of errorSurfaces(error)) expect(surface).not.toContain(needle);
    });
  }

  it("the config root as a string is not echoed", () => {
    const error = configError(() => validateConfig("sftp://me:SECRET-MARKER-root@host"));
    for (const surface of errorSurfaces(error)) expect(surface).not.toContain("SECRET-MARKER-root");
  });

  const validConfigs: Array<[string, Record<string, unknown>, string[], (c: NormalizedConnectionConfig) => unknown[]]> = [
    [
      "every auth kind and an http proxy",
      {
        ...base,
        auth: [
          { type: "password", password: "SECRET-MARKER-password" },
          { type: "privateKey", content: "SECRET-MARKER-content", passphrase: "SECRET-MARKER-passphrase" },
          { type: "keyboardInteractive", responses: ["SECRET-MARKER-response"] },
          { type: "keyboardInteractive", password: "SECRET-MARKER-kbdpassword" },
        ],
        proxy: { type: "http", host: "p", port: 3128, username: "u", password: "SECRET-MARKER-proxypassword" },
      },
      [
        "SECRET-MARKER-password",
        "SECRET-MARKER-content",
        "SECRET-MARKER-passphrase",
        "SECRET-MARKER-response",
        "SECRET-MARKER-kbdpassword",
        "SECRET-MARKER-proxypassword",
      ],
      (c) => {
        const [password, key, responses, kbd] = c.auth;
        return [
          password?.type === "password" ? password.password : undefined,
          key?.type === "privateKey" ? key.content : undefined,
          key?.type === "privateKey" ? key.passphrase : undefined,
          responses?.type === "keyboardInteractive" ? responses.responses?.[0] : undefined,
          kbd?.type === "keyboardInteractive" ? kbd.password : undefined,
          c.proxy?.type === "http" ? c.proxy.password : undefined,
        ];
      },
    ],
    [
      "a jump host with a password behind a socks5 proxy",
      {
        ...base,
        proxy: {
          ...jumpIn,
          auth: { type: "password", password: "SECRET-MARKER-jumppassword" },
          proxy: { type: "socks5", host: "s", port: 1080, username: "u", password: "SECRET-MARKER-jumpproxypassword" },
        },
      },
      ["SECRET-MARKER-jumppassword", "SECRET-MARKER-jumpproxypassword"],
      (c) => {
        const jump = c.proxy?.type === "jump" ? c.proxy : undefined;
        const auth = jump?.auth[0];
        return [auth?.type === "password" ? auth.password : undefined, jump?.proxy?.type === "socks5" ? jump.proxy.password : undefined];
      },
    ],
  ];

  it.each(validConfigs)("valid config: %s prints no secret but keeps the values", (_name, input, markers, read) => {
    const config = validateConfig(input);
    const surfaces = [
      JSON.stringify(config),
      JSON.stringify(config.auth),
      inspect(config, { depth: 10 }),
      inspect(config, { depth: 10, showHidden: true }),
      format("%o %O %j", config, config, config),
      JSON.stringify(describeConfig(config)),
      inspect(describeConfig(config), { depth: 10 }),
    ];
    for (const surface of surfaces) for (const marker of markers) expect(surface).not.toContain(marker);
    expect(read(config)).toStrictEqual(markers);
    expect(inspect(config, { depth: 10 })).toContain("[redacted]");
  });

  it("config.auth[0].password still returns the password, and spread still works", () => {
    const config = validateConfig({ ...base, auth: { type: "password", password: "SECRET-MARKER-pw" } });
    const first = config.auth[0];
    expect(first.type === "password" && first.password).toBe("SECRET-MARKER-pw");
    expect({ ...config }.auth).toBe(config.auth);
    expect({ ...first }).toStrictEqual({ type: "password", password: "SECRET-MARKER-pw" });
  });
});

describe("validateConfig: issues", () => {
  it("carries every problem as { path, text } too, in the order of `problems`, and leaves toJSON as it was", () => {
    let error: unknown;
    try {
      validateConfig({ host: "h", port: "22", auth: { type: "password" }, proxy: { type: "socks5", host: "p" } });
    } catch (caught) {
      error = caught;
    }
    if (!isSftpConnectorError(error)) throw new Error("expected an SftpConnectorError");
    expect(error.issues.map((issue) => issue.path)).toEqual(["port", "username", "auth.password", "hostKey", "proxy.port"]);
    expect(error.problems).toEqual(error.issues.map((issue) => `${issue.path}: ${issue.text}`));
    expect(error.issues[1]!.text).toMatch(/^required/);
    expect(Object.isFrozen(error.issues) && Object.isFrozen(error.issues[0])).toBe(true);
    expect(error.toJSON()).not.toHaveProperty("issues");
  });
});
