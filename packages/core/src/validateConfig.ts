// Validates a connection config once, at the edge: lists every problem, fills defaults, returns a fresh config whose secrets never print.
import { editDistance } from "./checkOptions.js";
import { SftpConnectorError } from "./SftpConnectorError.js";
import { redactSecrets } from "./redactSecrets.js";
import { CONNECTION_DEFAULTS } from "./ConnectionConfig.js";
import type {
  AlgorithmOptions,
  AlgorithmProfile,
  AuthMethod,
  AuthType,
  NormalizedConnectionConfig,
  NormalizedHostConnectionConfig,
  NormalizedHostKey,
  NormalizedPoolOptions,
  NormalizedProxy,
  NormalizedRetryOptions,
  NormalizedTimeouts,
  ProxyServer,
} from "./ConnectionConfig.js";

/**
 * One config problem: the field path (`auth[1].type`) and what was expected.
 * @internal Used by `fromBoomiProperties` to add Boomi property ids to the path.
 */
export interface ConfigProblem {
  /** Field path, e.g. `proxy.port`. */
  path: string;
  /** What was expected (and, for non-secret fields, what was found). */
  text: string;
}

type Obj = Record<string, unknown>;

/** Largest delay Node timers accept; larger values would fire after 1 ms. */
const MAX_MS = 2_147_483_647;
/** How many jump hosts may be chained. */
const MAX_JUMP_DEPTH = 4;
/** Longest echoed value. */
const MAX_SHOWN = 60;

const AUTH_TYPES: readonly AuthType[] = ["password", "privateKey", "agent", "keyboardInteractive"];
const AUTH_FIELDS: Readonly<Record<AuthType, readonly string[]>> = {
  password: ["type", "password"],
  privateKey: ["type", "path", "content", "passphrase", "publicKey"],
  agent: ["type", "socket"],
  keyboardInteractive: ["type", "password", "responses"],
};
const ALL_AUTH_FIELDS: ReadonlySet<string> = new Set(Object.values(AUTH_FIELDS).flat());
const PROXY_TYPES = ["http", "socks4", "socks4a", "socks5", "environment", "jump"] as const;
const PROXY_SERVER_FIELDS = ["type", "host", "port", "username", "password"];
const HOP_FIELDS = ["host", "port", "username", "auth", "hostKey", "proxy", "timeouts", "keepaliveIntervalMs", "legacyKex", "algorithms"];
const TOP_ONLY_FIELDS = ["remoteDirectory", "pool", "retry"];
const TOP_FIELDS = [...HOP_FIELDS, ...TOP_ONLY_FIELDS];
const ALGORITHM_FIELDS = ["kex", "cipher", "serverHostKey", "hmac", "compress"] as const;
const ALGORITHM_PROFILES: readonly AlgorithmProfile[] = ["default", "legacy"];
const HOST_KEY_FIELDS = ["knownHosts", "knownHostsFile", "fingerprints", "insecureAcceptAny"];

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;
/** `[@marker] <hosts> <key type> <base64 key> [comment]` */
const KNOWN_HOSTS_LINE = /^(?:@[A-Za-z-]+\s+)?\S+\s+(\S+)\s+[A-Za-z0-9+/]{16,}={0,2}(?:\s.*)?$/;
const LOOKS_LIKE_PRIVATE_KEY = /-----BEGIN|PRIVATE KEY|PuTTY-User-Key-File/;
const URL_USERINFO = /([^\s/@:]+):[^\s/@]+@/g;

const EXPECT = {
  host: "a host name or IP address (a non-empty string without spaces)",
  port: "an integer from 1 to 65535",
  nonEmpty: "a non-empty string",
  string: "a string",
  boolean: "true or false",
  timeoutMs: `an integer from 0 to ${MAX_MS} (milliseconds; 0 = no limit)`,
  ms: `an integer from 0 to ${MAX_MS} (milliseconds)`,
};

/** "a string", "an object", … : the kind of a value, which never reveals the value itself. @internal */
export function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  switch (typeof value) {
    case "string":
      return value === "" ? "an empty string" : "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "bigint":
      return "a bigint";
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    default:
      return "an object";
  }
}

