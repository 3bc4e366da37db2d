// Connection config types: what a user writes (ConnectionConfig) and what validateConfig returns (NormalizedConnectionConfig).

/** Log in with a password (SSH "password" method). */
export interface PasswordAuth {
  /** Auth method kind. */
  type: "password";
  /** The password. Secret: never printed in errors, `JSON.stringify` or `util.inspect`. */
  password: string;
}

/** Fields shared by both private key auth shapes. */
interface PrivateKeyAuthBase {
  /** Auth method kind. */
  type: "privateKey";
  /** Passphrase of an encrypted private key. Secret. Omit for an unencrypted key. */
  passphrase?: string;
  /** The matching public key text (e.g. `ssh-ed25519 AAAA… comment`); used to check the private key. Optional. */
  publicKey?: string;
}

/** Log in with a private key read from a file on this machine (Boomi's `keyPath`). */
export interface PrivateKeyFileAuth extends PrivateKeyAuthBase {
  /** Path of the private key file on this machine. Exactly one of `path` and `content` is set. */
  path: string;
  /** Not set when `path` is set. */
  content?: undefined;
}

/** Log in with private key text held in the config (Boomi's `prvkeyContent`). */
export interface PrivateKeyContentAuth extends PrivateKeyAuthBase {
  /** The private key text (`-----BEGIN … PRIVATE KEY-----`). Secret. Exactly one of `path` and `content` is set. */
  content: string;
  /** Not set when `content` is set. */
  path?: undefined;
}

/** Log in with a private key, from a file (`path`) or inline (`content`): exactly one of the two. */
export type PrivateKeyAuth = PrivateKeyFileAuth | PrivateKeyContentAuth;

/** Log in with the keys held by an SSH agent. */
export interface AgentAuth {
  /** Auth method kind. */
  type: "agent";
  /** The agent socket path (or `"pageant"` on Windows). @default the `SSH_AUTH_SOCK` environment variable, read when connecting */
  socket?: string;
}

/** Keyboard-interactive login that answers every prompt with one password. */
export interface KeyboardInteractivePasswordAuth {
  /** Auth method kind. */
  type: "keyboardInteractive";
  /** Answer given to every prompt. Secret. Exactly one of `password` and `responses` is set. */
  password: string;
  /** Not set when `password` is set. */
  responses?: undefined;
}

/** Keyboard-interactive login that answers the prompts in order. */
export interface KeyboardInteractiveResponsesAuth {
  /** Auth method kind. */
  type: "keyboardInteractive";
  /** Answers to the server's prompts, in order. Secret. Exactly one of `password` and `responses` is set. */
  responses: string[];
  /** Not set when `responses` is set. */
  password?: undefined;
}

/** Keyboard-interactive login: one password for every prompt, or one response per prompt. */
export type KeyboardInteractiveAuth = KeyboardInteractivePasswordAuth | KeyboardInteractiveResponsesAuth;

/** One way to log in. A config may list several, tried in order. */
export type AuthMethod = PasswordAuth | PrivateKeyAuth | AgentAuth | KeyboardInteractiveAuth;

/** The `type` of an {@link AuthMethod}. */
export type AuthType = AuthMethod["type"];

/**
 * Host keys the server must present. At least one of `knownHosts`, `knownHostsFile` or a
 * non-empty `fingerprints` is required. Get the server's key with `ssh-keyscan -p PORT HOST`.
 */
export interface PinnedHostKey {
  /** known_hosts lines, e.g. `sftp.example.com ssh-ed25519 AAAAC3…` as printed by `ssh-keyscan` (Boomi's `hostEntry`). */
  knownHosts?: string;
  /** Path of a known_hosts file on this machine. */
  knownHostsFile?: string;
  /** Accepted key fingerprints, each `"SHA256:<43 base64 characters>"` as printed by `ssh-keygen -lf`. */
  fingerprints?: string[];
  /** Only `false` (the default) is allowed here; see {@link InsecureAcceptAnyHostKey}. @default false */
  insecureAcceptAny?: false;
}

