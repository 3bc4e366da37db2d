// The row key of one (group, poller key) pair: a SHA-256 of both, so two groups on one database never meet and long keys fit an index.
import { SftpConnectorError } from "@sftp-connector/core";
import { createHash } from "node:crypto";

/** What the rows of one (group, poller key) pair are keyed by, and the names kept beside it for people reading the tables. */
export interface Scope {
  /** SHA-256 (hex) of the group and the poller key. */
  readonly id: string;
  /** The group (the factory's `key` option). */
  readonly namespace: string;
  /** The poller's key. */
  readonly key: string;
}

/**
 * The scope of poller key `key` in group `namespace`.
 * @throws SftpConnectorError INVALID_INPUT when `key` is not a non-empty string.
 */
export function scopeOf(namespace: string, key: unknown, operation: string): Scope {
  if (typeof key !== "string" || key.length === 0) {
    throw new SftpConnectorError("INVALID_INPUT", `key: expected the poller's key (a non-empty string), got ${typeof key === "string" ? '""' : typeof key}`, {
      operation,
    });
  }
  const id = createHash("sha256")
    .update(JSON.stringify([namespace, key]))
    .digest("hex");
  return { id, namespace, key };
}