/**
 * A short, safe rendering of a NON-secret value for a problem message: strings quoted and cut to
 * 60 characters (URL passwords and anything that looks like a private key are hidden), numbers and
 * booleans as they are, objects and arrays by kind only.
 * @internal
 */
export function showValue(value: unknown): string {
  if (typeof value === "string") {
    if (LOOKS_LIKE_PRIVATE_KEY.test(value)) return "a private key (not shown)";
    let text = value.replace(URL_USERINFO, "$1:[redacted]@");
    if (text.length > MAX_SHOWN) text = `${text.slice(0, MAX_SHOWN - 1)}…`;
    return JSON.stringify(text);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  return kindOf(value);
}

/** The candidate the user probably meant: same letters ignoring case, or one or two typos away (unambiguous). */
function suggest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameCase = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance, tie] = [candidate, distance, false];
    else if (distance === bestDistance) tie = true;
  }
  if (best === undefined || tie) return undefined;
  return bestDistance <= 2 && bestDistance < Math.min(name.length, best.length) / 2 ? best : undefined;
}

function oneOf(values: readonly string[]): string {
  return `one of ${values.map((value) => JSON.stringify(value)).join(", ")}`;
}

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/** Collects problems while the config is walked. */
class Problems {
  readonly list: ConfigProblem[] = [];

  add(path: string, text: string): void {
    this.list.push({ path, text });
  }

  /** `path: required; expected X` when missing, else `path: expected X, got <value or, for secrets, its kind>`. */
  expected(path: string, expected: string, value: unknown, secret = false, hint = ""): void {
    if (value === undefined) this.add(path, `required; expected ${expected}${hint}`);
    else this.add(path, `expected ${expected}, got ${secret ? kindOf(value) : showValue(value)}${hint}`);
  }

  /** Reports every enumerable key of `object` that is not in `allowed` (keys set to `undefined` are ignored). */
  unknownKeys(object: Obj, prefix: string, allowed: readonly string[], describe?: (key: string) => string | undefined): void {
    for (const key of Object.keys(object)) {
      if (allowed.includes(key) || object[key] === undefined) continue;
      const special = describe?.(key);
      if (special !== undefined) {
        this.add(join(prefix, key), special);
        continue;
      }
      const guess = suggest(key, allowed);
      this.add(join(prefix, key), `unknown field${guess === undefined ? "" : `; did you mean ${guess}?`}`);
    }
  }
}

function checkHost(p: Problems, value: unknown, path: string): string | undefined {
  if (typeof value === "string" && value !== "" && !/\s/.test(value)) {
    if (value.includes("/")) {
      p.add(path, `expected a host name or IP address, not a URL or path, got ${showValue(value)}`);
      return undefined;
    }
    return value;
  }
  p.expected(path, EXPECT.host, value);
  return undefined;
}

function checkPort(p: Problems, value: unknown, path: string): number | undefined {
  if (isIntIn(value, 1, 65535)) return value;
  p.expected(path, EXPECT.port, value);
  return undefined;
}

function checkNonEmpty(p: Problems, value: unknown, path: string, expected: string, secret = false): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  p.expected(path, expected, value, secret);
  return undefined;
}

function checkInt(p: Problems, value: unknown, path: string, fallback: number, min: number, max: number, expected: string): number {
  if (value === undefined) return fallback;
  if (isIntIn(value, min, max)) return value;
  p.expected(path, expected, value);
  return fallback;
}

function checkBoolean(p: Problems, value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  p.expected(path, EXPECT.boolean, value);
  return fallback;
}

