// The Redis keys of one (namespace, poller key): all under one hash tag, so every script runs on one Redis Cluster slot.
import { createHash } from "node:crypto";

/** The Redis keys a coordination uses for one poller key. They share the hash tag `{…}`, so they live on one Cluster slot. */
export interface RedisCoordinationKeys {
  /** The hash tag: the first 16 hex digits of SHA-256 over the namespace and the poller key. */
  readonly tag: string;
  /** The lease: a string holding the owner, with a PX TTL. */
  readonly lease: string;
  /** The fencing token counter (INCR on every change of holder); never expires. */
  readonly token: string;
  /** The checkpoint: a hash of `snapshot` (JSON), `fencingToken` and `savedAt` (the server's clock, epoch ms). */
  readonly checkpoint: string;
  /** The init marker: a hash of `createdAt` (first save), `savedAt` and `fencingToken` (last save), written by every save. */
  readonly init: string;
  /** The work queue: a stream (consumer group `workers`), one entry per change. */
  readonly queue: string;
  /** Change identity → stream id, for changes waiting or claimed (idempotent enqueue). */
  readonly queueIds: string;
  /** File name → the id of its oldest change in the queue (only that one is claimable). */
  readonly queueHeads: string;
  /** File name → the id of its newest change in the queue. */
  readonly queueTails: string;
  /** Stream id → the id of the next change of the same file. */
  readonly queueNext: string;
  /** Sorted set of claimable-when-due changes already read from the stream: score = the server time they become claimable (a claim's deadline). */
  readonly queueDue: string;
  /** Stream id → the receipt of its current claim. */
  readonly queueReceipts: string;
  /** Stream id → how many times it was claimed. */
  readonly queueDeliveries: string;
  /** Set of stream ids read from the stream while an older change of their file was in the queue. */
  readonly queueParked: string;
  /** The receipt counter. */
  readonly queueSeq: string;
}

/**
 * The keys of `key` in `namespace`: `sftpc:{<tag>}:lease`, `…:token`, `…:checkpoint`, `…:init`,
 * `…:queue` and the queue's bookkeeping (`…:queue:ids`, `…:queue:heads`…). The tag hashes both
 * names, so a long poller key (an `sftp://` URL) stays short and two namespaces never meet.
 *
 * @example
 * ```ts
 * redisKeysFor("sftp-connector", "sftp://127.0.0.1:2222/inbox").checkpoint; // "sftpc:{3f…}:checkpoint"
 * ```
 */
export function redisKeysFor(namespace: string, key: string): RedisCoordinationKeys {
  const tag = createHash("sha256")
    .update(JSON.stringify([namespace, key]))
    .digest("hex")
    .slice(0, 16);
  const prefix = `sftpc:{${tag}}:`;
  return {
    tag,
    lease: `${prefix}lease`,
    token: `${prefix}token`,
    checkpoint: `${prefix}checkpoint`,
    init: `${prefix}init`,
    queue: `${prefix}queue`,
    queueIds: `${prefix}queue:ids`,
    queueHeads: `${prefix}queue:heads`,
    queueTails: `${prefix}queue:tails`,
    queueNext: `${prefix}queue:next`,
    queueDue: `${prefix}queue:due`,
    queueReceipts: `${prefix}queue:receipts`,
    queueDeliveries: `${prefix}queue:deliveries`,
    queueParked: `${prefix}queue:parked`,
    queueSeq: `${prefix}queue:seq`,
  };
}
