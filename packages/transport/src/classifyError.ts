// Turns ssh2, socket, SFTP status and proxy errors into SftpConnectorErrors with a reason, a retryable flag and a secret-free message.
import { RETRY_SITUATIONS, SftpConnectorError, isSftpConnectorError, quotePath } from "@sftp-connector/core";
import type { ErrorReason } from "@sftp-connector/core";

/** Where an error happened; every field may appear in the message (the proxy with its user info removed). */
export interface ErrorContext {
  /** The operation that failed, e.g. `"connect"`, `"get"`, `"list"`. */
  operation: string;
  /** The remote path concerned. */
  path?: string;
  /** The SSH server's host name or address. */
  host?: string;
  /** The SSH server's port. */
  port?: number;
  /** The proxy in use, e.g. `"socks5://proxy.corp:1080"`; any `user:password@` is stripped before it is shown. */
  proxy?: string;
}

/** One row of {@link ERROR_CLASSIFICATION_RULES}: the first row whose `test` is true classifies the error. */
export interface ErrorClassificationRule {
  /** A short unique name, for tests and debugging. */
  name: string;
  /** Whether this row applies to the error. Must not throw. */
  test(error: unknown): boolean;
  /** The reason given to the resulting error. */
  reason: ErrorReason;
  /** Overrides the reason's default retryable flag (core's `RETRY_RULES`); the rows take it, with the reason, from core's `RETRY_SITUATIONS`. */
  retryable?: boolean;
  /** The message: names the operation and the host:port or path; never a secret. */
  message(error: unknown, context: ErrorContext): string;
}

/** Longest piece of an original error message copied into ours. */
const MAX_ORIGINAL_MESSAGE = 500;

/** SFTP status codes (draft-ietf-secsh-filexfer) that servers send and ssh2 puts in `error.code`. */
const SFTP_STATUS = {
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
  FILE_ALREADY_EXISTS: 11,
} as const;

/** Removes `user:password@` from every URL in a text: `socks5://u:p@proxy:1080` → `socks5://proxy:1080`. */
export function stripUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi, "$1");
}