function checkAuthMethod(p: Problems, value: unknown, path: string): AuthMethod | undefined {
  if (!isObj(value)) {
    p.expected(path, "an auth method object", value, true);
    return undefined;
  }
  const type = value.type;
  if (typeof type !== "string" || !(AUTH_TYPES as readonly string[]).includes(type)) {
    const guess = typeof type === "string" ? suggest(type, AUTH_TYPES) : undefined;
    p.expected(`${path}.type`, oneOf(AUTH_TYPES), type, false, guess === undefined ? "" : `; did you mean "${guess}"?`);
    return undefined;
  }
  const authType = type as AuthType;
  const fields = AUTH_FIELDS[authType];
  p.unknownKeys(value, path, fields, (key) =>
    ALL_AUTH_FIELDS.has(key) ? `not a field of auth type "${authType}" (its fields: ${fields.join(", ")})` : undefined,
  );
  const at = (key: string): string => `${path}.${key}`;

  switch (authType) {
    case "password": {
      const password = checkNonEmpty(p, value.password, at("password"), EXPECT.nonEmpty, true);
      return password === undefined ? undefined : { type: "password", password };
    }
    case "privateKey": {
      const hasPath = value.path !== undefined;
      const hasContent = value.content !== undefined;
      if (hasPath === hasContent) {
        p.add(path, `expected exactly one of ${at("path")} or ${at("content")} for auth type "privateKey", got ${hasPath ? "both" : "neither"}`);
      }
      const keyPath = hasPath ? checkNonEmpty(p, value.path, at("path"), `${EXPECT.nonEmpty} (the private key file path)`) : undefined;
      const content = hasContent ? checkNonEmpty(p, value.content, at("content"), `${EXPECT.nonEmpty} (the private key text)`, true) : undefined;
      let passphrase: string | undefined;
      if (value.passphrase !== undefined) {
        if (typeof value.passphrase === "string") passphrase = value.passphrase;
        else p.expected(at("passphrase"), EXPECT.string, value.passphrase, true);
      }
      const publicKey =
        value.publicKey === undefined ? undefined : checkNonEmpty(p, value.publicKey, at("publicKey"), `${EXPECT.nonEmpty} (the public key text)`);
      const common = {
        ...(passphrase === undefined ? {} : { passphrase }),
        ...(publicKey === undefined ? {} : { publicKey }),
      };
      if (keyPath !== undefined && !hasContent) return { type: "privateKey", path: keyPath, ...common };
      if (content !== undefined && !hasPath) return { type: "privateKey", content, ...common };
      return undefined;
    }
    case "agent": {
      if (value.socket === undefined) return { type: "agent" };
      const socket = checkNonEmpty(p, value.socket, at("socket"), `${EXPECT.nonEmpty} (the agent socket path)`);
      return socket === undefined ? undefined : { type: "agent", socket };
    }
    case "keyboardInteractive": {
      const hasPassword = value.password !== undefined;
      const hasResponses = value.responses !== undefined;
      if (hasPassword === hasResponses) {
        p.add(
          path,
          `expected exactly one of ${at("password")} or ${at("responses")} for auth type "keyboardInteractive", got ${hasPassword ? "both" : "neither"}`,
        );
      }
      if (hasPassword) {
        const password = checkNonEmpty(p, value.password, at("password"), EXPECT.nonEmpty, true);
        return password === undefined || hasResponses ? undefined : { type: "keyboardInteractive", password };
      }
      if (!hasResponses) return undefined;
      const responses = value.responses;
      if (!Array.isArray(responses) || responses.length === 0) {
        p.expected(at("responses"), "a non-empty array of strings (one answer per prompt)", responses, true);
        return undefined;
      }
      let ok = true;
      responses.forEach((answer: unknown, index) => {
        if (typeof answer !== "string") {
          p.expected(`${at("responses")}[${index}]`, EXPECT.string, answer, true);
          ok = false;
        }
      });
      return ok ? { type: "keyboardInteractive", responses: [...(responses as string[])] } : undefined;
    }
  }
}

function checkAuth(p: Problems, value: unknown, path: string): [AuthMethod, ...AuthMethod[]] | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      p.add(path, "expected at least one auth method, got an empty array");
      return undefined;
    }
    const methods = value.map((method: unknown, index) => checkAuthMethod(p, method, `${path}[${index}]`));
    return methods.every((method) => method !== undefined) ? (methods as [AuthMethod, ...AuthMethod[]]) : undefined;
  }
  if (isObj(value)) {
    const method = checkAuthMethod(p, value, path);
    return method === undefined ? undefined : [method];
  }
  p.expected(path, 'an auth method object (e.g. { type: "password", password }) or a non-empty array of them', value, true);
  return undefined;
}

