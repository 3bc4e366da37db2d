import { describe, expect, it } from "vitest";
import { isSftpConnectorError } from "@sftp-connector/core";
import { looksLikeBoomiProperties, parseCliConfig, parseConfigText, type ConnectionFlags } from "./parseCliConfig.js";
import { parseProxyUrl, redactProxyUrl } from "./parseProxyUrl.js";
import { isUsageError } from "./UsageError.js";

const FP = `SHA256:${"A".repeat(43)}`;
const KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ";
const LINE = `sftp.example.com ssh-ed25519 ${KEY}`;
const SECRET = "s3cr3t-Pa55!";
const env = { SFTP_PASSWORD: SECRET, KEY_PASS: "phrase-XYZ", EMPTY: "" };

/** parseCliConfig with a fake file system. */
function parse(flags: ConnectionFlags, files: Record<string, string> = {}) {
  return parseCliConfig(flags, {
    env,
    cwd: "/work",
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
      return text;
    },
  });
}

/** The error parse throws, with its full text (message and problems). */
function failure(flags: ConnectionFlags, files: Record<string, string> = {}): { error: Error; text: string } {
  try {
    parse(flags, files);
  } catch (error) {
    const text = `${(error as Error).message}\n${isSftpConnectorError(error) ? error.problems.join("\n") : ""}`;
    return { error: error as Error, text };
  }
  throw new Error("expected parseCliConfig to fail");
}

const PASSWORD_LESS = { type: "password" };
const base: ConnectionFlags = { host: "sftp.example.com", user: "me", "password-env": "SFTP_PASSWORD", fingerprint: [FP] };

describe("parseCliConfig: flags", () => {
  it("builds a config from flags alone, the password from the environment variable", () => {
    const config = parse({ ...base, port: "2222", "remote-dir": "in" });
    expect(config).toMatchObject({ host: "sftp.example.com", port: 2222, username: "me", remoteDirectory: "in", hostKey: { fingerprints: [FP] } });
    expect(config.auth).toEqual([{ type: "password", password: SECRET }]);
    expect(JSON.stringify(config)).not.toContain(SECRET);
  });

  it("a missing password variable is a usage error naming the variable, never a value", () => {
    const { error, text } = failure({ ...base, "password-env": "NOT_SET_VAR" });
    expect(isUsageError(error)).toBe(true);
    expect(text).toContain("--password-env: the environment variable NOT_SET_VAR is not set");
    expect(failure({ ...base, "password-env": "EMPTY" }).text).toContain("EMPTY is empty");
    expect(failure({ ...base, "password-env": "$SFTP_PASSWORD" }).text).toMatch(/name of an environment variable/);
  });

  it("checks the port", () => {
    expect(failure({ ...base, port: "0" }).text).toContain('--port: expected an integer from 1 to 65535, got "0"');
    expect(failure({ ...base, port: "22x" }).error).toSatisfy(isUsageError);
  });

  it("--key with --key-passphrase-env, tried before --password-env; paths resolve against cwd", () => {
    const config = parse({ ...base, key: "keys/id_ed25519", "key-passphrase-env": "KEY_PASS" });
    expect(config.auth).toEqual([
      { type: "privateKey", path: "/work/keys/id_ed25519", passphrase: "phrase-XYZ" },
      { type: "password", password: SECRET },
    ]);
    expect(JSON.stringify(config)).not.toMatch(/phrase-XYZ|s3cr3t/);
  });

  it("--key-passphrase-env without a key is a usage error", () => {
    expect(failure({ ...base, "key-passphrase-env": "KEY_PASS" }).text).toMatch(/no private key to use it with/);
  });

  it("host key flags: known_hosts lines (a bare 'type key' applies to any host), file, fingerprints; or the opt-out", () => {
    const config = parse({ ...base, fingerprint: [FP], "host-key": [LINE, `ssh-ed25519 ${KEY}`], "known-hosts": "kh" });
    expect(config.hostKey).toEqual({ knownHosts: `${LINE}\n* ssh-ed25519 ${KEY}`, knownHostsFile: "/work/kh", fingerprints: [FP], insecureAcceptAny: false });
    expect(parse({ ...base, fingerprint: undefined, "insecure-accept-any-host-key": true }).hostKey).toEqual({ insecureAcceptAny: true });
    expect(failure({ ...base, "insecure-accept-any-host-key": true }).text).toMatch(/cannot be combined/);
  });

  it("an invalid fingerprint is INVALID_CONFIG naming the field", () => {
    const { error, text } = failure({ ...base, fingerprint: ["MD5:aa"] });
    expect(isSftpConnectorError(error) && error.reason).toBe("INVALID_CONFIG");
    expect(text).toContain("hostKey.fingerprints[0]");
  });

  it("with nothing given, names every missing field and the flag that sets it, and no secret", () => {
    const { error, text } = failure({ "password-env": "SFTP_PASSWORD" });
    expect(isSftpConnectorError(error) && error.reason).toBe("INVALID_CONFIG");
    expect(text).toContain("(command line: --host HOST)");
    expect(text).toContain("(command line: --user USER)");
    expect(text).toContain("--insecure-accept-any-host-key");
    expect(text).not.toContain(SECRET);
  });

  it("hints by field path: a missing field gets its flag, a wrong one none; the hinted error keeps core's issues", () => {
    const { error } = failure(
      { config: "c.json" },
      { "/work/c.json": JSON.stringify({ host: "h", username: "", proxy: { type: "jump", host: "j", username: "u", auth: PASSWORD_LESS } }) },
    );
    if (!isSftpConnectorError(error)) throw new Error("expected an SftpConnectorError");
    expect(error.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(["username", "auth", "hostKey", "proxy.auth.password"]));
    expect(error.problems.find((line) => line.startsWith("username:"))).not.toContain("(command line:");
    expect(error.problems.find((line) => line.startsWith("auth:"))).toMatch(/\(command line: --password-env VAR or --key PATH\)$/);
    expect(error.problems.find((line) => line.startsWith("proxy.auth.password:"))).not.toContain("(command line:");
  });
});

