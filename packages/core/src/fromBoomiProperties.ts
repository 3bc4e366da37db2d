// Maps a Boomi SFTP V2 connection's property ids (host, authType, keyPath, hostEntry, proxyType, …) to a validated connection config.

import { CONNECTION_DEFAULTS } from "./ConnectionConfig.js";
import type { AlgorithmProfile, NormalizedConnectionConfig } from "./ConnectionConfig.js";
import { redactSecrets } from "./redactSecrets.js";
import { collectConfigProblems, invalidConfigError, showValue } from "./validateConfig.js";

/** Options of {@link fromBoomiProperties}. */
export interface FromBoomiPropertiesOptions {
  /**
   * Accept any host key when `hostEntry` is blank, as Boomi did (`StrictHostKeyChecking=no`).
   * Without it a blank `hostEntry` is an INVALID_CONFIG problem. A non-blank `hostEntry` is always used.
   * @default false
   */
  insecureAcceptAnyHostKey?: boolean;
  /**
   * The algorithm profile of the config (`algorithms` of the connection). Boomi SFTP V2 (JSch
   * 0.1.55) offered CBC ciphers, hmac-md5 and SHA-1 key exchanges to every server without a
   * switch; pass `"legacy"` to offer them too (after the modern ones) for a server that offers
   * nothing newer. `isMaxExchange` alone adds only the legacy key exchanges (`legacyKex`).
   * @default "default"
   */
  algorithms?: AlgorithmProfile;
}

/** Our field path → the Boomi property id it comes from; used to name both in problem lines. */
const BOOMI_IDS: Readonly<Record<string, string>> = {
  host: "host",
  port: "port",
  username: "username",
  "auth.password": "password",
  "auth.path": "keyPath",
  "auth.passphrase": "keyPswrd",
  "auth.content": "prvkeyContent",
  "auth.publicKey": "pubkeyContent",
  hostKey: "hostEntry",
  "hostKey.knownHosts": "hostEntry",
  legacyKex: "isMaxExchange",
  remoteDirectory: "remoteDirectory",
  pool: "enablePooling",
  "proxy.type": "proxyType",
  "proxy.host": "proxyHost",
  "proxy.port": "proxyPort",
  "proxy.username": "proxyuserName",
  "proxy.password": "proxyPassword",
  "timeouts.connectMs": "connectionTimeout",
  "timeouts.readMs": "readTimeout",
};

/** Boomi's `proxyType` enum names → our proxy types. */
const PROXY_TYPES: Readonly<Record<string, "environment" | "http" | "socks4" | "socks5">> = {
  ATOM: "environment",
  HTTP: "http",
  SOCKS4: "socks4",
  SOCKS5: "socks5",
};

/** Boomi's `authType` value for key auth; every other value means password auth, as in Boomi. */
const PUBLIC_KEY_AUTH = "Using public Key";

interface BoomiProblem {
  path: string;
  /** The Boomi property id shown beside the path, if there is one. */
  id: string | undefined;
  text: string;
}

function label(path: string, id: string | undefined): string {
  return id === undefined ? path : `${path} (Boomi "${id}")`;
}

/** A Boomi text property: absent, null and blank mean "not set"; other values pass through untouched. */
function text(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && value.trim() === "") return undefined;
  return value;
}

/** A Boomi host property: trimmed, blank means "not set". */
function hostText(value: unknown): unknown {
  const set = text(value);
  return typeof set === "string" ? set.trim() : set;
}

/** A Boomi integer property: numbers and digit strings become numbers; blank means "not set"; anything else passes through for validation to report. */
function integer(value: unknown): unknown {
  const set = text(value);
  if (typeof set === "string" && /^\s*[+-]?\d+\s*$/.test(set)) return Number(set);
  return set;
}

/**
 * Maps the connection properties of a Boomi SFTP V2 connection (by property id) to a connection
 * config, then validates it like `validateConfig` does. Unknown ids (and `keyPairName`) are ignored.
 *
 * - `authType` `"Using public Key"` → private key auth (from `keyPath`, or from `prvkeyContent` /
 *   `pubkeyContent` when `useKeyContent` is true; `keyPswrd` is the passphrase for both); any
 *   other value → password auth with `password`.
 * - `host`, `port` (number or string; blank → 22), `username`, `remoteDirectory`.
 * - `hostEntry` (one known_hosts line) → `hostKey.knownHosts`. Blank is a problem, since Boomi then
 *   accepted any host key, unless `options.insecureAcceptAnyHostKey` is true.
 * - `isMaxExchange` → `legacyKex: true`. In Boomi it made JSch offer only
 *   `diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1` and cap
 *   DH group exchange at 1024 bits. Here those three are offered after the modern key exchanges
 *   (group14 first, group1 last), so a modern server still negotiates a modern one; the 1024-bit
 *   cap is not applied (ssh2 cannot express it: it asks for 2048 to 8192 bits, RFC 8270, but takes
 *   whatever group the server sends).
 * - `options.algorithms` → `algorithms` (`"legacy"`: also CBC ciphers, hmac-md5, ssh-dss host keys).
 * - `enablePooling` true → `pool: { max: 10 }`, else `pool: false`.
 * - `proxyEnable` with `proxyType` `ATOM` → `{ type: "environment" }`; `HTTP`, `SOCKS4`, `SOCKS5` →
 *   that proxy with `proxyHost`, `proxyPort`, `proxyuserName`, `proxyPassword`. Boomi silently
 *   skipped an enabled proxy with a blank host or a port ≤ 0; here that is a problem. As in Boomi,
 *   SOCKS4 ignores the user and password, and a password without a user is ignored.
 * - `connectionTimeout`, `readTimeout` (ms; blank → 120000).
 *
 * Booleans may be `true`/`false` or the strings `"true"`/`"false"`. Problem lines name both our
 * field and the Boomi id, e.g. `port (Boomi "port"): expected an integer from 1 to 65535, got 0`.
 *
 * @throws SftpConnectorError INVALID_CONFIG (operation `"fromBoomiProperties"`) listing every problem.
 */