function keyscanHint(host: string | undefined, port: number | undefined): string {
  return `ssh-keyscan -p ${port ?? CONNECTION_DEFAULTS.port} ${host ?? "HOST"}`;
}

function checkKnownHosts(p: Problems, value: unknown, path: string, keyscan: string): string | undefined {
  const expected = `known_hosts lines ("<host> <key type> <base64 key>") as printed by "${keyscan}"`;
  if (typeof value !== "string" || value.trim() === "") {
    p.expected(path, expected, value);
    return undefined;
  }
  let lines = 0;
  let ok = true;
  value.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    lines++;
    const match = KNOWN_HOSTS_LINE.exec(line);
    if (match === null || (match[1] ?? "").startsWith("AAAA")) {
      p.add(path, `line ${index + 1}: expected "<host> <key type> <base64 key>" as printed by "${keyscan}", got ${showValue(line)}`);
      ok = false;
    }
  });
  if (lines === 0) {
    p.add(path, `expected at least one known_hosts line ("<host> <key type> <base64 key>") as printed by "${keyscan}", got only blank or comment lines`);
    return undefined;
  }
  return ok ? value : undefined;
}

function checkHostKey(p: Problems, value: unknown, path: string, host: string | undefined, port: number | undefined): NormalizedHostKey | undefined {
  const keyscan = keyscanHint(host, port);
  const required =
    `required. Pin the server's key with ${path}.knownHosts (a line from "${keyscan}"), ${path}.knownHostsFile ` +
    `or ${path}.fingerprints ["SHA256:..."] (from "${keyscan} | ssh-keygen -lf -"), or opt out with ${path}: { insecureAcceptAny: true }`;
  if (value === undefined) {
    p.add(path, required);
    return undefined;
  }
  if (!isObj(value)) {
    p.expected(path, 'an object such as { knownHosts: "<host> <key type> <base64 key>" } or { insecureAcceptAny: true }', value);
    return undefined;
  }
  const before = p.list.length;
  p.unknownKeys(value, path, HOST_KEY_FIELDS);
  const at = (key: string): string => `${path}.${key}`;

  const insecure = value.insecureAcceptAny;
  if (insecure !== undefined && typeof insecure !== "boolean") p.expected(at("insecureAcceptAny"), EXPECT.boolean, insecure);

  const knownHosts = value.knownHosts === undefined ? undefined : checkKnownHosts(p, value.knownHosts, at("knownHosts"), keyscan);
  const knownHostsFile =
    value.knownHostsFile === undefined
      ? undefined
      : checkNonEmpty(p, value.knownHostsFile, at("knownHostsFile"), `${EXPECT.nonEmpty} (a known_hosts file path)`);

  let fingerprints: string[] | undefined;
  const rawFingerprints = value.fingerprints;
  if (rawFingerprints !== undefined) {
    if (!Array.isArray(rawFingerprints)) {
      p.expected(at("fingerprints"), 'an array of fingerprints like "SHA256:<43 base64 characters>"', rawFingerprints);
    } else {
      rawFingerprints.forEach((fingerprint: unknown, index) => {
        if (typeof fingerprint !== "string" || !FINGERPRINT.test(fingerprint)) {
          p.expected(
            `${at("fingerprints")}[${index}]`,
            `"SHA256:" followed by 43 base64 characters (as printed by "${keyscan} | ssh-keygen -lf -")`,
            fingerprint,
          );
        }
      });
      if (rawFingerprints.length > 0) fingerprints = [...(rawFingerprints as string[])];
    }
  }

  const pinned = value.knownHosts !== undefined || value.knownHostsFile !== undefined || (Array.isArray(rawFingerprints) && rawFingerprints.length > 0);
  if (insecure === true) {
    if (pinned) p.add(at("insecureAcceptAny"), "cannot be combined with knownHosts, knownHostsFile or fingerprints; remove one or the other");
    return p.list.length === before ? { insecureAcceptAny: true } : undefined;
  }
  if (!pinned) {
    // Nothing pinned (an empty fingerprint list pins nothing) and no opt-out: report unless another problem already explains it.
    if (p.list.length === before) p.add(path, required);
    return undefined;
  }
  if (p.list.length !== before) return undefined;
  return {
    ...(knownHosts === undefined ? {} : { knownHosts }),
    ...(knownHostsFile === undefined ? {} : { knownHostsFile }),
    ...(fingerprints === undefined ? {} : { fingerprints }),
    insecureAcceptAny: false,
  };
}