describe("parseCliConfig: --proxy", () => {
  it("reads http, socks4, socks4a and socks5 URLs", () => {
    expect(parseProxyUrl("http://proxy.local:3128")).toEqual({ type: "http", host: "proxy.local", port: 3128 });
    expect(parseProxyUrl("http://u:p%40ss@proxy.local:80")).toEqual({ type: "http", host: "proxy.local", port: 80, username: "u", password: "p@ss" });
    expect(parseProxyUrl("socks4://10.0.0.1:1080")).toEqual({ type: "socks4", host: "10.0.0.1", port: 1080 });
    expect(parseProxyUrl("socks4a://user@h:1080")).toEqual({ type: "socks4a", host: "h", port: 1080, username: "user" });
    expect(parseProxyUrl("socks5://alice:wonder%20land@[::1]:1080/")).toEqual({
      type: "socks5",
      host: "::1",
      port: 1080,
      username: "alice",
      password: "wonder land",
    });
    expect(parseProxyUrl("socks5h://h:9050")).toMatchObject({ type: "socks5" });
    expect(parseProxyUrl("env")).toEqual({ type: "environment" });
  });

  it("refuses other forms without ever showing the password", () => {
    const cases: Array<[string, RegExp]> = [
      ["https://u:hunter2@h:443", /HTTPS proxies are not supported/],
      ["ftp://h:21", /unsupported scheme "ftp"/],
      ["socks4://u:hunter2@h:1080", /take no password/],
      ["socks5://:hunter2@h:1080", /needs a user name/],
      ["http://u:hunter2@h", /port is missing/],
      ["http://u:hunter2@h:8080/path", /only \[user:pass@\]host:port/],
      ["hunter2", /expected a URL/],
    ];
    for (const [url, expected] of cases) {
      let message = "";
      try {
        parseProxyUrl(url);
      } catch (error) {
        expect(isUsageError(error)).toBe(true);
        message = (error as Error).message;
      }
      expect(message).toMatch(expected);
      expect(message).not.toContain("hunter2");
    }
    expect(redactProxyUrl("socks5://u:hunter2@h:1080")).toBe("socks5://u:***@h:1080");
  });

  it("goes into the config, and the proxy password never prints", () => {
    const config = parse({ ...base, proxy: "socks5://bob:pr0xy-pw@127.0.0.1:1080" });
    expect(config.proxy).toEqual({ type: "socks5", host: "127.0.0.1", port: 1080, username: "bob", password: "pr0xy-pw" });
    expect(JSON.stringify(config)).not.toContain("pr0xy-pw");
  });
});

