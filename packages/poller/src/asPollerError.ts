// Turns whatever a list(), store or lock threw into an SftpConnectorError naming the poller's operation.
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";

/** Keeps an SftpConnectorError as it is; wraps anything else with the operation and a message. */
export function asPollerError(error: unknown, operation: string, message: string): SftpConnectorError {
  if (isSftpConnectorError(error)) return error;
  const detail = error instanceof Error ? `: ${error.message}` : "";
  return new SftpConnectorError("FAILURE", `${message}${detail}`, { operation, cause: error });
}
