// LOCK_LOST, the refusal of a fenced write whose token is not the live lease's.
import { SftpConnectorError } from "@sftp-connector/core";

/**
 * The `LOCK_LOST` error of a fenced write (`poll.store` or `poll.queue`) refused because `token` is not
 * the live lease's: another holder took over, or the lease lapsed. Never retryable: the caller stops
 * delivering and stands by.
 */
export function lockLostError(operation: "poll.store" | "poll.queue", what: string, token: string): SftpConnectorError {
  return new SftpConnectorError(
    "LOCK_LOST",
    `${what} refused: fencing token ${token} is not the live lease's (another holder took over, or the lease lapsed)`,
    {
      operation,
      retryable: false,
    },
  );
}
