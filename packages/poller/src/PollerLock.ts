// The lock contract for singleton pollers: only the holder polls; another poller takes over when the holder stops or dies.

/**
 * What a lock may return for a successful acquire, instead of `true`. A lock for a cluster returns a
 * `fencingToken` and a `ttlMs`; a lock for one machine (`createFileLock`) may return neither.
 */
export interface Lease {
  /** When the lease lapses unless it is confirmed again, in epoch milliseconds (informational: the poller never compares it with its own clock). */
  readonly expiresAt?: number;
  /**
   * The fencing token: a decimal string (a PostgreSQL bigint or a Redis INCR fits) that rises by one on
   * every change of holder and stays the same while one holder confirms its lease. The poller passes it to
   * the store's `load` and `save` (as `context.fencingToken`) and puts it on every event it delivers, so a
   * store or a sink can refuse a stale writer.
   */
  readonly fencingToken?: string;
  /**
   * How long the lease lasts, in ms, counted from the moment `acquire` was SENT (not answered: the time
   * on the wire counts against the holder). The poller stops delivering and saving once
   * `sent + ttlMs × (1 − leaseMargin)` passed on its monotonic clock without a newer confirmation, and
   * counts itself not the holder until an acquire confirms again. Without it the lease never lapses locally.
   */
  readonly ttlMs?: number;
}

/**
 * A lock that makes a poller a singleton across processes (`createFileLock` for one machine; implement
 * it over a database, Redis or etcd for a cluster).
 *
 * The poller calls `acquire(key)` before every cycle, holder or not: for the holder it confirms (and may
 * refresh) the lease and must resolve truthy; for anyone else it resolves `false` until the holder
 * releases the lock or is found dead. Use one lock object per poller: a lock object stands for one holder.
 *
 * For a cluster, the contract is a lease (see {@link Lease}):
 * - only the lock engine's clock decides expiry (never compare wall clocks of two machines);
 * - the fencing token rises by one on every change of holder; `acquire` by the holder keeps it;
 * - renewing (`acquire` by the holder) and `release` compare both the owner and the token;
 * - an `acquire` that fails or times out means "outcome unknown": the poller counts itself not the holder
 *   (so a lock should reject, not resolve `false`, when it cannot tell);
 * - a token that changes while the poller holds the lock counts as a loss and a new take (the snapshot is reloaded).
 */
export interface PollerLock {
  /** Takes the lock for `key`, or confirms that this holder still has it (`true` or a {@link Lease}). `false` when another holder has it. */
  acquire(key: string): Promise<boolean | Lease>;
  /** Gives the lock up, if this holder has it. */
  release(key: string): Promise<void>;
}
