// The pure part of a poller: collects a listing, compares it with the snapshot into events, and tracks stability and retries (no timers, no I/O).
import { SftpConnectorError } from "@sftp-connector/core";
import type { PollEvent, PolledEntry } from "./PollEvent.js";
import type { Snapshot } from "./SnapshotStore.js";
import type { StableAfter } from "./normalizePollerOptions.js";

/** What a {@link SnapshotDiff} needs of the poller's options. */
export interface SnapshotDiffOptions {
  /** Which entries are polled; undefined for all. */
  readonly accept: ((entry: PolledEntry) => boolean) | undefined;
  /** True when `accept` is a pure function of the entry, so its answer for an unchanged entry can be reused. */
  readonly acceptIsPure: boolean;
  /** Whether directories are polled. */
  readonly includeDirectories: boolean;
  /** Whether `current` is a modification of `previous`. */
  readonly changed: (previous: PolledEntry, current: PolledEntry) => boolean;
  /** How long a new or changed entry must hold still before it is delivered. */
  readonly stableAfter: StableAfter | undefined;
}

interface Observation {
  size: number;
  mtime: number;
  /** When this size and mtime were first seen (epoch ms). */
  since: number;
  /** Listings since then that showed the same size and mtime. */
  polls: number;
}

/** One listed entry, as last seen. */
interface Slot {
  entry: PolledEntry;
  /** Whether the filter accepts it. */
  accepted: boolean;
  /** The cycle whose listing last showed it. */
  seen: number;
}

interface RetryState {
  failures: number;
  notBefore: number;
}

/**
 * The snapshot of a poller and the comparison of each listing against it: `collect` a listing, `compare` it
 * into events in rdp4j's order (removed, added, modified), then `advance` for each delivered event or
 * `recordFailure` for each failed one. Times are passed in (epoch ms), so it runs without timers.
 */
export class SnapshotDiff {
  /** The snapshot: each name as last delivered. */
  private delivered = new Map<string, PolledEntry>();
  /** Whether `delivered` came from the store or a baseline (false: the next cycle is a first run's baseline). */
  hasSnapshot = false;
  /** Every entry of the listings, kept across cycles so an unchanged entry costs a lookup (no allocation, no filter call). */
  private listing = new Map<string, Slot>();
  private readonly observed = new Map<string, Observation>();
  private readonly retries = new Map<string, RetryState>();

  constructor(private readonly o: SnapshotDiffOptions) {}

  /** The snapshot's entries. */
  entries(): PolledEntry[] {
    return [...this.delivered.values()];
  }

  /** How many entries the snapshot holds. */
  get size(): number {
    return this.delivered.size;
  }

  /** Takes a store's snapshot (undefined: nothing was ever saved, the next cycle is a baseline); refuses a malformed one. */
  load(snapshot: Snapshot | undefined, key: string): void {
    this.delivered = snapshot === undefined ? new Map() : snapshotToMap(snapshot, key);
    this.hasSnapshot = snapshot !== undefined;
    this.observed.clear();
    this.retries.clear();
  }

  /** Forgets everything: snapshot, listing, stability and retries (the next cycle is a baseline unless `load` comes first). */
  forget(): void {
    this.delivered = new Map();
    this.listing = new Map();
    this.hasSnapshot = false;
    this.observed.clear();
    this.retries.clear();
  }

  /** Forgets the listing kept across cycles (on stop). */
  forgetListing(): void {
    this.listing = new Map();
  }

  /** The listing of `cycle` becomes the snapshot (a first run's baseline). */
  takeBaseline(cycle: number): void {
    const baseline = new Map<string, PolledEntry>();
    for (const [name, slot] of this.listing) if (slot.seen === cycle && slot.accepted) baseline.set(name, slot.entry);
    this.delivered = baseline;
    this.hasSnapshot = true;
  }