function checkProxy(p: Problems, value: unknown, path: string, depth: number): NormalizedProxy | undefined {
  if (!isObj(value)) {
    p.expected(path, `a proxy object with type ${oneOf(PROXY_TYPES)}`, value, true);
    return undefined;
  }
  const type = value.type;
  if (typeof type !== "string" || !(PROXY_TYPES as readonly string[]).includes(type)) {
    const guess = typeof type === "string" ? suggest(type, PROXY_TYPES) : undefined;
    p.expected(`${path}.type`, oneOf(PROXY_TYPES), type, false, guess === undefined ? "" : `; did you mean "${guess}"?`);
    return undefined;
  }
  if (type === "environment") {
    p.unknownKeys(value, path, ["type"]);
    return { type: "environment" };
  }
  if (type === "jump") {
    if (depth >= MAX_JUMP_DEPTH) {
      p.add(path, `jump hosts may be nested at most ${MAX_JUMP_DEPTH} deep`);
      return undefined;
    }
    p.unknownKeys(value, path, ["type", ...HOP_FIELDS], (key) =>
      TOP_ONLY_FIELDS.includes(key) ? "not used for a jump host; set it on the top-level config" : undefined,
    );
    const hop = checkHop(p, value, path, depth + 1);
    return hop === undefined ? undefined : { type: "jump", ...hop };
  }
  const proxyType = type as ProxyServer["type"];
  p.unknownKeys(value, path, PROXY_SERVER_FIELDS);
  const at = (key: string): string => `${path}.${key}`;
  const before = p.list.length;
  const host = checkHost(p, value.host, at("host"));
  const port = checkPort(p, value.port, at("port"));
  const username = value.username === undefined ? undefined : checkNonEmpty(p, value.username, at("username"), EXPECT.nonEmpty);
  const password = value.password;
  if (password !== undefined) {
    if (typeof password !== "string") p.expected(at("password"), EXPECT.string, password, true);
    else if (proxyType === "socks4" || proxyType === "socks4a") p.add(at("password"), `not supported by ${proxyType} proxies; use socks5 for a password`);
    else if (value.username === undefined) p.add(at("password"), `needs ${at("username")}`);
  }
  if (p.list.length !== before || host === undefined || port === undefined) return undefined;
  return {
    type: proxyType,
    host,
    port,
    ...(username === undefined ? {} : { username }),
    ...(typeof password === "string" ? { password } : {}),
  };
}

function checkTimeouts(p: Problems, value: unknown, path: string): NormalizedTimeouts {
  const defaults = CONNECTION_DEFAULTS.timeouts;
  if (value === undefined) return { ...defaults };
  if (!isObj(value)) {
    p.expected(path, "an object like { connectMs: 120000, readMs: 120000 }", value);
    return { ...defaults };
  }
  p.unknownKeys(value, path, ["connectMs", "readMs"]);
  return {
    connectMs: checkInt(p, value.connectMs, `${path}.connectMs`, defaults.connectMs, 0, MAX_MS, EXPECT.timeoutMs),
    readMs: checkInt(p, value.readMs, `${path}.readMs`, defaults.readMs, 0, MAX_MS, EXPECT.timeoutMs),
  };
}

/** `"default"` or `"legacy"`; a typo gets a "did you mean". */
function checkAlgorithmProfile(p: Problems, value: unknown, path: string, expected: string): AlgorithmProfile | undefined {
  if (typeof value === "string" && (ALGORITHM_PROFILES as readonly string[]).includes(value)) return value as AlgorithmProfile;
  const guess = typeof value === "string" ? suggest(value, ALGORITHM_PROFILES) : undefined;
  p.expected(path, expected, value, false, guess === undefined ? "" : `; did you mean "${guess}"?`);
  return undefined;
}

