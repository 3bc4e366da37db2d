// The check every fenced write of a coordination starts with: the context carries the lease's fencing token, a decimal string.
import { SftpConnectorError, describeValue } from "@sftp-connector/core";
import type { FenceContext } from "./WorkQueue.js";

/** A fencing token as locks hand it out: a decimal counter (a PostgreSQL bigint, a Redis INCR). */
const TOKEN = /^[0-9]{1,19}$/;

/**
 * The fencing token of a fenced write's context (a store's `save`, a queue's `enqueue`), for
 * coordination implementations.
 *
 * @throws SftpConnectorError `INVALID_INPUT` when there is none (the store and queue of a
 * coordination are used with its lock) or it is not a decimal token.
 *
 * @example
 * ```ts
 * async save(key, snapshot, context) {
 *   const token = requireFencingToken(context, "poll.store");
 *   // … write only if `token` is the live lease's, else throw LOCK_LOST
 * }
 * ```
 */
export function requireFencingToken(context: FenceContext | { readonly fencingToken?: unknown } | undefined, operation: string): string {
  const token = context?.fencingToken;
  if (typeof token !== "string" || !TOKEN.test(token)) {
    throw new SftpConnectorError(
      "INVALID_INPUT",
      `context.fencingToken: expected the decimal token the lock's acquire returned, got ${describeValue(typeof token === "string" ? token.slice(0, 40) : token)}: the store and queue of a coordination must be used with its lock`,
      { operation },
    );
  }
  return token;
}