  /**
   * Checks the entries of a `list()` result into the listing, stamping each with `cycle`: `.`/`..` and directories (unless
   * included) are left out; the filter decides `accepted`. An entry unchanged since the last listing keeps its slot
   * and object, and the core filter's answer for it.
   *
   * @throws SftpConnectorError INVALID_INPUT for an invalid entry or a result that is not iterable.
   */
  async collect(result: unknown, cycle: number): Promise<{ listed: number; entries: number }> {
    const { accept, acceptIsPure, includeDirectories } = this.o;
    const listing = this.listing;
    let listed = 0;
    let entries = 0;
    const take = (raw: unknown): void => {
      const index = listed++;
      if (typeof raw !== "object" || raw === null)
        throw badEntry(index, undefined, `expected an object { name, size, mtime, isDirectory }, got ${raw === null ? "null" : typeof raw}`);
      const { name, size, mtime, isDirectory } = raw as Record<string, unknown>;
      if (typeof name !== "string" || name.length === 0)
        throw badEntry(index, undefined, `name: expected a non-empty string, got ${typeof name === "string" ? '""' : typeof name}`);
      if (name === "." || name === "..") return;
      if (typeof size !== "number" || !Number.isFinite(size) || size < 0)
        throw badEntry(index, name, `size: expected a number of bytes ≥ 0, got ${String(size)}`);
      const ms = typeof mtime === "number" ? mtime : mtime instanceof Date ? mtime.getTime() : Number.NaN;
      if (!Number.isFinite(ms)) throw badEntry(index, name, `mtime: expected epoch milliseconds or a valid Date, got ${String(mtime)}`);
      if (isDirectory !== undefined && typeof isDirectory !== "boolean")
        throw badEntry(index, name, `isDirectory: expected true or false, got ${String(isDirectory)}`);
      const directory = isDirectory === true;
      if (directory && !includeDirectories) return;

      const slot = listing.get(name);
      if (slot !== undefined && slot.entry.size === size && slot.entry.mtime === ms && slot.entry.isDirectory === directory) {
        if (slot.seen !== cycle) {
          slot.seen = cycle;
          if (accept !== undefined && !acceptIsPure) slot.accepted = accept(slot.entry);
          if (slot.accepted) entries++;
        }
        return;
      }
      const entry: PolledEntry = { name, size, mtime: ms, isDirectory: directory };
      const accepted = accept === undefined || accept(entry);
      if (accepted && slot?.seen !== cycle) entries++;
      else if (!accepted && slot?.seen === cycle && slot.accepted) entries--; // a duplicate name: the last one wins
      if (slot === undefined) listing.set(name, { entry, accepted, seen: cycle });
      else {
        slot.entry = entry;
        slot.accepted = accepted;
        slot.seen = cycle;
      }
    };
    if (typeof result === "object" && result !== null && Symbol.asyncIterator in result) {
      for await (const raw of result as AsyncIterable<unknown>) take(raw);
    } else if (typeof result === "object" && result !== null && Symbol.iterator in result) {
      for (const raw of result as Iterable<unknown>) take(raw);
    } else {
      throw new SftpConnectorError(
        "INVALID_INPUT",
        `list() must return an array, an iterable or an async iterable of entries, got ${result === null ? "null" : typeof result}`,
        {
          operation: "poll.list",
        },
      );
    }
    return { listed, entries };
  }

  /** Compares the listing of `cycle` with the snapshot: the events ready to deliver, in rdp4j's order, and how many changes wait. */
  compare(cycle: number, now: number): { events: PollEvent[]; deferred: number } {
    const { delivered, observed, retries, listing } = this;
    const { changed, stableAfter } = this.o;
    const removed: PollEvent[] = [];
    const added: PollEvent[] = [];
    const modified: PollEvent[] = [];
    let deferred = 0;
    const attempt = (name: string): number => (retries.get(name)?.failures ?? 0) + 1;
    const waiting = (name: string): boolean => {
      const retry = retries.get(name);
      return retry !== undefined && retry.notBefore > now;
    };
    const present = (name: string): boolean => {
      const slot = listing.get(name);
      return slot !== undefined && slot.seen === cycle && slot.accepted;
    };

    let known = 0; // names of the snapshot found in this listing: when that is all of them, nothing was removed
    for (const [name, slot] of listing) {
      if (slot.seen !== cycle) {
        listing.delete(name); // gone from the listing
        continue;
      }
      if (!slot.accepted) continue;
      const { entry } = slot;
      const previous = delivered.get(name);
      if (previous !== undefined) known++;
      if (previous !== undefined && (previous === entry || !changed(previous, entry))) {
        if (observed.size > 0) observed.delete(name);
        if (retries.size > 0) retries.delete(name);
        continue;
      }
      if (stableAfter !== undefined && !this.isStable(name, entry, now)) deferred++;
      else if (waiting(name)) deferred++;
      else if (previous === undefined) added.push({ type: "added", entry, previous: undefined, attempt: attempt(name), cycle });
      else modified.push({ type: "modified", entry, previous, attempt: attempt(name), cycle });
    }
    if (known < delivered.size) {
      for (const [name, previous] of delivered) {
        if (present(name)) continue;
        if (waiting(name)) deferred++;
        else removed.push({ type: "removed", entry: previous, previous, attempt: attempt(name), cycle });
      }
    }
    // Forget what vanished before it was ever delivered.
    for (const name of observed.keys()) if (!present(name)) observed.delete(name);
    for (const name of retries.keys()) if (!present(name) && !delivered.has(name)) retries.delete(name);
    return { events: removed.concat(added, modified), deferred };
  }

