// The shapes a poller works with: the entries list() returns, the normalized entries it keeps, its events and cycle statistics.

/**
 * One entry as `list()` returns it. For a recursive listing, `name` is the path relative to the
 * polled directory (`sub/a.csv`); it is the entry's identity, so it must be unique within a listing.
 */
export interface ListedEntry {
  /** The entry's name, or its path relative to the polled directory. `.` and `..` are always ignored. */
  name: string;
  /** The size in bytes. */
  size: number;
  /** The modification time, as epoch milliseconds or a Date (an SFTP server gives seconds: multiply by 1000). */
  mtime: number | Date;
  /** Whether the entry is a directory. Directories are not files: they are ignored unless `includeDirectories` is set. @default false */
  isDirectory?: boolean;
}

/** What `list()` may return: an array or any iterable, an async iterable (an async generator), or a promise of one. */
export type ListResult = Iterable<ListedEntry> | AsyncIterable<ListedEntry> | PromiseLike<Iterable<ListedEntry> | AsyncIterable<ListedEntry>>;

/** An entry as the poller keeps it in its snapshot and hands it in events: `mtime` is always epoch milliseconds. */
export interface PolledEntry {
  /** The entry's name or relative path, as `list()` gave it. */
  readonly name: string;
  /** The size in bytes. */
  readonly size: number;
  /** The modification time in epoch milliseconds. */
  readonly mtime: number;
  /** Whether the entry is a directory (only ever true with `includeDirectories`). */
  readonly isDirectory: boolean;
}

/** The three kinds of change, in the order a cycle delivers them (rdp4j's order). */
export const POLL_EVENT_TYPES = ["removed", "added", "modified"] as const;

/** A kind of change. */
export type PollEventType = (typeof POLL_EVENT_TYPES)[number];

/** What every event carries. */
interface PollEventBase {
  /** The entry: for `added` and `modified` as it was listed (and found stable); for `removed`, as it was last delivered. */
  readonly entry: PolledEntry;
  /** How many times this change has been handed out: 1 the first time, 2 after one failed delivery, and so on. */
  readonly attempt: number;
  /** The number of the cycle that delivers it (cycles are counted from the poller's creation, failed listings included). */
  readonly cycle: number;
  /** The fencing token of the lease under which it is delivered, when the lock gives one: a sink can refuse a stale writer. */
  readonly fencingToken?: string;
}

/** A name that was not in the snapshot appeared. */
export interface AddedEvent extends PollEventBase {
  readonly type: "added";
  /** Always undefined for `added`. */
  readonly previous: undefined;
}

/** A known name changed (by default: its size or its mtime differs from what was last delivered). */
export interface ModifiedEvent extends PollEventBase {
  readonly type: "modified";
  /** The entry as it was last delivered. */
  readonly previous: PolledEntry;
}

/** A known name is no longer listed. `entry` and `previous` are both the entry as it was last delivered. */
export interface RemovedEvent extends PollEventBase {
  readonly type: "removed";
  /** The entry as it was last delivered (the same object as `entry`). */
  readonly previous: PolledEntry;
}

/** A change the poller delivers. */
export type PollEvent = AddedEvent | ModifiedEvent | RemovedEvent;

/** Statistics of one completed poll cycle, given to `cycle` listeners (handy for benchmarks and health checks). */
export interface CycleStats {
  /** The cycle's number (1-based, counted from the poller's creation, failed listings included). */
  readonly cycle: number;
  /** True for a baseline cycle: the listing became the snapshot and no event was delivered. */
  readonly baseline: boolean;
  /** Entries `list()` returned. */
  readonly listed: number;
  /** Entries polled: those listed minus `.`/`..`, directories (unless included) and entries the filter rejected. */
  readonly entries: number;
  /** Events delivered (the handler and every listener completed), by type. */
  readonly events: { readonly added: number; readonly modified: number; readonly removed: number };
  /** Deliveries that failed; each change is retried in a later cycle. */
  readonly failed: number;
  /** Changes seen but held back: not yet stable, or waiting for their retry backoff. */
  readonly deferred: number;
  /** Changes not started because `stop()` was called; they are delivered after the next start. */
  readonly skipped: number;
  /** Milliseconds spent in `list()`. */
  readonly listMs: number;
  /** Milliseconds the whole cycle took: listing, comparing, delivering and saving the checkpoint. */
  readonly durationMs: number;
}
