// Queues SSH handshakes per host:port with a small concurrency, since servers drop bursts past OpenSSH's MaxStartups.

/** Limits concurrent logins per key (host:port); callers are served in arrival order. */
export class LoginQueue {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  /** @param concurrency logins in flight per key. @default 4 (OpenSSH's MaxStartups starts dropping at 10) */
  constructor(readonly concurrency = 4) {}

  /** Runs `login` once a slot for `key` is free. */
  async run<T>(key: string, login: () => Promise<T>): Promise<T> {
    if ((this.active.get(key) ?? 0) >= this.concurrency) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(key) ?? [];
        queue.push(resolve);
        this.waiting.set(key, queue);
      });
    } else {
      this.active.set(key, (this.active.get(key) ?? 0) + 1);
    }
    try {
      return await login();
    } finally {
      const next = this.waiting.get(key)?.shift();
      if (next)
        next(); // the slot passes straight to the next caller
      else {
        const left = (this.active.get(key) ?? 1) - 1;
        if (left > 0) this.active.set(key, left);
        else this.active.delete(key);
        this.waiting.delete(key);
      }
    }
  }
}

/** The queue every session opened without an explicit one shares. */
export const defaultLoginQueue = new LoginQueue();