/** `"legacy"` becomes `{ profile: "legacy" }`; `"default"` and `{ profile: "default" }` without lists become absent. */
function checkAlgorithms(p: Problems, value: unknown, path: string): AlgorithmOptions | undefined {
  if (value === undefined) return undefined;
  const expected = `${oneOf(ALGORITHM_PROFILES)} or an object like { profile: "legacy", kex: ["curve25519-sha256"], cipher: [...] }`;
  if (typeof value === "string") {
    const profile = checkAlgorithmProfile(p, value, path, expected);
    return profile === "legacy" ? { profile } : undefined;
  }
  if (!isObj(value)) {
    p.expected(path, expected, value);
    return undefined;
  }
  p.unknownKeys(value, path, ["profile", ...ALGORITHM_FIELDS]);
  const result: AlgorithmOptions = {};
  if (value.profile !== undefined) {
    const profile = checkAlgorithmProfile(p, value.profile, `${path}.profile`, oneOf(ALGORITHM_PROFILES));
    if (profile === "legacy") result.profile = profile;
  }
  for (const key of ALGORITHM_FIELDS) {
    const list = value[key];
    if (list === undefined) continue;
    const at = `${path}.${key}`;
    if (!Array.isArray(list) || list.length === 0) {
      p.expected(at, "a non-empty array of algorithm names", list);
      continue;
    }
    list.forEach((name: unknown, index) => {
      if (typeof name !== "string" || name === "" || /\s/.test(name)) {
        p.expected(`${at}[${index}]`, "an algorithm name (a non-empty string without spaces)", name);
      }
    });
    result[key] = [...(list as string[])];
  }
  return Object.keys(result).length === 0 ? undefined : result;
}

function checkPool(p: Problems, value: unknown, path: string): NormalizedPoolOptions | false {
  const defaults = CONNECTION_DEFAULTS.pool;
  if (value === undefined || value === true) return { ...defaults };
  if (value === false) return false;
  if (!isObj(value)) {
    p.expected(path, "false, true or an object like { max: 10, idleMs: 10800000 }", value);
    return false;
  }
  p.unknownKeys(value, path, ["max", "idleMs"]);
  return {
    max: checkInt(p, value.max, `${path}.max`, defaults.max, 1, Number.MAX_SAFE_INTEGER, "an integer of at least 1"),
    idleMs: checkInt(p, value.idleMs, `${path}.idleMs`, defaults.idleMs, 0, MAX_MS, EXPECT.ms),
  };
}

function checkRetry(p: Problems, value: unknown, path: string): NormalizedRetryOptions {
  const defaults = CONNECTION_DEFAULTS.retry;
  if (value === undefined) return { ...defaults };
  if (!isObj(value)) {
    p.expected(path, "an object like { attempts: 3, backoffMs: 1000 }", value);
    return { ...defaults };
  }
  p.unknownKeys(value, path, ["attempts", "backoffMs"]);
  return {
    attempts: checkInt(p, value.attempts, `${path}.attempts`, defaults.attempts, 0, 100, "an integer from 0 to 100 (retries after the first try)"),
    backoffMs: checkInt(p, value.backoffMs, `${path}.backoffMs`, defaults.backoffMs, 0, MAX_MS, EXPECT.ms),
  };
}

/** Checks the fields every hop has (the target server and each jump host). */
function checkHop(p: Problems, o: Obj, prefix: string, depth: number): NormalizedHostConnectionConfig | undefined {
  const at = (key: string): string => join(prefix, key);
  const host = checkHost(p, o.host, at("host"));
  const port = o.port === undefined ? CONNECTION_DEFAULTS.port : checkPort(p, o.port, at("port"));
  const username = checkNonEmpty(p, o.username, at("username"), EXPECT.nonEmpty);
  const auth = checkAuth(p, o.auth, at("auth"));
  const hostKey = checkHostKey(p, o.hostKey, at("hostKey"), host, port);
  const proxy = o.proxy === undefined ? undefined : checkProxy(p, o.proxy, at("proxy"), depth);
  const timeouts = checkTimeouts(p, o.timeouts, at("timeouts"));
  const keepaliveIntervalMs = checkInt(
    p,
    o.keepaliveIntervalMs,
    at("keepaliveIntervalMs"),
    CONNECTION_DEFAULTS.keepaliveIntervalMs,
    0,
    MAX_MS,
    `an integer from 0 to ${MAX_MS} (milliseconds; 0 = off)`,
  );
  const legacyKex = checkBoolean(p, o.legacyKex, at("legacyKex"), CONNECTION_DEFAULTS.legacyKex);
  const algorithms = checkAlgorithms(p, o.algorithms, at("algorithms"));
  if (host === undefined || port === undefined || username === undefined || auth === undefined || hostKey === undefined) return undefined;
  if (o.proxy !== undefined && proxy === undefined) return undefined;
  return {
    host,
    port,
    username,
    auth,
    hostKey,
    ...(proxy === undefined ? {} : { proxy }),
    timeouts,
    keepaliveIntervalMs,
    legacyKex,
    ...(algorithms === undefined ? {} : { algorithms }),
  };
}

