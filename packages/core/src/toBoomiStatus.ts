// Boomi's status model: turns an operation's result or error into { status, statusCode, message } as Boomi SFTP V2 reports it.
import { isSftpConnectorError, type ErrorReason, type SftpConnectorError } from "./SftpConnectorError.js";
import { remoteDirectoryProblemOf } from "./remoteDirectoryNotFound.js";

/** Boomi's document status: success, an SFTP-level error of the document, or any other failure. */
export type BoomiStatus = "SUCCESS" | "APPLICATION_ERROR" | "FAILURE";

/** What {@link toBoomiStatus} returns: Boomi's status, status code and status message of one document. */
export interface BoomiStatusResult {
  /** `SUCCESS`, `APPLICATION_ERROR` (Boomi's `SFTPSdkException`/`NoSuchFileFoundException`) or `FAILURE` (anything else). */
  status: BoomiStatus;
  /** `"0"` for success, `"1"` for a file not found, `"400"` for GET's SFTP-level errors, `"-1"` otherwise. */
  statusCode: string;
  /** Boomi's message where Boomi has a fixed text (success, connect-time errors), else the error's own message. Never a secret. */
  message: string;
}

/** Options of {@link toBoomiStatus}. */
export interface ToBoomiStatusOptions {
  /**
   * The operation the result or error came from (`"get"`, `"create"`, `"upsert"`, `"delete"`,
   * `"list"`, `"query"`, `"listen"`). Errors raised below the operation name a lower-level step
   * (`"stat"`, `"open"`); give the operation for its own codes (GET's `"400"`).
   * @default the error's `operation`
   */
  operation?: string;
}

/** Boomi's fixed status texts (SFTPConstants and `SFTPClient.getSession`). */
export const BOOMI_STATUS_MESSAGES = Object.freeze({
  /** `BaseResult`/`EmptySuccess`. */
  success: "Success",
  /** CREATE and UPSERT (`FILE_CREATED`). */
  fileCreated: "Created the file successfully",
  /** `Auth fail`: the server refused the user name or password. */
  loginFailed: "SFTP login failed Cause: access denied, Incorrect user credentials.",
  /** `USERAUTH fail`: key auth failed (wrong key, or a key passphrase that does not decrypt it). */
  keyLoginFailed: "SFTP login failed Cause: access denied. Caused by: Incorrect key file password or hostname.",
  /** `port`: nothing listens on the port. */
  connectionRefused: "An error occurred while connecting to the host with entered port. Cause: Connection Refused.",
  /** `UnknownHostException`. */
  unknownHost: "SFTP connection to host failed. Cause: Unknown Host.",
  /** `invalid privatekey`. */
  invalidPrivateKey: "An error occurred while creating a session. Cause: Invalid Private Key.",
  /** `FileNotFoundException` for the key file. */
  keyFileNotFound: "The entered directory for the field 'Client SSH Key File Path' is invalid.",
  /** Any other connect-time failure; our message follows as its cause. */
  unableToGetSession: "Unable to get Session",
  /** The connection dropped during an operation; our message follows as its cause. */
  lostConnectivity: "Lost Connectivity During Operation",
});

/** Boomi's labels of the connection fields whose blankness it reports, in the order it checks them. */
const BLANK_FIELDS: readonly [RegExp, string][] = [
  [/^host$/, "Host"],
  [/^username$/, "User Name"],
  [/^auth(\[\d+\])?\.password$/, "Password"],
  [/^auth(\[\d+\])?\.content$/, "Private Key Content"],
  [/^auth(\[\d+\])?\.publicKey$/, "Public Key Content"],
  [/^auth(\[\d+\])?\.path$/, "Client SSH Key File Path"],
];

/** The status of each reason before per-error refinements (see {@link toBoomiStatus}). */
const REASON_STATUS: Readonly<Record<ErrorReason, BoomiStatus>> = Object.freeze({
  INVALID_CONFIG: "FAILURE",
  INVALID_INPUT: "FAILURE",
  AUTH_FAILED: "FAILURE",
  HOST_KEY_MISMATCH: "FAILURE",
  HOST_UNREACHABLE: "FAILURE",
  PROXY_FAILED: "FAILURE",
  TIMEOUT: "FAILURE",
  CONNECTION_LOST: "FAILURE",
  NO_SUCH_FILE: "APPLICATION_ERROR",
  ALREADY_EXISTS: "APPLICATION_ERROR",
  PERMISSION_DENIED: "APPLICATION_ERROR",
  FAILURE: "FAILURE",
  ABORTED: "FAILURE",
  LOCK_LOST: "FAILURE",
});