  /** The event was delivered: the snapshot takes the delivered state. */
  advance(event: PollEvent): void {
    const { name } = event.entry;
    if (event.type === "removed") this.delivered.delete(name);
    else this.delivered.set(name, event.entry);
    this.retries.delete(name);
    this.observed.delete(name);
  }

  /** The delivery of `name` failed once more: it waits until `delayFor(failures)` ms after `now`. Returns the failure count and the delay. */
  recordFailure(name: string, now: number, delayFor: (failures: number) => number): { failures: number; delay: number } {
    const failures = (this.retries.get(name)?.failures ?? 0) + 1;
    const delay = delayFor(failures);
    this.retries.set(name, { failures, notBefore: now + delay });
    return { failures, delay };
  }

  /** True once the entry has shown the same size and mtime for `stableAfter`; a change restarts the wait. */
  private isStable(name: string, entry: PolledEntry, now: number): boolean {
    const stableAfter = this.o.stableAfter!;
    const seen = this.observed.get(name);
    if (seen === undefined || seen.size !== entry.size || seen.mtime !== entry.mtime) {
      this.observed.set(name, { size: entry.size, mtime: entry.mtime, since: now, polls: 0 });
      return false;
    }
    seen.polls += 1;
    return "polls" in stableAfter ? seen.polls >= stableAfter.polls : now - seen.since >= stableAfter.ms;
  }
}

function badEntry(index: number, name: string | undefined, problem: string): SftpConnectorError {
  const which = name === undefined ? `entry #${index}` : `entry #${index} (${JSON.stringify(name)})`;
  return new SftpConnectorError("INVALID_INPUT", `list() returned an invalid ${which}: ${problem}`, {
    operation: "poll.list",
    path: name,
    problems: [problem],
  });
}

/** Builds the snapshot map from a store's snapshot, refusing a malformed one. */
function snapshotToMap(snapshot: Snapshot, key: string): Map<string, PolledEntry> {
  const map = new Map<string, PolledEntry>();
  const invalid = (problem: string): SftpConnectorError =>
    new SftpConnectorError("INVALID_CONFIG", `The store returned an invalid snapshot for "${key}": ${problem}`, {
      operation: "poll.store",
      problems: [problem],
    });
  if (typeof snapshot !== "object" || snapshot === null || !Array.isArray(snapshot.entries)) throw invalid("expected { entries: [...] }");
  snapshot.entries.forEach((entry: unknown, i) => {
    const e = entry as Partial<PolledEntry> | null;
    if (
      typeof e !== "object" ||
      e === null ||
      typeof e.name !== "string" ||
      e.name.length === 0 ||
      typeof e.size !== "number" ||
      !Number.isFinite(e.size) ||
      typeof e.mtime !== "number" ||
      !Number.isFinite(e.mtime)
    ) {
      throw invalid(`entries[${i}]: expected { name, size, mtime, isDirectory }`);
    }
    map.set(e.name, { name: e.name, size: e.size, mtime: e.mtime, isDirectory: e.isDirectory === true });
  });
  return map;
}
