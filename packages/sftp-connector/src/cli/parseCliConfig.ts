// Turns the connection flags and the --config file (ours or Boomi's properties, JSON or YAML) into one validated connection config; flags win.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import {
  quotePath,
  SftpConnectorError,
  fromBoomiProperties,
  isSftpConnectorError,
  validateConfig,
  type AuthMethod,
  type ConfigIssue,
  type FromBoomiPropertiesOptions,
  type HostKeyConfig,
  type NormalizedConnectionConfig,
  type ProxyConfig,
} from "@sftp-connector/core";
import type { OptionSpecs } from "./parseArgv.js";
import { parseProxyUrl } from "./parseProxyUrl.js";
import { UsageError } from "./UsageError.js";

/** The connection flags every command takes. */
export const CONNECTION_OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  user: { type: "string" },
  "password-env": { type: "string" },
  key: { type: "string" },
  "key-passphrase-env": { type: "string" },
  "known-hosts": { type: "string" },
  "host-key": { type: "string", multiple: true },
  fingerprint: { type: "string", multiple: true },
  "insecure-accept-any-host-key": { type: "boolean" },
  proxy: { type: "string" },
  "remote-dir": { type: "string" },
  config: { type: "string" },
} as const satisfies OptionSpecs;

/** The connection flags' values, as parsed. */
export interface ConnectionFlags {
  host?: string;
  port?: string;
  user?: string;
  "password-env"?: string;
  key?: string;
  "key-passphrase-env"?: string;
  "known-hosts"?: string;
  "host-key"?: string[];
  fingerprint?: string[];
  "insecure-accept-any-host-key"?: boolean;
  proxy?: string;
  "remote-dir"?: string;
  config?: string;
}

/** Where {@link parseCliConfig} reads from. */
export interface ParseCliConfigContext {
  /** The environment the `--…-env` flags name variables of. */
  env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths (`--config`, `--key`, `--known-hosts`) resolve against. @default process.cwd() */
  cwd?: string;
  /** Reads a local text file. @default fs.readFileSync(path, "utf8") */
  readFile?: (path: string) => string;
}

/**
 * Boomi SFTP V2 connection property ids that our config shape does not have: a config file
 * holding any of them is read as Boomi properties.
 */
export const BOOMI_ONLY_PROPERTY_IDS = [
  "authType",
  "keyPath",
  "keyPswrd",
  "prvkeyContent",
  "pubkeyContent",
  "keyPairName",
  "useKeyContent",
  "hostEntry",
  "isMaxExchange",
  "enablePooling",
  "proxyEnable",
  "proxyType",
  "proxyHost",
  "proxyPort",
  "proxyuserName",
  "proxyPassword",
  "connectionTimeout",
  "readTimeout",
] as const;

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value);

/** True when a config object is Boomi properties: a Boomi-only id, or a top-level `password` without our `auth`. */
export function looksLikeBoomiProperties(config: Obj): boolean {
  if (BOOMI_ONLY_PROPERTY_IDS.some((id) => id in config)) return true;
  return "password" in config && !("auth" in config);
}

/** A config file's content: what was read, and in which shape. */
export type LoadedConfig = { kind: "ours"; config: Obj } | { kind: "boomi"; properties: Obj; options: FromBoomiPropertiesOptions };

/**
 * Parses a config file's text (JSON or YAML) and tells its shape: ours (`ConnectionConfig`),
 * Boomi properties as they are, or `{ boomi: { … }, options?: { … } }`. Syntax errors name the
 * line and column only: a file excerpt could show a password.
 * @throws UsageError for text that is neither, or that is not an object.
 */
