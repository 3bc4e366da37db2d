// Builds the INVALID_CONFIG error every auth strategy throws: operation "auth", the message as its one problem, never a secret.
import { SftpConnectorError } from "@sftp-connector/core";

/** Options of {@link authConfigError}. */
export interface AuthConfigErrorOptions {
  /** The local file concerned (a key file). @default undefined */
  path?: string;
  /** The underlying error; only errors whose message carries no secret (file system errors). @default undefined */
  cause?: unknown;
}

/**
 * An `INVALID_CONFIG` {@link SftpConnectorError} with operation `"auth"`. The message must start
 * with the config field path (`auth.path: …`) and must not contain a secret.
 */
export function authConfigError(message: string, options: AuthConfigErrorOptions = {}): SftpConnectorError {
  return new SftpConnectorError("INVALID_CONFIG", message, {
    operation: "auth",
    problems: [message],
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}