/** Accept any host key, as Boomi did when "Known Host Entry" was blank. Open to man-in-the-middle attacks. */
export interface InsecureAcceptAnyHostKey {
  /** Accept whatever key the server presents. Must be `true`, and no pinned key may be given with it. */
  insecureAcceptAny: true;
}

/** How the server's host key is checked: pinned keys, or an explicit opt-out. Required. */
export type HostKeyConfig = PinnedHostKey | InsecureAcceptAnyHostKey;

/** A proxy server reached over TCP: HTTP CONNECT or SOCKS. */
export interface ProxyServer {
  /** Proxy protocol. `socks4a` lets the proxy resolve the host name. SOCKS4/4a take no password. */
  type: "http" | "socks4" | "socks4a" | "socks5";
  /** Proxy host name or IP address. */
  host: string;
  /** Proxy port, 1 to 65535. */
  port: number;
  /** User name for the proxy (HTTP basic auth, SOCKS5 user/password, SOCKS4 user id). */
  username?: string;
  /** Password for the proxy (HTTP and SOCKS5 only; needs `username`). Secret. */
  password?: string;
}

/**
 * The URL schemes that name a proxy (the CLI's `--proxy`, the proxy environment variables) and the
 * {@link ProxyServer} type each means: `http` (and `https`, as environment variables often spell
 * an HTTP proxy; the CLI refuses it), `socks4`, `socks4a`, `socks5`, and `socks5h` and `socks`,
 * which mean SOCKS5. Look a scheme up with {@link proxyTypeOfScheme}.
 */
export const PROXY_URL_SCHEMES = Object.freeze({
  http: "http",
  https: "http",
  socks4: "socks4",
  socks4a: "socks4a",
  socks5: "socks5",
  socks5h: "socks5",
  socks: "socks5",
} as const satisfies Record<string, ProxyServer["type"]>);

/**
 * The proxy type a URL scheme means ({@link PROXY_URL_SCHEMES}), with or without its colon
 * (`"socks5h:"` and `"socks5h"` give `"socks5"`), or `undefined` for any other scheme.
 */
export function proxyTypeOfScheme(scheme: string): ProxyServer["type"] | undefined {
  const name = scheme.endsWith(":") ? scheme.slice(0, -1) : scheme;
  return Object.hasOwn(PROXY_URL_SCHEMES, name) ? PROXY_URL_SCHEMES[name as keyof typeof PROXY_URL_SCHEMES] : undefined;
}

/**
 * Use the proxy that the environment names (proxy environment variables, resolved by the
 * transport when connecting). This plays the role of Boomi's `ATOM` proxy type.
 */
export interface EnvironmentProxy {
  /** Proxy kind. */
  type: "environment";
}

/** Settings of one SSH hop: the target server, or a jump host in front of it. */
export interface HostConnectionConfig {
  /** Host name or IP address of the SSH server. */
  host: string;
  /** SSH port, 1 to 65535. @default 22 */
  port?: number;
  /** User name to log in as. */
  username: string;
  /** How to log in: one method, or a non-empty list tried in order. */
  auth: AuthMethod | readonly AuthMethod[];
  /** How the server's host key is checked. Required: pin a key, or opt out with `{ insecureAcceptAny: true }`. */
  hostKey: HostKeyConfig;
  /** How to reach the server: an HTTP/SOCKS proxy, the environment's proxy, or a jump host. @default a direct TCP connection */
  proxy?: ProxyConfig;
  /** Time limits. */
  timeouts?: TimeoutOptions;
  /** Milliseconds between SSH keepalive messages; 0 disables them. @default 10000 */
  keepaliveIntervalMs?: number;
  /**
   * Also offer the legacy key exchanges that Boomi's "Use Max Key Exchange size of 1024"
   * (`isMaxExchange`) enabled: `diffie-hellman-group14-sha1`, `diffie-hellman-group-exchange-sha1`,
   * `diffie-hellman-group1-sha1` (SHA-1, 1024-bit group1), after the modern ones. The key exchange
   * part of `algorithms: "legacy"`; it does not add ciphers, MACs or host key algorithms.
   * @default false
   */
  legacyKex?: boolean;
  /**
   * Which SSH algorithms to offer: a profile name, or per-kind lists (optionally on top of a profile).
   * `"legacy"` also offers, after the modern ones, the old algorithms JSch 0.1.55 (Boomi SFTP V2)
   * offered and ssh2 supports (SHA-1 key exchanges, CBC ciphers, hmac-md5 and the -96 MACs, ssh-dss
   * host keys), so an old server can be reached while a modern one still negotiates modern
   * algorithms. The transport logs a warning naming what it enables.
   * @default "default" (ssh2's secure defaults)
   */
  algorithms?: AlgorithmProfile | AlgorithmOptions;
}