export function parseConfigText(text: string, file: string): LoadedConfig {
  let data: unknown;
  try {
    data = parseYaml(text.replace(/^\uFEFF/, ""), { prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    const at = error instanceof YAMLParseError ? lineAndColumn(text, error.pos[0]) : "";
    const code = error instanceof YAMLParseError ? ` (${error.code})` : "";
    throw new UsageError(`--config ${file}: not valid JSON or YAML${at}${code}`);
  }
  if (!isObj(data)) throw new UsageError(`--config ${file}: expected an object of connection settings (our config, or Boomi connection properties)`);
  if ("boomi" in data) {
    const { boomi, options, ...rest } = data;
    if (!isObj(boomi)) throw new UsageError(`--config ${file}: "boomi" must be an object of Boomi connection properties`);
    if (options !== undefined && !isObj(options))
      throw new UsageError(`--config ${file}: "options" must be an object such as { insecureAcceptAnyHostKey: true }`);
    const extra = Object.keys(rest);
    if (extra.length > 0)
      throw new UsageError(`--config ${file}: next to "boomi" only "options" is allowed, found ${extra.map((key) => JSON.stringify(key)).join(", ")}`);
    return { kind: "boomi", properties: boomi, options: (options ?? {}) as FromBoomiPropertiesOptions };
  }
  if (looksLikeBoomiProperties(data)) return { kind: "boomi", properties: data, options: {} };
  return { kind: "ours", config: data };
}

/** ` at line L, column C` of a character offset (both from 1). */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, offset)).replace(/^\uFEFF/, "");
  const lines = before.split("\n");
  return ` at line ${lines.length}, column ${(lines[lines.length - 1]?.length ?? 0) + 1}`;
}

/** The value of the environment variable a `--…-env` flag names. Messages name the variable, never its value. */
function secretFromEnv(flag: string, name: string, env: ParseCliConfigContext["env"]): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new UsageError(`--${flag}: expected the name of an environment variable (letters, digits, _), got ${JSON.stringify(name)}`);
  const value = env[name];
  if (value === undefined) throw new UsageError(`--${flag}: the environment variable ${name} is not set`);
  if (value === "") throw new UsageError(`--${flag}: the environment variable ${name} is empty`);
  return value;
}

/** Config-file keys that name an environment variable holding a secret, and the secret's own key. */
const SECRET_ENV_KEYS: ReadonlyArray<readonly [string, string]> = [
  ["passwordEnv", "password"],
  ["passphraseEnv", "passphrase"],
];

/**
 * Our config file with every `passwordEnv`/`passphraseEnv` (in `auth`, each auth method,
 * `proxy`, and a jump host's own `auth`) replaced by the secret read from that environment variable. So a config file names
 * its secrets instead of holding them.
 * @throws SftpConnectorError INVALID_CONFIG naming the field and the variable (never its value)
 * for a variable that is not set or empty, a bad name, or a secret given both ways.
 */
export function resolveSecretEnvs(config: Obj, env: ParseCliConfigContext["env"]): Obj {
  const problems: string[] = [];
  const resolveIn = (section: unknown, where: string): unknown => {
    if (!isObj(section)) return section;
    let out: Obj | undefined;
    for (const [envKey, secretKey] of SECRET_ENV_KEYS) {
      if (!(envKey in section)) continue;
      out ??= { ...section };
      const name = section[envKey];
      const field = `${where}.${envKey}`;
      delete out[envKey];
      if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        problems.push(`${field}: expected the name of an environment variable (letters, digits, _)`);
      } else if (section[secretKey] !== undefined) {
        problems.push(`${field}: ${where}.${secretKey} is given too; give one`);
      } else if (env[name] === undefined) {
        problems.push(`${field}: the environment variable ${name} is not set`);
      } else if (env[name] === "") {
        problems.push(`${field}: the environment variable ${name} is empty`);
      } else {
        out[secretKey] = env[name];
      }
    }
    return out ?? section;
  };
  /** One SSH hop's auth and proxy; a jump host's own auth and proxy too. */
  const resolveHop = (hop: Obj, prefix: string): Obj => {
    const resolved: Obj = { ...hop };
    if (Array.isArray(hop.auth)) resolved.auth = hop.auth.map((method, index) => resolveIn(method, `${prefix}auth[${index}]`));
    else if (hop.auth !== undefined) resolved.auth = resolveIn(hop.auth, `${prefix}auth`);
    if (isObj(hop.proxy)) resolved.proxy = hop.proxy.type === "jump" ? resolveHop(hop.proxy, `${prefix}proxy.`) : resolveIn(hop.proxy, `${prefix}proxy`);
    return resolved;
  };
  const resolved = resolveHop(config, "");
  if (problems.length > 0) {
    throw new SftpConnectorError("INVALID_CONFIG", `Invalid connection config:\n${problems.map((line) => `  - ${line}`).join("\n")}`, { problems });
  }
  return resolved;
}

