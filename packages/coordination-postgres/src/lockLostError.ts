// LOCK_LOST, the refusal of a fenced write whose token is not the live lease's, and the check that a fenced write carries a token.
import { SftpConnectorError } from "@sftp-connector/core";

/** A fencing token as the lock hands it out: a PostgreSQL bigint in decimal. */
const TOKEN = /^[0-9]{1,19}$/;

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

/**
 * The fencing token of a fenced write's context.
 * @throws SftpConnectorError INVALID_INPUT when there is none (the store and queue of a coordination are used with its lock) or it is not a decimal token.
 */
export function requireFencingToken(context: { readonly fencingToken?: unknown } | undefined, operation: string): string {
  const token = context?.fencingToken;
  if (token === undefined) {
    throw new SftpConnectorError(
      "INVALID_INPUT",
      "context.fencingToken: missing; the store and queue of a coordination must be used with its lock (pass the token its acquire returned)",
      { operation },
    );
  }
  if (typeof token !== "string" || !TOKEN.test(token)) {
    throw new SftpConnectorError(
      "INVALID_INPUT",
      `context.fencingToken: expected a decimal token as the lock returned it, got ${typeof token === "string" ? JSON.stringify(token.slice(0, 40)) : typeof token}`,
      { operation },
    );
  }
  return token;
}