/**
 * Checks `input` and returns every problem found plus, when there are none, the normalized config
 * (secrets not yet hidden). Never throws.
 * @internal Shared by `validateConfig` and `fromBoomiProperties`.
 */
export function collectConfigProblems(input: unknown): { problems: ConfigProblem[]; config: NormalizedConnectionConfig | undefined } {
  const p = new Problems();
  if (!isObj(input)) {
    p.expected("config", "an object", input, true);
    return { problems: p.list, config: undefined };
  }
  p.unknownKeys(input, "", TOP_FIELDS);
  const hop = checkHop(p, input, "", 0);
  let remoteDirectory: string | undefined;
  if (input.remoteDirectory !== undefined) {
    if (typeof input.remoteDirectory === "string") remoteDirectory = input.remoteDirectory.trim() || undefined;
    else p.expected("remoteDirectory", EXPECT.string, input.remoteDirectory);
  }
  const pool = checkPool(p, input.pool, "pool");
  const retry = checkRetry(p, input.retry, "retry");
  if (p.list.length > 0 || hop === undefined) return { problems: p.list, config: undefined };
  return {
    problems: [],
    config: { ...hop, ...(remoteDirectory === undefined ? {} : { remoteDirectory }), pool, retry },
  };
}

/**
 * The INVALID_CONFIG error for a list of problem lines: message
 * `Invalid connection config:\n  - problem1\n  - problem2`, `problems` holding the lines and
 * `issues` the same problems as `{ path, text }` (one per line, in the same order).
 * @internal
 */
export function invalidConfigError(problems: readonly string[], operation: string, issues: readonly ConfigProblem[]): SftpConnectorError {
  const message = `Invalid connection config:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`;
  return new SftpConnectorError("INVALID_CONFIG", message, { problems, operation, issues });
}

/**
 * Validates a connection config once, at the edge, and fills in every default.
 *
 * Every problem is collected (not just the first), each as `<field path>: <what was expected>`,
 * and thrown as one {@link SftpConnectorError} with reason `INVALID_CONFIG`, `problems` (the lines)
 * and `issues` (the same as `{ path, text }`, for programs that act on a field).
 * Unknown fields are problems (with a "did you mean" hint), `hostKey` is required, and secret
 * values (passwords, passphrases, key content, responses) never appear in a message.
 *
 * The result is a fresh object (the input is not changed) whose secrets print as `"[redacted]"`
 * in `JSON.stringify` and `util.inspect` (see `redactSecrets`) but remain readable as properties.
 *
 * @example
 * ```ts
 * const config = validateConfig({
 *   host: "sftp.example.com",
 *   username: "me",
 *   auth: { type: "privateKey", path: "/home/me/.ssh/id_ed25519" },
 *   hostKey: { knownHosts: "sftp.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA…" },
 * });
 * config.port; // 22
 * ```
 * @throws SftpConnectorError INVALID_CONFIG listing every problem.
 */
export function validateConfig(input: unknown): NormalizedConnectionConfig {
  const { problems, config } = collectConfigProblems(input);
  if (config === undefined || problems.length > 0) {
    throw invalidConfigError(
      problems.map((problem) => `${problem.path}: ${problem.text}`),
      "validateConfig",
      problems,
    );
  }
  return redactSecrets(config);
}
