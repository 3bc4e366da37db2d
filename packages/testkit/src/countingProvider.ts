// A session provider wrapper for tests: counts the sessions taken and at most in use at once, and can cut one session's connection mid-transfer.

/** The provider shape transport's `SessionProvider` has (`acquire`/`release`, optionally `removeWhenReconnected` and `available`), kept structural so the testkit needs no transport. */
export interface LendingProvider<Session> {
  acquire(options?: { signal?: AbortSignal }): Promise<Session>;
  release(session: Session, options?: { broken?: boolean }): void;
  removeWhenReconnected?(path: string): void;
  available?(): number;
}

/** Which session to cut: the `session`-th one taken (from 1), once it has made `afterCalls` reads (`readChunk`) or writes (`write`). */
export interface CutOptions {
  session: number;
  afterCalls: number;
}

/** What {@link countingProvider} returns: the wrapped provider and its counts. */
export interface CountingProvider<P> {
  /** Pass this to the code under test. */
  provider: P;
  /** Sessions taken so far (each `acquire`). */
  taken(): number;
  /** Sessions in use at once, at most. */
  peak(): number;
  /** Sessions taken and not given back. */
  inUse(): number;
  /** Connections cut so far (0 or 1). */
  cuts(): number;
  /** Releases of a session that was not lent out at the time (given back twice): passed on to the provider, but not counted by {@link CountingProvider.inUse}. */
  overReleases(): number;
}

/**
 * Wraps `provider` (a `SessionPool`, say) to count what the code under test takes from it; with
 * `cut`, the `cut.session`-th session taken has its socket destroyed at its `cut.afterCalls`-th read
 * or write request, as a connection lost in the middle of a transfer (the session must be
 * transport's `SftpSession`).
 *
 * @example
 * ```ts
 * const counting = countingProvider(pool, { session: 3, afterCalls: 3 });
 * await getFile(counting.provider, { fileName: "big.bin" }, { as: "buffer", connections: 4 });
 * expect(counting.cuts()).toBe(1);
 * expect(counting.inUse()).toBe(0);
 * ```
 */
export function countingProvider<Session extends object, P extends LendingProvider<Session>>(provider: P, cut?: CutOptions): CountingProvider<P> {
  let taken = 0;
  let inUse = 0;
  let peak = 0;
  let cuts = 0;
  let overReleases = 0;
  /** How many times each session is lent out now (a pool may lend one session to two callers). */
  const lent = new Map<Session, number>();
  const sabotage = (session: Session) => {
    type Patched = Record<"readChunk" | "write", (...args: unknown[]) => unknown> & { raw: { client: { _sock: { destroy(): void } } } };
    const target = session as unknown as Patched;
    let calls = 0;
    const trip = () => {
      calls += 1;
      if (calls !== cut!.afterCalls) return;
      cuts += 1;
      target.raw.client._sock.destroy();
    };
    for (const method of ["readChunk", "write"] as const) {
      const original = target[method].bind(target);
      target[method] = (...args: unknown[]) => {
        trip();
        return original(...args);
      };
    }
  };
  const wrapped: LendingProvider<Session> = {
    async acquire(options) {
      const session = await provider.acquire(options);
      taken += 1;
      inUse += 1;
      lent.set(session, (lent.get(session) ?? 0) + 1);
      peak = Math.max(peak, inUse);
      if (cut && taken === cut.session) sabotage(session);
      return session;
    },
    release(session, options) {
      const times = lent.get(session) ?? 0;
      if (times === 0) overReleases += 1;
      else {
        inUse -= 1;
        if (times === 1) lent.delete(session);
        else lent.set(session, times - 1);
      }
      provider.release(session, options);
    },
    ...(provider.removeWhenReconnected ? { removeWhenReconnected: (path: string) => provider.removeWhenReconnected!(path) } : {}),
    ...(provider.available ? { available: () => provider.available!() } : {}),
  };
  return { provider: wrapped as P, taken: () => taken, peak: () => peak, inUse: () => inUse, cuts: () => cuts, overReleases: () => overReleases };
}