/** Boomi's message for a blank CREATE file name, an SFTP-level error there (`ERROR_MISSING_INPUT_FILENAME`). */
const MISSING_FILE_NAME = "the 'File Name' input document property is required";

const CONNECT_OPERATIONS = new Set(["connect", "auth", "validateConfig", "fromBoomiProperties"]);

const success = (message: string = BOOMI_STATUS_MESSAGES.success): BoomiStatusResult => ({ status: "SUCCESS", statusCode: "0", message });

/** The values found along an error's `cause` chain (the error first), at most 8 deep. */
function causeChain(error: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  let current = error;
  while (chain.length < 8 && typeof current === "object" && current !== null && !chain.includes(current as Record<string, unknown>)) {
    chain.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

const hasCode = (error: unknown, ...codes: string[]) => causeChain(error).some((e) => typeof e.code === "string" && codes.includes(e.code));
/** True when an error in the chain carries an SFTP status (ssh2 puts it in a numeric `code`): an SFTP-level error. */
const isSftpStatusError = (error: unknown) => causeChain(error).some((e) => typeof e.code === "number");

/** Boomi's "The field '<label>' is blank." for the first blank connection field among the problems, in Boomi's order. */
function blankFieldMessage(problems: readonly string[]): string | undefined {
  const blank = problems
    .map((problem) => /^([\w.[\]]+)(?: \(Boomi "[^"]*"\))?: (.*)$/.exec(problem))
    .filter((match): match is RegExpExecArray => match !== null && /^required\b|got (""|"\s+"|an empty string|a blank string)/.test(match[2]!))
    .map((match) => match[1]!);
  for (const [pattern, label] of BLANK_FIELDS) if (blank.some((field) => pattern.test(field))) return `The field '${label}' is blank.`;
  return undefined;
}

/** Whether an AUTH_FAILED message's "tried: …" list holds key auth only (`publickey (…)`, `agent (…)`), e.g. "tried: publickey (ssh-ed25519 key content)". */
function triedOnlyKeys(error: SftpConnectorError): boolean {
  const tried = /\(tried: (.*?)(?:; the server accepts:.*)?\)$/.exec(error.message)?.[1];
  if (tried === undefined) return /SSH agent/.test(error.message);
  // Drop each method's parenthesised detail (nested parentheses do not occur), then split the list.
  const methods = tried
    .replace(/\([^()]*\)/g, "")
    .split(",")
    .map((m) => m.trim());
  return methods.every((m) => m === "publickey" || m === "agent");
}

/** The connect-time message of an error that happened while getting a session (Boomi's `SFTPClient.getSession`). */
function connectMessage(error: SftpConnectorError): string {
  const cause = `${BOOMI_STATUS_MESSAGES.unableToGetSession}. Cause: ${error.message}`;
  switch (error.reason) {
    case "INVALID_CONFIG": {
      const blank = blankFieldMessage(error.problems.length > 0 ? error.problems : [error.message]);
      if (blank) return blank;
      // Raised by the connection itself (no algorithm in common, an algorithm this runtime lacks): Boomi's generic text.
      if (error.operation === "connect" && error.problems.length === 0) return cause;
      if (error.operation !== "auth") return error.message;
      if (/cannot read the private key file/.test(error.message)) return BOOMI_STATUS_MESSAGES.keyFileNotFound;
      if (/\.passphrase: .*could not be decrypted|is encrypted; give/.test(error.message)) return BOOMI_STATUS_MESSAGES.keyLoginFailed;
      if (/is not a private key|is a public key, not a private key|\bis empty$/.test(error.message)) return BOOMI_STATUS_MESSAGES.invalidPrivateKey;
      return error.message;
    }
    case "AUTH_FAILED":
      return triedOnlyKeys(error) ? BOOMI_STATUS_MESSAGES.keyLoginFailed : BOOMI_STATUS_MESSAGES.loginFailed;
    case "HOST_UNREACHABLE":
      if (hasCode(error, "ECONNREFUSED")) return BOOMI_STATUS_MESSAGES.connectionRefused;
      if (hasCode(error, "ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL") || causeChain(error).some((e) => e.level === "client-dns")) {
        return BOOMI_STATUS_MESSAGES.unknownHost;
      }
      return cause;
    default:
      return cause;
  }
}

/** True for a connect-time error: one of getting a session, not of an operation on it. */
function isConnectTime(error: SftpConnectorError): boolean {
  if (CONNECT_OPERATIONS.has(error.operation ?? "")) return true;
  return ["INVALID_CONFIG", "AUTH_FAILED", "HOST_KEY_MISMATCH", "HOST_UNREACHABLE", "PROXY_FAILED"].includes(error.reason);
}

function fromError(error: SftpConnectorError, options: ToBoomiStatusOptions): BoomiStatusResult {
  const operation = options.operation ?? error.operation;
  if (isConnectTime(error)) return { status: "FAILURE", statusCode: "-1", message: connectMessage(error) };

  let status = REASON_STATUS[error.reason];
  let message = error.message;
  if (error.reason === "FAILURE" && isSftpStatusError(error)) status = "APPLICATION_ERROR";
  if (error.reason === "INVALID_INPUT" && operation === "create" && error.message.includes(MISSING_FILE_NAME)) status = "APPLICATION_ERROR";
  if (error.reason === "CONNECTION_LOST") message = `${BOOMI_STATUS_MESSAGES.lostConnectivity}. Cause: ${error.message}`;
  if (status === "FAILURE") return { status, statusCode: "-1", message };

  const directoryProblem = remoteDirectoryProblemOf(error) !== undefined;
  const afterRead = error.name === "AfterReadError"; // GET's failed delete/move after reading: Boomi's "-1"
  const fileNotFound = error.reason === "NO_SUCH_FILE" && !directoryProblem && (operation !== "get" || /^File Not Found\b/.test(error.message));
  if (fileNotFound) return { status, statusCode: "1", message };
  if (operation === "get" && !afterRead) return { status, statusCode: "400", message };
  return { status, statusCode: "-1", message };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/**
 * Boomi SFTP V2's outcome of one document, for processes that branch on it: the result of an
 * operation (or `undefined`, GET's empty result) is `SUCCESS` with code `"0"`; an error is
 * `APPLICATION_ERROR` for SFTP-level errors (not found, already exists, permission denied, a
 * missing remote directory, a failure the SFTP server reported) or `FAILURE` for the rest
 * (connection, login, host key, proxy, timeouts, config, bad input).
 *
 * - Success: `"0"`, "Success"; CREATE/UPSERT results: "Created the file successfully". GET's
 *   `undefined`, a DELETE result with `deleted: false` (not found), a LIST entry, a QUERY document,
 *   a LISTEN document and a DELETE result array are successes too.
 * - Codes: `"1"` for a file not found (`NO_SUCH_FILE` with `failIfNotFound`), `"400"` for GET's
 *   other SFTP-level errors (a missing remote directory included), `"-1"` for everything else.
 * - Connect-time errors carry Boomi's texts: "SFTP login failed Cause: access denied, Incorrect user
 *   credentials." (password), "… Caused by: Incorrect key file password or hostname." (key auth,
 *   a key passphrase that does not decrypt it), "SFTP connection to host failed. Cause: Unknown
 *   Host.", "An error occurred while connecting to the host with entered port. Cause: Connection
 *   Refused.", "The field 'Host' is blank." (and 'User Name', 'Password', 'Private Key Content',
 *   'Public Key Content', 'Client SSH Key File Path'), "An error occurred while creating a session.
 *   Cause: Invalid Private Key.", and "Unable to get Session. Cause: <our message>" for the rest.
 * - Anything else thrown (not an `SftpConnectorError`) is `FAILURE`, `"-1"`, with its message.
 *
 * Items that carry an error (a QUERY error item, a failed DELETE result) map that error.
 *
 * @example
 * ```ts
 * const outcome = await sftp.get({ fileName: "a.csv" }).then(toBoomiStatus, (e) => toBoomiStatus(e, { operation: "get" }));
 * if (outcome.status === "APPLICATION_ERROR") routeToErrorPath(outcome.statusCode, outcome.message);
 * ```
 */
export function toBoomiStatus(resultOrError: unknown, options: ToBoomiStatusOptions = {}): BoomiStatusResult {
  const value = resultOrError;
  if (isSftpConnectorError(value)) return fromError(value, options);
  if (value instanceof Error) return { status: "FAILURE", statusCode: "-1", message: value.message || value.name };
  if (value === undefined || value === null) return success();
  if (Array.isArray(value)) {
    const failed = value.find((item) => isRecord(item) && isSftpConnectorError(item.error));
    return failed ? toBoomiStatus(failed, options) : success();
  }
  if (isRecord(value)) {
    if (isSftpConnectorError(value.error)) return fromError(value.error, options);
    if (value.error instanceof Error) return toBoomiStatus(value.error, options);
    if (typeof value.message === "string" && isRecord(value.response)) return success(value.message);
  }
  return success();
}