/**
 * Connect through another SSH server (like `ssh -J`). Takes every field of a
 * {@link HostConnectionConfig}, including its own `proxy` (at most 4 jump hosts deep).
 */
export interface JumpProxy extends HostConnectionConfig {
  /** Proxy kind. */
  type: "jump";
}

/** How the connection reaches the SSH server. */
export type ProxyConfig = ProxyServer | EnvironmentProxy | JumpProxy;

/** Time limits, in milliseconds. 0 means no limit. */
export interface TimeoutOptions {
  /** Limit for opening the connection (TCP, proxy, SSH handshake and login), Boomi's `connectionTimeout`. 0 = none. @default 120000 */
  connectMs?: number;
  /**
   * Limit for waiting on the server once connected, Boomi's `readTimeout`: each SFTP request must be
   * answered within it (a read or write request carries up to 255 KiB, so over a link slower than
   * that much per `readMs` a transfer times out even while bytes still flow). 0 = none.
   * @default 120000
   */
  readMs?: number;
}

/**
 * A named set of SSH algorithms. `"default"`: ssh2's defaults (modern algorithms only, plus
 * `ssh-rsa` host keys and `hmac-sha1`, which ssh2 offers by default). `"legacy"`: the defaults
 * followed by the old algorithms JSch 0.1.55 offered that ssh2 supports (see the transport's
 * `LEGACY_ALGORITHMS`). Opt in only for servers that offer nothing newer.
 */
export type AlgorithmProfile = "default" | "legacy";

/** SSH algorithm lists. Each non-empty list replaces that kind's list (the profile's too), in order of preference. */
export interface AlgorithmOptions {
  /** The profile for every kind not listed here. @default "default" */
  profile?: AlgorithmProfile;
  /** Key exchange algorithms, e.g. `"curve25519-sha256"`. */
  kex?: string[];
  /** Ciphers, e.g. `"aes128-gcm@openssh.com"`. */
  cipher?: string[];
  /** Server host key algorithms, e.g. `"ssh-ed25519"`. */
  serverHostKey?: string[];
  /** MAC algorithms, e.g. `"hmac-sha2-256-etm@openssh.com"`. */
  hmac?: string[];
  /** Compression algorithms, e.g. `"none"`, `"zlib@openssh.com"`. */
  compress?: string[];
}

/** Session pool settings: sessions with identical configs are reused. */
export interface PoolOptions {
  /** Most sessions open at once for this config. @default 10 */
  max?: number;
  /** Close a pooled session after this many milliseconds unused (Boomi: 3 h). @default 10800000 */
  idleMs?: number;
}

/** Reconnect-and-retry settings for failures that a retry may cure. */
export interface RetryOptions {
  /** Retries after a failed first try (each after reconnecting); 0 means no retry. Boomi retries once. @default 1 */
  attempts?: number;
  /** Milliseconds to wait before each retry. @default 1000 */
  backoffMs?: number;
}

/** The connection config a user writes. Pass it to `validateConfig` to check it and fill in defaults. */
export interface ConnectionConfig extends HostConnectionConfig {
  /** Base remote directory; relative paths and blank resolve against the user's home. Trimmed. @default the SFTP home directory */
  remoteDirectory?: string;
  /** Session pooling: an object of options, `true` for the defaults, or `false` to open a session per use. @default { max: 10, idleMs: 10800000 } */
  pool?: PoolOptions | boolean;
  /** Reconnect and retry on retryable failures. @default { attempts: 1, backoffMs: 1000 } */
  retry?: RetryOptions;
}