describe("parseCliConfig: --config files", () => {
  const ours = {
    host: "file.example.com",
    port: 2022,
    username: "filer",
    auth: { type: "password", password: "from-file-pw" },
    hostKey: { knownHosts: LINE },
    remoteDirectory: "/data",
    retry: { attempts: 2 },
  };

  it("reads our shape from JSON", () => {
    const config = parse({ config: "sftp.json" }, { "/work/sftp.json": JSON.stringify(ours) });
    expect(config).toMatchObject({ host: "file.example.com", port: 2022, username: "filer", remoteDirectory: "/data", retry: { attempts: 2 } });
    expect(config.auth).toEqual([{ type: "password", password: "from-file-pw" }]);
  });

  it("reads our shape from YAML", () => {
    const yaml = [
      "host: file.example.com",
      "username: filer",
      "auth:",
      "  type: password",
      "  password: from-yaml-pw",
      "hostKey:",
      `  fingerprints: ["${FP}"]`,
      "",
    ].join("\n");
    const config = parse({ config: "/etc/sftp.yaml" }, { "/etc/sftp.yaml": yaml });
    expect(config).toMatchObject({ host: "file.example.com", port: 22, hostKey: { fingerprints: [FP] } });
    expect(config.auth).toEqual([{ type: "password", password: "from-yaml-pw" }]);
  });

  it("flags override the file: host, port, user, auth, host key, proxy, remote directory", () => {
    const config = parse(
      {
        config: "sftp.json",
        host: "flag.example.com",
        port: "2200",
        user: "flagger",
        "password-env": "SFTP_PASSWORD",
        "insecure-accept-any-host-key": true,
        "remote-dir": "out",
        proxy: "http://p:3128",
      },
      { "/work/sftp.json": JSON.stringify(ours) },
    );
    expect(config).toMatchObject({
      host: "flag.example.com",
      port: 2200,
      username: "flagger",
      remoteDirectory: "out",
      hostKey: { insecureAcceptAny: true },
      proxy: { type: "http", host: "p", port: 3128 },
    });
    expect(config.auth).toEqual([{ type: "password", password: SECRET }]);
    expect(config.retry.attempts).toBe(2);
  });

  it("--key-passphrase-env sets the passphrase of the file's private key", () => {
    const file = {
      ...ours,
      auth: [
        { type: "privateKey", path: "/keys/id" },
        { type: "password", password: "x" },
      ],
    };
    const config = parse({ config: "c.json", "key-passphrase-env": "KEY_PASS" }, { "/work/c.json": JSON.stringify(file) });
    expect(config.auth).toEqual([
      { type: "privateKey", path: "/keys/id", passphrase: "phrase-XYZ" },
      { type: "password", password: "x" },
    ]);
  });

  it("a file field that is wrong is INVALID_CONFIG naming it (unknown fields too)", () => {
    const { error, text } = failure({ config: "c.json" }, { "/work/c.json": JSON.stringify({ ...ours, prot: 22 }) });
    expect(isSftpConnectorError(error) && error.reason).toBe("INVALID_CONFIG");
    expect(text).toMatch(/prot: unknown field; did you mean port\?/);
  });

  it("a syntax error names the line, never the file's text", () => {
    const yaml = "host: h\npassword: leaked-pw\n  bad: [indent\n";
    const { error, text } = failure({ config: "bad.yaml" }, { "/work/bad.yaml": yaml });
    expect(isUsageError(error)).toBe(true);
    expect(text).toMatch(/--config bad\.yaml: not valid JSON or YAML at line \d+, column \d+/);
    expect(text).not.toContain("leaked-pw");
  });

  it("an unreadable file or a non-object is a usage error", () => {
    expect(failure({ config: "missing.json" }).text).toContain("--config: cannot read 'missing.json' (ENOENT)");
    expect(failure({ config: "list.json" }, { "/work/list.json": "[1, 2]" }).text).toMatch(/expected an object/);
  });
});

