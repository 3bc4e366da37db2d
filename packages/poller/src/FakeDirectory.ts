// Test support (not exported): an in-memory directory with a list() function, and a wait that works under fake timers.
import type { ListedEntry } from "./PollEvent.js";

/** The real setImmediate, captured before a test installs fake timers. */
const realSetImmediate = globalThis.setImmediate;
/** The real clock, captured likewise. */
const realNow = Date.now;

/** A directory in memory whose `list()` can be made slow or failing, and which counts overlapping calls. */
export class FakeDirectory {
  readonly files = new Map<string, ListedEntry>();
  /** Epoch ms (fake clock) of every list() call. */
  readonly calls: number[] = [];
  /** Calls of list() running now, and the most ever at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** The next `failures` calls reject with `error`. */
  failures = 0;
  error: unknown = new Error("connection reset");
  /** Each call takes this long (fake timers), 0 for none. */
  delayMs = 0;

  constructor(entries: Record<string, number> = {}) {
    for (const [name, size] of Object.entries(entries)) this.set(name, size);
  }

  /** Creates or changes a file (mtime defaults to now). */
  set(name: string, size: number, mtime: number = Date.now(), isDirectory = false): this {
    this.files.set(name, { name, size, mtime, isDirectory });
    return this;
  }

  remove(name: string): this {
    this.files.delete(name);
    return this;
  }

  readonly list = async (): Promise<ListedEntry[]> => {
    this.calls.push(Date.now());
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.failures > 0) {
        this.failures -= 1;
        throw this.error;
      }
      return [...this.files.values()].map((entry) => ({ ...entry }));
    } finally {
      this.inFlight -= 1;
    }
  };
}

/** Lets real I/O and pending promises run until `condition` holds, for at least one turn of the event loop (fake time does not move). */
export async function until(condition: () => boolean, what = "the condition", timeoutMs = 10_000): Promise<void> {
  const deadline = realNow() + timeoutMs;
  do {
    // Always at least one turn, so that what follows the awaited condition (scheduling the next cycle) has run.
    await new Promise((resolve) => realSetImmediate(resolve));
    if (realNow() > deadline) throw new Error(`timed out waiting for ${what}`);
  } while (!condition());
}

/** Lets pending promises and real I/O settle for a few turns of the event loop. */
export async function settle(turns = 20): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => realSetImmediate(resolve));
}
