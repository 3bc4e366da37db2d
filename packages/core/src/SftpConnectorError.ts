// The one error type of sftp-connector: a reason code, a retryable flag, the operation and path, and the cause.

/** Every reason an sftp-connector operation can fail with. */
export const ERROR_REASONS = [
  "INVALID_CONFIG",
  "INVALID_INPUT",
  "AUTH_FAILED",
  "HOST_KEY_MISMATCH",
  "HOST_UNREACHABLE",
  "PROXY_FAILED",
  "TIMEOUT",
  "CONNECTION_LOST",
  "NO_SUCH_FILE",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "FAILURE",
  "ABORTED",
  /**
   * A fenced write was refused because this writer's lease is no longer the live one (another holder took
   * the lock, or the lease ran out): e.g. a checkpoint store refusing a poller's save for a stale fencing
   * token. Not retryable by default: the writer must stop and take the lock again first.
   */
  "LOCK_LOST",
] as const;

/** A reason code carried by {@link SftpConnectorError}. */
export type ErrorReason = (typeof ERROR_REASONS)[number];

/**
 * How a failure with one reason is retried. The one place that says so: {@link SftpConnectorError}
 * takes its default `retryable` flag from here, and `isRetryable` reads it.
 */
export interface RetryRule {
  /** The default of the error's `retryable` flag: whether a retry after reconnecting may cure it. */
  readonly retryable: boolean;
  /** Retried whatever the error's own `retryable` flag says (a lost connection or a timeout always earns a fresh session). @default false */
  readonly always?: boolean;
  /**
   * Also retried, whatever the flag says, on a retry (`attempt > 0`): a connection was lost already,
   * so a reconnect refused or finding no route means the server is likely restarting. @default false
   */
  readonly onRetry?: boolean;
}

/** The retry rule of every reason (see {@link RetryRule}). */
export const RETRY_RULES: Readonly<Record<ErrorReason, RetryRule>> = Object.freeze({
  INVALID_CONFIG: { retryable: false },
  INVALID_INPUT: { retryable: false },
  AUTH_FAILED: { retryable: false },
  HOST_KEY_MISMATCH: { retryable: false },
  HOST_UNREACHABLE: { retryable: true, onRetry: true },
  PROXY_FAILED: { retryable: false },
  TIMEOUT: { retryable: true, always: true },
  CONNECTION_LOST: { retryable: true, always: true },
  NO_SUCH_FILE: { retryable: false },
  ALREADY_EXISTS: { retryable: false },
  PERMISSION_DENIED: { retryable: false },
  FAILURE: { retryable: false },
  ABORTED: { retryable: false },
  LOCK_LOST: { retryable: false },
});

/** The {@link RETRY_RULES} entry of `reason`; undefined for a string that is no reason. */
export function retryRuleOf(reason: string): RetryRule | undefined {
  return Object.hasOwn(RETRY_RULES, reason) ? RETRY_RULES[reason as ErrorReason] : undefined;
}

/**
 * Situations in which an error's `retryable` flag differs from its reason's default in
 * {@link RETRY_RULES}: whoever turns a raw failure into an `SftpConnectorError` (transport's
 * `classifyError`) takes the reason and the flag from here.
 */
export const RETRY_SITUATIONS = Object.freeze({
  /** A proxy hop that timed out: the proxy may answer the next time. */
  proxyTimeout: { reason: "PROXY_FAILED", retryable: true },
  /**
   * A connect refused (ECONNREFUSED): a closed port is rarely transient, so a first connect is not
   * retried; on a retry it is (`onRetry` of HOST_UNREACHABLE).
   */
  connectionRefused: { reason: "HOST_UNREACHABLE", retryable: false },
  /** A host name that does not exist (ENOTFOUND): not retried on a first connect. */
  hostNotFound: { reason: "HOST_UNREACHABLE", retryable: false },
} as const satisfies Record<string, { reason: ErrorReason; retryable: boolean }>);

/** A marker shared by every copy of this package, so `isSftpConnectorError` works across two installed copies. */
const BRAND = Symbol.for("@sftp-connector/core/SftpConnectorError");

/** Options of {@link SftpConnectorError}. */
export interface SftpConnectorErrorOptions {
  /** Whether retrying the operation (after reconnecting) may succeed. @default the reason's {@link RETRY_RULES} entry: true for CONNECTION_LOST, TIMEOUT and HOST_UNREACHABLE */
  retryable?: boolean;
  /** The operation that failed, e.g. `"get"`, `"connect"`, `"validateConfig"`. */
  operation?: string;
  /** The remote (or local) path concerned. */
  path?: string;
  /** The underlying error. It must not carry a secret in its message. */
  cause?: unknown;
  /** For INVALID_CONFIG and INVALID_INPUT: every problem found, one line each, each starting with its field path. */
  problems?: readonly string[];
  /** For INVALID_CONFIG: the same problems as `{ path, text }` (field path, and what is wrong with it). */
  issues?: readonly ConfigIssue[];
}

/** One config problem, structured; its line in `problems` starts with the path (`<path>: <text>`; Boomi's name may follow the path). */
export interface ConfigIssue {
  /** The field path, e.g. `proxy.port` or `auth[1].type`. */
  readonly path: string;
  /** What was expected (and, for non-secret fields, what was found). */
  readonly text: string;
}

/**
 * The error every sftp-connector package throws. Its message never contains a secret: messages
 * are written from field names and non-secret values only.
 *
 * @example
 * ```ts
 * try { await getFile(session, { fileName: "a.txt" }) }
 * catch (e) { if (isSftpConnectorError(e) && e.reason === "NO_SUCH_FILE") … }
 * ```
 */
export class SftpConnectorError extends Error {
  /** Why it failed. */
  readonly reason: ErrorReason;
  /** Whether a retry after reconnecting may succeed. */
  readonly retryable: boolean;
  /** The operation that failed. */
  readonly operation: string | undefined;
  /** The path concerned. */
  readonly path: string | undefined;
  /** Every problem found (validation errors), one per line, each starting with its field path. */
  readonly problems: readonly string[];
  /** INVALID_CONFIG's problems as `{ path, text }`, in the same order (empty for other errors). Not in `toJSON`. */
  readonly issues: readonly ConfigIssue[];

  constructor(reason: ErrorReason, message: string, options: SftpConnectorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SftpConnectorError";
    this.reason = reason;
    this.retryable = options.retryable ?? retryRuleOf(reason)?.retryable ?? false;
    this.operation = options.operation;
    this.path = options.path;
    this.problems = Object.freeze([...(options.problems ?? [])]);
    this.issues = Object.freeze((options.issues ?? []).map(({ path, text }) => Object.freeze({ path, text })));
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** A JSON form for logs: reason, message, retryable, operation, path, problems (never the cause's internals). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      reason: this.reason,
      message: this.message,
      retryable: this.retryable,
      operation: this.operation,
      path: this.path,
      problems: this.problems.length > 0 ? this.problems : undefined,
    };
  }
}

/** True for an {@link SftpConnectorError} from any installed copy of `@sftp-connector/core`. */
export function isSftpConnectorError(value: unknown): value is SftpConnectorError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