export function fromBoomiProperties(props: Record<string, unknown>, options: FromBoomiPropertiesOptions = {}): NormalizedConnectionConfig {
  if (typeof props !== "object" || props === null || Array.isArray(props)) {
    const issue = { path: "config", text: "expected an object of Boomi connection properties" };
    throw invalidConfigError([`${issue.path}: ${issue.text}`], "fromBoomiProperties", [issue]);
  }
  const own: BoomiProblem[] = [];
  const flag = (id: string, path: string): boolean => {
    const value = props[id];
    if (value === undefined || value === null || typeof value === "boolean") return value === true;
    if (typeof value === "string") {
      const word = value.trim().toLowerCase();
      if (word === "true") return true;
      if (word === "" || word === "false") return false;
    }
    own.push({ path, id, text: `expected true or false, got ${showValue(value)}` });
    return false;
  };

  const host = hostText(props.host);
  const port = integer(props.port) ?? CONNECTION_DEFAULTS.port;
  const config: Record<string, unknown> = { host, port, username: text(props.username) };

  if (props.authType === PUBLIC_KEY_AUTH) {
    const passphrase = text(props.keyPswrd);
    const common = passphrase === undefined ? {} : { passphrase };
    if (flag("useKeyContent", "auth")) {
      const publicKey = text(props.pubkeyContent);
      config.auth = {
        type: "privateKey",
        content: text(props.prvkeyContent) ?? "",
        ...common,
        ...(publicKey === undefined ? {} : { publicKey }),
      };
    } else {
      config.auth = { type: "privateKey", path: text(props.keyPath) ?? "", ...common };
    }
  } else {
    config.auth = { type: "password", password: text(props.password) };
  }

  const hostEntry = text(props.hostEntry);
  if (hostEntry !== undefined) config.hostKey = { knownHosts: typeof hostEntry === "string" ? hostEntry.trim() : hostEntry };
  else if (options.insecureAcceptAnyHostKey === true) config.hostKey = { insecureAcceptAny: true };

  config.legacyKex = flag("isMaxExchange", "legacyKex");
  if (options.algorithms !== undefined) config.algorithms = options.algorithms;
  const remoteDirectory = text(props.remoteDirectory);
  if (remoteDirectory !== undefined) config.remoteDirectory = remoteDirectory;
  config.pool = flag("enablePooling", "pool") ? { max: CONNECTION_DEFAULTS.pool.max } : false;

  if (flag("proxyEnable", "proxy")) {
    const rawType = text(props.proxyType);
    const type = typeof rawType === "string" ? PROXY_TYPES[rawType.trim().toUpperCase()] : undefined;
    if (type === undefined) {
      const expected = 'one of "ATOM", "HTTP", "SOCKS4", "SOCKS5" because proxyEnable is true';
      own.push({
        path: "proxy.type",
        id: "proxyType",
        text: rawType === undefined ? `required; expected ${expected}` : `expected ${expected}, got ${showValue(rawType)}`,
      });
    } else if (type === "environment") {
      config.proxy = { type };
    } else {
      const username = type === "socks4" ? undefined : text(props.proxyuserName);
      const password = username === undefined ? undefined : text(props.proxyPassword);
      config.proxy = {
        type,
        host: hostText(props.proxyHost),
        port: integer(props.proxyPort),
        ...(username === undefined ? {} : { username }),
        ...(password === undefined ? {} : { password }),
      };
    }
  }

  const connectMs = integer(props.connectionTimeout);
  const readMs = integer(props.readTimeout);
  if (connectMs !== undefined || readMs !== undefined) {
    config.timeouts = {
      ...(connectMs === undefined ? {} : { connectMs }),
      ...(readMs === undefined ? {} : { readMs }),
    };
  }

  const { problems, config: normalized } = collectConfigProblems(config);
  const keyscanPort = typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : CONNECTION_DEFAULTS.port;
  const keyscanHost = typeof host === "string" && host !== "" && !/[\s/]/.test(host) ? host : "HOST";
  const keyscan = `ssh-keyscan -p ${keyscanPort} ${keyscanHost}`;
  const issues: BoomiProblem[] = [
    ...own,
    ...problems.map((problem): BoomiProblem => {
      if (problem.path === "hostKey" && config.hostKey === undefined) {
        return {
          path: "hostKey",
          id: "hostEntry",
          text:
            `required. Boomi accepted any host key when "Known Host Entry" was blank; we do not. ` +
            `Set hostEntry to the server's known_hosts line (from "${keyscan}"), or pass { insecureAcceptAnyHostKey: true } to accept any key as Boomi did`,
        };
      }
      return { ...problem, id: BOOMI_IDS[problem.path] };
    }),
  ];
  if (issues.length > 0 || normalized === undefined) {
    const lines = issues.map((problem) => `${label(problem.path, problem.id)}: ${problem.text}`);
    throw invalidConfigError(
      lines,
      "fromBoomiProperties",
      issues.map(({ path, text }) => ({ path, text })),
    );
  }
  return redactSecrets(normalized);
}
