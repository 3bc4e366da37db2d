// The lock contract for singleton pollers: only the holder polls; another poller takes over when the holder stops or dies.

/** What a lock may return for a successful acquire, instead of `true`. */
export interface Lease {
  /** When the lease lapses unless it is confirmed again, in epoch milliseconds (informational). */
  readonly expiresAt?: number;
}

/**
 * A lock that makes a poller a singleton across processes (`createFileLock` for one machine; implement
 * it over a database, Redis or etcd for a cluster).
 *
 * The poller calls `acquire(key)` before every cycle, holder or not: for the holder it confirms (and may
 * refresh) the lease and must resolve truthy; for anyone else it resolves `false` until the holder
 * releases the lock or is found dead. Use one lock object per poller: a lock object stands for one holder.
 */
export interface PollerLock {
  /** Takes the lock for `key`, or confirms that this holder still has it. `false` when another holder has it. */
  acquire(key: string): Promise<boolean | Lease>;
  /** Gives the lock up, if this holder has it. */
  release(key: string): Promise<void>;
}