function fieldOf(error: unknown, key: string): unknown {
  if (typeof error !== "object" || error === null) return undefined;
  try {
    return (error as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  const message = fieldOf(error, "message");
  return typeof message === "string" ? message : "";
}

/** The original message, trimmed, user info stripped and shortened; what our messages quote. */
function originalOf(error: unknown): string {
  let text: string;
  if (typeof error === "string") text = error;
  else if (typeof error === "object" && error !== null) text = messageOf(error) || `a thrown ${constructorName(error) ?? "object"} with no message`;
  else if (error === undefined || error === null) text = `${String(error)} was thrown`;
  else text = `${typeof error} ${String(error)} was thrown`;
  text = stripUserinfo(text.trim());
  return text.length > MAX_ORIGINAL_MESSAGE ? `${text.slice(0, MAX_ORIGINAL_MESSAGE)}…` : text;
}

function constructorName(error: object): string | undefined {
  try {
    const name = (error as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

const levelIs = (level: string) => (error: unknown) => fieldOf(error, "level") === level;
const codeIn =
  (...codes: string[]) =>
  (error: unknown) => {
    const code = fieldOf(error, "code");
    return typeof code === "string" && codes.includes(code);
  };
const sftpStatusIs = (status: number) => (error: unknown) => fieldOf(error, "code") === status;
const messageIs =
  (...messages: string[]) =>
  (error: unknown) =>
    messages.includes(messageOf(error));

/** `host:port` (IPv6 in brackets), or "the server" when the context names no host. */
function hostPort(context: ErrorContext): string {
  if (context.host === undefined) return "the server";
  const host = context.host.includes(":") ? `[${context.host}]` : context.host;
  return context.port === undefined ? host : `${host}:${context.port}`;
}

/** `<operation> failed`, then ` for '<path>'` when there is a path. */
function failed(context: ErrorContext): string {
  return `${context.operation} failed${context.path === undefined ? "" : ` for ${quotePath(context.path)}`}`;
}

/** `<operation> failed [for '<path>'] on host:port` (the host part only when known). */
function failedOn(context: ErrorContext): string {
  return `${failed(context)}${context.host === undefined ? "" : ` on ${hostPort(context)}`}`;
}

/** "the proxy <proxy>" without user info; a proxy written without a scheme (`u:p@proxy:1080`) keeps what follows the last `@`. */
function proxyName(context: ErrorContext): string {
  const { proxy } = context;
  if (proxy === undefined) return "the proxy";
  return `the proxy ${proxy.includes("://") ? stripUserinfo(proxy) : proxy.slice(proxy.lastIndexOf("@") + 1)}`;
}

function isProxyError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const name = fieldOf(error, "name");
  return fieldOf(error, "proxyError") === true || name === "ProxyError" || name === "SocksClientError" || constructorName(error) === "SocksClientError";
}

/** What each "Handshake failed: no matching …" names, and the setting that fixes it. */
const ALGORITHM_HINTS: readonly [RegExp, string][] = [
  [
    /key exchange/i,
    'for an old server set algorithms: "legacy" (or legacyKex: true for SHA-1 key exchanges only), or list the server\'s key exchanges in algorithms.kex',
  ],
  [/host key/i, 'for an old server set algorithms: "legacy", or list a host key algorithm the server offers in algorithms.serverHostKey'],
  [/cipher/i, 'for an old server set algorithms: "legacy" (CBC ciphers), or list a cipher the server offers in algorithms.cipher'],
  [/MAC/, 'for an old server set algorithms: "legacy" (hmac-md5, -96 MACs), or list a MAC the server offers in algorithms.hmac'],
  [/compression/i, "list a compression the server offers in algorithms.compress"],
];

function sftpStatusRule(status: keyof typeof SFTP_STATUS, reason: ErrorReason, what: string): ErrorClassificationRule {
  const code = SFTP_STATUS[status];
  return {
    name: `sftp-${status.toLowerCase().replace(/_/g, "-")}`,
    test: sftpStatusIs(code),
    reason,
    message: (error, context) => `${failedOn(context)}: ${what} (SFTP status ${code} ${status}; server said: ${originalOf(error)})`,
  };
}

/**
 * The classification table, in order; the first row whose `test` is true wins, and the last row
 * matches everything (FAILURE). Proxy errors and our own read timeout come first, so a proxy
 * failure that carries a socket code is still reported as PROXY_FAILED; the transport must mark
 * errors of the proxy hop (`proxyError: true` or name `ProxyError`).
 */
export const ERROR_CLASSIFICATION_RULES: readonly ErrorClassificationRule[] = Object.freeze([
  {
    name: "read-timeout",
    test: codeIn("ETIMEOUT_READ"),
    reason: "TIMEOUT",
    message: (_error, context) => `${failed(context)}: no answer from ${hostPort(context)} within readMs (timeouts.readMs)`,
  },
  {
    name: "proxy-timeout",
    test: (error) => isProxyError(error) && /timed? ?out/i.test(messageOf(error)),
    ...RETRY_SITUATIONS.proxyTimeout,
    message: (error, context) => `${failed(context)} via ${proxyName(context)} to ${hostPort(context)} (timed out): ${originalOf(error)}`,
  },
  {
    name: "proxy",
    test: isProxyError,
    reason: "PROXY_FAILED",
    message: (error, context) => `${failed(context)} via ${proxyName(context)} to ${hostPort(context)}: ${originalOf(error)}`,
  },
  {
    name: "host-key-denied",
    test: messageIs("Host denied (verification failed)"),
    reason: "HOST_KEY_MISMATCH",
    message: (_error, context) =>
      `host key verification failed for ${hostPort(context)}: the server's key matches no pinned key in hostKey ` +
      `(compare with "ssh-keyscan -p ${context.port ?? 22} ${context.host ?? "HOST"}")`,
  },
  {
    name: "handshake-no-matching-algorithm",
    test: (error) => messageOf(error).startsWith("Handshake failed: no matching"),
    // The config must change to reach this server: retrying cannot help.
    reason: "INVALID_CONFIG",
    message: (error, context) => {
      const original = messageOf(error);
      const hint = ALGORITHM_HINTS.find(([pattern]) => pattern.test(original))?.[1] ?? 'adjust algorithms (e.g. algorithms: "legacy") or legacyKex';
      return `${failed(context)}: ${hostPort(context)} and this client share no algorithm (${originalOf(error)}); ${hint}`;
    },
  },
  {
    name: "unsupported-algorithm",
    test: (error) => messageOf(error).startsWith("Unsupported algorithm: "),
    reason: "INVALID_CONFIG",
    message: (error, context) => `${failed(context)}: ${originalOf(error)} (a name in algorithms that ssh2 does not support on this Node.js)`,
  },
  {
    name: "auth",
    test: levelIs("client-authentication"),
    reason: "AUTH_FAILED",
    message: (error, context) =>
      `${failed(context)}: authentication failed for ${hostPort(context)}; the server refused every configured auth method ` +
      `(check username and credentials) (${originalOf(error)})`,
  },
  {
    name: "agent",
    test: levelIs("agent"),
    reason: "AUTH_FAILED",
    message: (error, context) => `${failed(context)}: the SSH agent failed while logging in to ${hostPort(context)} (${originalOf(error)})`,
  },
  {
    name: "handshake-timeout",
    test: (error) => levelIs("client-timeout")(error) || messageIs("Timed out while waiting for handshake")(error),
    reason: "TIMEOUT",
    message: (_error, context) => `${failed(context)}: timed out waiting for the SSH handshake and login with ${hostPort(context)} (timeouts.connectMs)`,
  },
  {
    name: "connection-refused",
    test: codeIn("ECONNREFUSED"),
    ...RETRY_SITUATIONS.connectionRefused,
    message: (_error, context) =>
      `${failed(context)}: connection refused by ${hostPort(context)} (ECONNREFUSED: nothing listens on that port, or a firewall rejects it; ` +
      `not retried, as a closed port is rarely transient)`,
  },
  {
    name: "dns-not-found",
    test: codeIn("ENOTFOUND"),
    ...RETRY_SITUATIONS.hostNotFound,
    message: (_error, context) => `${failed(context)}: cannot resolve the host name of ${hostPort(context)} (ENOTFOUND: no such host; not retried)`,
  },
  {
    name: "dns-temporary",
    test: (error) => codeIn("EAI_AGAIN")(error) || levelIs("client-dns")(error),
    reason: "HOST_UNREACHABLE",
    message: (error, context) => `${failed(context)}: cannot resolve the host name of ${hostPort(context)} (${originalOf(error)})`,
  },
  {
    name: "unreachable",
    test: codeIn("EHOSTUNREACH", "ENETUNREACH"),
    reason: "HOST_UNREACHABLE",
    message: (error, context) => `${failed(context)}: no route to ${hostPort(context)} (${String(fieldOf(error, "code"))})`,
  },
  {
    name: "tcp-timeout",
    test: codeIn("ETIMEDOUT"),
    reason: "TIMEOUT",
    message: (_error, context) => `${failed(context)}: the TCP connection to ${hostPort(context)} timed out (ETIMEDOUT)`,
  },
  {
    name: "socket-reset",
    test: codeIn("ECONNRESET", "EPIPE", "ECONNABORTED"),
    reason: "CONNECTION_LOST",
    message: (error, context) => `${failed(context)}: the connection to ${hostPort(context)} was lost (${String(fieldOf(error, "code"))})`,
  },
  {
    name: "keepalive",
    test: messageIs("No response from server"),
    reason: "CONNECTION_LOST",
    message: (_error, context) => `${failed(context)}: the connection to ${hostPort(context)} was lost (no response from server)`,
  },
  {
    name: "not-connected",
    test: messageIs("Not connected", "No SFTP channel", "Channel closed", "Connection lost before handshake"),
    reason: "CONNECTION_LOST",
    message: (error, context) => `${failed(context)}: the connection to ${hostPort(context)} was lost (${originalOf(error)})`,
  },
  sftpStatusRule("EOF", "FAILURE", "unexpected end of file"),
  sftpStatusRule("NO_SUCH_FILE", "NO_SUCH_FILE", "no such file or directory"),
  sftpStatusRule("PERMISSION_DENIED", "PERMISSION_DENIED", "permission denied"),
  sftpStatusRule("FAILURE", "FAILURE", "the server reported a failure"),
  sftpStatusRule("BAD_MESSAGE", "FAILURE", "the server received a malformed request"),
  sftpStatusRule("NO_CONNECTION", "CONNECTION_LOST", "the server has no connection"),
  sftpStatusRule("CONNECTION_LOST", "CONNECTION_LOST", "the connection was lost"),
  sftpStatusRule("OP_UNSUPPORTED", "FAILURE", "the server does not support this operation"),
  sftpStatusRule("FILE_ALREADY_EXISTS", "ALREADY_EXISTS", "the file already exists"),
  {
    name: "other",
    test: () => true,
    reason: "FAILURE",
    message: (error, context) => `${failedOn(context)}: ${originalOf(error)}`,
  },
] satisfies ErrorClassificationRule[]);

/** {@link isSftpConnectorError}, false when reading the value throws (a hostile Proxy). */
function isClassified(error: unknown): error is SftpConnectorError {
  try {
    return isSftpConnectorError(error);
  } catch {
    return false;
  }
}

/**
 * Classifies any thrown value into an {@link SftpConnectorError} using {@link ERROR_CLASSIFICATION_RULES}.
 * An `SftpConnectorError` (from any copy of core) is returned unchanged; anything else becomes a new
 * error with the row's reason, the context's operation and path, and the original as `cause`.
 * Messages quote only the original message (URL user info stripped), never other fields of the error.
 *
 * @example
 * ```ts
 * sftp.stat(path, (err) => { if (err) reject(classifyError(err, { operation: "stat", path, host, port })) });
 * ```
 */
export function classifyError(error: unknown, context: ErrorContext): SftpConnectorError {
  if (isClassified(error)) return error;
  const rule = ERROR_CLASSIFICATION_RULES.find((row) => {
    try {
      return row.test(error);
    } catch {
      return false;
    }
  });
  // The last row matches everything; the fallback only satisfies the type checker.
  const row = rule ?? (ERROR_CLASSIFICATION_RULES[ERROR_CLASSIFICATION_RULES.length - 1] as ErrorClassificationRule);
  return new SftpConnectorError(row.reason, row.message(error, context), {
    ...(row.retryable === undefined ? {} : { retryable: row.retryable }),
    operation: context.operation,
    ...(context.path === undefined ? {} : { path: context.path }),
    cause: error,
  });
}