/** A `--host-key` line: a whole known_hosts line, or just `TYPE BASE64` (then it applies to any host name: `*`). */
function knownHostsLine(line: string): string {
  const trimmed = line.trim();
  return /^(ssh-|ecdsa-|sk-)/.test(trimmed) ? `* ${trimmed}` : trimmed;
}

/** What the flags set, in our config's terms (undefined where no flag was given). */
interface FlagOverrides {
  host?: string;
  port?: number;
  username?: string;
  auth?: AuthMethod[];
  passphrase?: string;
  hostKey?: HostKeyConfig;
  proxy?: ProxyConfig;
  remoteDirectory?: string;
}

function overridesFrom(flags: ConnectionFlags, context: ParseCliConfigContext, cwd: string): FlagOverrides {
  const out: FlagOverrides = {};
  if (flags.host !== undefined) out.host = flags.host;
  if (flags.port !== undefined) {
    const port = /^\d+$/.test(flags.port) ? Number(flags.port) : Number.NaN;
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535))
      throw new UsageError(`--port: expected an integer from 1 to 65535, got ${JSON.stringify(flags.port)}`);
    out.port = port;
  }
  if (flags.user !== undefined) out.username = flags.user;
  if (flags["remote-dir"] !== undefined) out.remoteDirectory = flags["remote-dir"];

  const password = flags["password-env"] === undefined ? undefined : secretFromEnv("password-env", flags["password-env"], context.env);
  const passphrase = flags["key-passphrase-env"] === undefined ? undefined : secretFromEnv("key-passphrase-env", flags["key-passphrase-env"], context.env);
  const auth: AuthMethod[] = [];
  if (flags.key !== undefined) {
    if (flags.key.trim() === "") throw new UsageError("--key: expected the path of a private key file");
    auth.push({ type: "privateKey", path: resolve(cwd, flags.key), ...(passphrase === undefined ? {} : { passphrase }) });
  }
  if (password !== undefined) auth.push({ type: "password", password });
  if (auth.length > 0) out.auth = auth;
  if (passphrase !== undefined && flags.key === undefined) {
    if (password !== undefined) throw new UsageError("--key-passphrase-env: there is no private key to use it with; give --key PATH with it");
    out.passphrase = passphrase;
  }

  const lines = (flags["host-key"] ?? []).map(knownHostsLine);
  const fingerprints = flags.fingerprint ?? [];
  const knownHostsFile = flags["known-hosts"];
  const pinned = lines.length > 0 || fingerprints.length > 0 || knownHostsFile !== undefined;
  if (flags["insecure-accept-any-host-key"] === true) {
    if (pinned)
      throw new UsageError(
        "--insecure-accept-any-host-key cannot be combined with --host-key, --fingerprint or --known-hosts; pin the key or opt out, not both",
      );
    out.hostKey = { insecureAcceptAny: true };
  } else if (pinned) {
    out.hostKey = {
      ...(lines.length > 0 ? { knownHosts: lines.join("\n") } : {}),
      ...(knownHostsFile !== undefined ? { knownHostsFile: resolve(cwd, knownHostsFile) } : {}),
      ...(fingerprints.length > 0 ? { fingerprints } : {}),
    };
  }
  if (flags.proxy !== undefined) out.proxy = parseProxyUrl(flags.proxy);
  return out;
}

/** Boomi properties with what the flags set written over them, so a property the flags supply need not be in the file. */
function overlayBoomi(properties: Obj, flags: FlagOverrides): Obj {
  const props: Obj = { ...properties };
  if (flags.host !== undefined) props.host = flags.host;
  if (flags.port !== undefined) props.port = flags.port;
  if (flags.username !== undefined) props.username = flags.username;
  if (flags.remoteDirectory !== undefined) props.remoteDirectory = flags.remoteDirectory;
  const key = flags.auth?.find((method) => method.type === "privateKey");
  const password = flags.auth?.find((method) => method.type === "password");
  if (key?.type === "privateKey" && key.path !== undefined) {
    Object.assign(props, { authType: "Using public Key", useKeyContent: false, keyPath: key.path });
    if (key.passphrase !== undefined) props.keyPswrd = key.passphrase;
  } else if (password?.type === "password") {
    Object.assign(props, { authType: "Username and Password", password: password.password });
  }
  if (flags.passphrase !== undefined) props.keyPswrd = flags.passphrase;
  // Host key and proxy flags replace the file's outright (below); here they only keep the file's from being required.
  if (flags.proxy !== undefined) props.proxyEnable = false;
  return props;
}