/** A pinned host key after validation: at least one pin is set; empty fingerprint lists are dropped. */
export interface NormalizedPinnedHostKey {
  /** known_hosts lines. */
  knownHosts?: string;
  /** Path of a known_hosts file. */
  knownHostsFile?: string;
  /** Accepted `SHA256:` fingerprints (never empty when present). */
  fingerprints?: string[];
  /** Always `false` here, so `hostKey.insecureAcceptAny` tells the two shapes apart. */
  insecureAcceptAny: false;
}

/** The host key check after validation. */
export type NormalizedHostKey = NormalizedPinnedHostKey | InsecureAcceptAnyHostKey;

/** {@link TimeoutOptions} with every default filled in. */
export interface NormalizedTimeouts {
  /** Connect limit in ms; 0 = none. */
  connectMs: number;
  /** Read limit in ms; 0 = none. */
  readMs: number;
}

/** {@link PoolOptions} with every default filled in. */
export interface NormalizedPoolOptions {
  /** Most sessions open at once. */
  max: number;
  /** Idle time in ms before a pooled session is closed. */
  idleMs: number;
}

/** {@link RetryOptions} with every default filled in. */
export interface NormalizedRetryOptions {
  /** Retries after the first try, at least 0. */
  attempts: number;
  /** Wait before each retry, in ms. */
  backoffMs: number;
}

/** One SSH hop after validation, with defaults filled in. */
export interface NormalizedHostConnectionConfig {
  /** Host name or IP address. */
  host: string;
  /** SSH port. */
  port: number;
  /** User name. */
  username: string;
  /** Auth methods to try, in order (never empty). */
  auth: [AuthMethod, ...AuthMethod[]];
  /** Host key check. */
  hostKey: NormalizedHostKey;
  /** Proxy or jump host; absent for a direct connection. */
  proxy?: NormalizedProxy;
  /** Time limits. */
  timeouts: NormalizedTimeouts;
  /** Keepalive interval in ms; 0 = off. */
  keepaliveIntervalMs: number;
  /** Whether legacy key exchanges are allowed. */
  legacyKex: boolean;
  /** Algorithm lists and profile (always the object form; `profile` only when `"legacy"`); absent for the default profile without lists. */
  algorithms?: AlgorithmOptions;
}

/** A jump host after validation. */
export interface NormalizedJumpProxy extends NormalizedHostConnectionConfig {
  /** Proxy kind. */
  type: "jump";
}

/** The proxy after validation. */
export type NormalizedProxy = ProxyServer | EnvironmentProxy | NormalizedJumpProxy;

/** What `validateConfig` returns: a fresh, checked config with every default filled in and secrets hidden from printing. */
export interface NormalizedConnectionConfig extends NormalizedHostConnectionConfig {
  /** Trimmed base directory; absent when blank (the SFTP home directory is used). */
  remoteDirectory?: string;
  /** Pool settings, or `false` for no pooling. */
  pool: NormalizedPoolOptions | false;
  /** Retry settings. */
  retry: NormalizedRetryOptions;
}

/** The defaults `validateConfig` fills in. */
export const CONNECTION_DEFAULTS = Object.freeze({
  /** SSH port. */
  port: 22,
  /** Connect and read limits, Boomi's 120000 ms. */
  timeouts: Object.freeze({ connectMs: 120_000, readMs: 120_000 }),
  /** Keepalive interval. */
  keepaliveIntervalMs: 10_000,
  /** Legacy key exchanges off. */
  legacyKex: false,
  /** Pool of 10 sessions, closed after Boomi's 3 h idle. */
  pool: Object.freeze({ max: 10, idleMs: 10_800_000 }),
  /** One attempt, 1 s backoff. */
  retry: Object.freeze({ attempts: 1, backoffMs: 1_000 }),
});