describe("parseCliConfig: Boomi properties", () => {
  const boomi = {
    host: "boomi.example.com",
    port: "2222",
    username: "atom",
    authType: "Username and Password",
    password: "boomi-pw",
    hostEntry: LINE,
    remoteDirectory: "/inbox",
    enablePooling: "true",
    connectionTimeout: "5000",
  };

  it("tells Boomi properties from our shape by their ids", () => {
    expect(looksLikeBoomiProperties(boomi)).toBe(true);
    expect(looksLikeBoomiProperties({ host: "h", keyPswrd: "x" })).toBe(true);
    expect(looksLikeBoomiProperties({ host: "h", password: "x" })).toBe(true);
    expect(looksLikeBoomiProperties({ host: "h", auth: { type: "password", password: "x" } })).toBe(false);
    expect(parseConfigText(JSON.stringify({ boomi, options: { insecureAcceptAnyHostKey: true } }), "f").kind).toBe("boomi");
  });

  it("maps them (JSON or YAML), and flags override them", () => {
    const yaml = Object.entries(boomi)
      .map(([k, v]) => `${k}: "${v}"`)
      .join("\n");
    const fromYaml = parse({ config: "boomi.yaml" }, { "/work/boomi.yaml": yaml });
    expect(fromYaml).toMatchObject({
      host: "boomi.example.com",
      port: 2222,
      username: "atom",
      remoteDirectory: "/inbox",
      hostKey: { knownHosts: LINE },
      timeouts: { connectMs: 5000 },
    });
    expect(fromYaml.auth).toEqual([{ type: "password", password: "boomi-pw" }]);

    const overridden = parse(
      { config: "boomi.json", host: "other.example.com", "password-env": "SFTP_PASSWORD", fingerprint: [FP] },
      { "/work/boomi.json": JSON.stringify(boomi) },
    );
    expect(overridden).toMatchObject({ host: "other.example.com", port: 2222, hostKey: { fingerprints: [FP] } });
    expect(overridden.auth).toEqual([{ type: "password", password: SECRET }]);
  });

  it("flags can supply what the properties leave blank (password, host key)", () => {
    const props = { ...boomi, password: "", hostEntry: "" };
    const config = parse({ config: "b.json", "password-env": "SFTP_PASSWORD", "host-key": [LINE] }, { "/work/b.json": JSON.stringify(props) });
    expect(config.auth).toEqual([{ type: "password", password: SECRET }]);
    expect(config.hostKey).toMatchObject({ knownHosts: LINE });
  });

  it("maps key auth, with --key-passphrase-env as keyPswrd", () => {
    const props = { host: "h", username: "u", authType: "Using public Key", keyPath: "/keys/id_rsa", hostEntry: LINE };
    const config = parse({ config: "b.json", "key-passphrase-env": "KEY_PASS" }, { "/work/b.json": JSON.stringify(props) });
    expect(config.auth).toEqual([{ type: "privateKey", path: "/keys/id_rsa", passphrase: "phrase-XYZ" }]);
  });

  it("a blank hostEntry is refused, with the flags that fix it; secrets never show", () => {
    const props = {
      ...boomi,
      hostEntry: "",
      proxyEnable: true,
      proxyType: "SOCKS5",
      proxyHost: "p",
      proxyPort: 0,
      proxyuserName: "pu",
      proxyPassword: "proxy-pw",
    };
    const { error, text } = failure({ config: "b.json" }, { "/work/b.json": JSON.stringify(props) });
    expect(isSftpConnectorError(error) && error.reason).toBe("INVALID_CONFIG");
    expect(text).toContain('hostKey (Boomi "hostEntry"): required');
    expect(text).toContain("--insecure-accept-any-host-key");
    expect(text).toContain('proxy.port (Boomi "proxyPort")');
    expect(text).not.toMatch(/boomi-pw|proxy-pw/);
  });

  it("accepts { boomi, options } with Boomi's accept-any-host-key option", () => {
    const config = parse(
      { config: "b.json" },
      { "/work/b.json": JSON.stringify({ boomi: { ...boomi, hostEntry: "" }, options: { insecureAcceptAnyHostKey: true } }) },
    );
    expect(config.hostKey).toEqual({ insecureAcceptAny: true });
  });
});