/** The flag that sets each field, hinted when core's INVALID_CONFIG `issues` say the field is missing. */
const FLAG_HINTS: Readonly<Record<string, string>> = {
  host: "--host HOST",
  username: "--user USER",
  auth: "--password-env VAR or --key PATH",
  "auth.password": "--password-env VAR or --key PATH",
  hostKey: '--host-key "LINE", --fingerprint SHA256:…, --known-hosts FILE, or --insecure-accept-any-host-key',
};

/** Whether an issue's text says its field was not given (an empty password counts for `auth.password`). */
function isMissing(issue: ConfigIssue): boolean {
  return issue.text.startsWith("required") || (issue.path.startsWith("auth") && issue.text.startsWith("expected a non-empty string, got nothing"));
}

/** Adds to INVALID_CONFIG problems the flag that sets each missing field, found by the field paths of the error's `issues`. */
function withFlagHints(error: unknown): unknown {
  if (!isSftpConnectorError(error) || error.reason !== "INVALID_CONFIG" || error.issues.length !== error.problems.length) return error;
  const hinted = error.problems.map((problem, index) => {
    const issue = error.issues[index]!;
    const hint = Object.hasOwn(FLAG_HINTS, issue.path) && isMissing(issue) ? FLAG_HINTS[issue.path] : undefined;
    return hint === undefined ? problem : `${problem} (command line: ${hint})`;
  });
  const message = `Invalid connection config:\n${hinted.map((line) => `  - ${line}`).join("\n")}`;
  return new SftpConnectorError("INVALID_CONFIG", message, { problems: hinted, issues: error.issues, operation: error.operation, cause: error });
}

/**
 * The connection config of one CLI run: the `--config` file (ours, Boomi properties, or
 * `{ boomi, options }`, in JSON or YAML) with the connection flags written over it, validated
 * once. `--password-env` and `--key-passphrase-env` name environment variables; the secrets
 * themselves are never taken from argv. `--password-env` with `--key` tries the key first, then
 * the password; `--key-passphrase-env` alone sets the passphrase of the file's private key(s).
 * Any host key flag replaces the file's host key settings; `--proxy` replaces its proxy.
 *
 * @throws UsageError for a bad flag value, a missing environment variable or an unreadable
 * config file; SftpConnectorError INVALID_CONFIG (with the flag to use for a missing field) for
 * an invalid result. Neither message holds a secret.
 */
export function parseCliConfig(flags: ConnectionFlags, context: ParseCliConfigContext): NormalizedConnectionConfig {
  const cwd = context.cwd ?? process.cwd();
  const readFile = context.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  const overrides = overridesFrom(flags, context, cwd);

  let loaded: LoadedConfig = { kind: "ours", config: {} };
  if (flags.config !== undefined) {
    let text: string;
    try {
      text = readFile(resolve(cwd, flags.config));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UsageError(`--config: cannot read ${quotePath(flags.config)}${code ? ` (${code})` : ""}`);
    }
    loaded = parseConfigText(text, flags.config);
  }

  try {
    let base: Obj;
    if (loaded.kind === "boomi") {
      const options: FromBoomiPropertiesOptions = {
        ...loaded.options,
        ...(overrides.hostKey !== undefined ? { insecureAcceptAnyHostKey: true } : {}),
      };
      base = { ...fromBoomiProperties(overlayBoomi(loaded.properties, overrides), options) };
    } else {
      base = resolveSecretEnvs(loaded.config, context.env);
    }
    const { passphrase, ...fields } = overrides;
    const merged: Obj = { ...base };
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) merged[key] = value;
    if (passphrase !== undefined && overrides.auth === undefined) {
      const methods = Array.isArray(merged.auth) ? merged.auth : merged.auth === undefined ? [] : [merged.auth];
      if (!methods.some((method) => isObj(method) && method.type === "privateKey")) {
        throw new UsageError("--key-passphrase-env: there is no private key to use it with; give --key PATH (or a private key in --config)");
      }
      merged.auth = methods.map((method) => (isObj(method) && method.type === "privateKey" ? { ...method, passphrase } : method));
    }
    return validateConfig(merged);
  } catch (error) {
    throw withFlagHints(error);
  }
}