describe("parseCliConfig: secrets named by environment variable in the config file", () => {
  const yaml = [
    "host: sftp.example.com",
    "username: me",
    "auth:",
    "  - { type: privateKey, path: /keys/id_ed25519, passphraseEnv: KEY_PASS }",
    "  - { type: password, passwordEnv: SFTP_PASSWORD }",
    `hostKey: { fingerprints: ["${FP}"] }`,
    "proxy: { type: http, host: 127.0.0.1, port: 3128, username: p, passwordEnv: SFTP_PASSWORD }",
  ].join("\n");

  it("reads passwordEnv, passphraseEnv and proxy passwordEnv from the environment", () => {
    const config = parse({ config: "sftp.yaml" }, { "/work/sftp.yaml": yaml });
    expect(config.auth).toEqual([
      expect.objectContaining({ type: "privateKey", path: "/keys/id_ed25519", passphrase: "phrase-XYZ" }),
      expect.objectContaining({ type: "password", password: SECRET }),
    ]);
    expect(config.proxy).toMatchObject({ username: "p", password: SECRET });
  });

  it("a jump host's own auth names its secret by variable too", () => {
    const jump = `host: h\nusername: u\nauth: { type: password, passwordEnv: SFTP_PASSWORD }\nhostKey: { insecureAcceptAny: true }\nproxy:\n  type: jump\n  host: bastion\n  username: j\n  auth: { type: privateKey, path: /k, passphraseEnv: NOPE }\n  hostKey: { insecureAcceptAny: true }\n`;
    expect(failure({ config: "c.yaml" }, { "/work/c.yaml": jump }).text).toContain("proxy.auth.passphraseEnv: the environment variable NOPE is not set");
    const config = parse({ config: "c.yaml" }, { "/work/c.yaml": jump.replace("NOPE", "KEY_PASS") });
    expect(JSON.stringify(config.proxy)).not.toContain("passphraseEnv");
  });

  it("a single auth object works too", () => {
    const config = parse(
      { config: "c.yaml" },
      { "/work/c.yaml": `host: h\nusername: u\nauth: { type: password, passwordEnv: SFTP_PASSWORD }\nhostKey: { insecureAcceptAny: true }\n` },
    );
    expect(config.auth).toEqual([expect.objectContaining({ type: "password", password: SECRET })]);
  });

  it("a missing or empty variable is INVALID_CONFIG naming the field and the variable, never a value", () => {
    const missing = failure({ config: "c.yaml" }, { "/work/c.yaml": yaml.replace("passwordEnv: SFTP_PASSWORD }\nhostKey", "passwordEnv: NOPE_PW }\nhostKey") });
    expect(isSftpConnectorError(missing.error) && missing.error.reason).toBe("INVALID_CONFIG");
    expect(missing.text).toContain("auth[1].passwordEnv: the environment variable NOPE_PW is not set");
    const empty = failure({ config: "c.yaml" }, { "/work/c.yaml": yaml.replace("username: p, passwordEnv: SFTP_PASSWORD", "username: p, passwordEnv: EMPTY") });
    expect(empty.text).toContain("proxy.passwordEnv: the environment variable EMPTY is empty");
    const both = failure({ config: "c.yaml" }, { "/work/c.yaml": yaml.replace("passphraseEnv: KEY_PASS", "passphraseEnv: KEY_PASS, passphrase: inline") });
    expect(both.text).toContain("auth[0].passphraseEnv: auth[0].passphrase is given too; give one");
    for (const { text } of [missing, empty, both]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("phrase-XYZ");
    }
  });
});

describe("parseCliConfig: the READMEs' sftp.yaml", () => {
  it("the facade README's validates, its secrets read from the variables it names", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const yaml = /A config file \(`--config sftp\.yaml`\)[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeDefined();
    const config = parseCliConfig(
      { config: "sftp.yaml" },
      {
        env: { SFTP_PASSWORD: SECRET, SFTP_KEY_PASSPHRASE: "phrase-XYZ", SFTP_PROXY_PASSWORD: "proxy-pw-1" },
        cwd: "/work",
        readFile: () => yaml!.replace("SHA256:…", FP),
      },
    );
    expect(config.proxy).toMatchObject({ type: "http", password: "proxy-pw-1" });
    expect(config.auth).toHaveLength(2);
  });

  it("the root README's is a complete config that validates, its secrets read from the variables it names", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
    const yaml = /A complete `sftp\.yaml`[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeDefined();
    const config = parseCliConfig(
      { config: "sftp.yaml" },
      {
        env: { SFTP_PASSWORD: SECRET, SFTP_KEY_PASSPHRASE: "phrase-XYZ", SFTP_PROXY_PASSWORD: "proxy-pw-1" },
        cwd: "/work",
        readFile: () => yaml!.replace("SHA256:…", FP),
      },
    );
    expect(config).toMatchObject({
      host: "sftp.example.com",
      username: "etl",
      remoteDirectory: "/data",
      proxy: { type: "socks5", username: "etl", password: "proxy-pw-1" },
    });
    expect(config.auth).toEqual([
      expect.objectContaining({ type: "privateKey", passphrase: "phrase-XYZ" }),
      expect.objectContaining({ type: "password", password: SECRET }),
    ]);
  });
});
