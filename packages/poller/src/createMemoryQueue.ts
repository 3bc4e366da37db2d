// A WorkQueue in memory: the reference behaviour of the shared queue contract, for tests and single-process use.
import { SftpConnectorError } from "@sftp-connector/core";
import type { PollEvent } from "./PollEvent.js";
import type { ClaimedChange, FenceContext, QueuedChange, WorkQueue } from "./WorkQueue.js";

/** Options of {@link createMemoryQueue}. */
export interface MemoryQueueOptions {
  /** The clock that decides visibility deadlines, in ms. @default Date.now */
  now?: () => number;
  /** The live fencing token, if the queue should check one (a fenced enqueue with another token is LOCK_LOST). @default none: every enqueue is accepted */
  liveToken?: (key: string) => string | undefined;
}

/** A {@link WorkQueue} in memory, with a look inside for tests. */
export interface MemoryQueue extends WorkQueue {
  /** Every change of `key` still in the queue, oldest first. */
  peek(key: string): QueuedChange[];
}

interface Row {
  id: number;
  event: PollEvent;
  fencingToken?: string;
  identity: string;
  deliveries: number;
  visibleAt: number;
  receipt?: string;
}

/** The identity that makes an enqueue idempotent: the kind of change and the entry's name, size and mtime. */
export function changeIdentity(event: PollEvent): string {
  return JSON.stringify([event.type, event.entry.name, event.entry.size, event.entry.mtime]);
}

/**
 * Creates an in-memory {@link WorkQueue} that follows the contract exactly (idempotent enqueue,
 * per-file order, visibility deadlines, receipts): handy to test a handler or a custom queue
 * against, not to share work between processes.
 *
 * @example
 * ```ts
 * const queue = createMemoryQueue();
 * await queue.enqueue("inbox", [event]);
 * const change = await queue.claim("inbox", "worker-1", 30_000);
 * if (change) await queue.ack("inbox", change);
 * ```
 */
export function createMemoryQueue(options: MemoryQueueOptions = {}): MemoryQueue {
  const now = options.now ?? Date.now;
  const queues = new Map<string, Row[]>();
  let nextId = 1;
  let nextReceipt = 1;
  const rows = (key: string): Row[] => {
    let list = queues.get(key);
    if (list === undefined) queues.set(key, (list = []));
    return list;
  };
  const find = (key: string, change: ClaimedChange): Row | undefined =>
    rows(key).find((row) => String(row.id) === change.id && row.receipt === change.receipt && row.visibleAt > now());
  const view = (row: Row): QueuedChange => ({
    id: String(row.id),
    event: structuredClone(row.event),
    ...(row.fencingToken === undefined ? {} : { fencingToken: row.fencingToken }),
    deliveries: row.deliveries,
  });
  return {
    async enqueue(key: string, events: readonly PollEvent[], context?: FenceContext) {
      const live = options.liveToken?.(key);
      if (live !== undefined && context?.fencingToken !== live) {
        throw new SftpConnectorError("LOCK_LOST", `enqueue for ${key} refused: fencing token ${context?.fencingToken ?? "(none)"} is not the live lease's`, {
          operation: "poll.queue",
          retryable: false,
        });
      }
      const list = rows(key);
      for (const event of events) {
        const identity = changeIdentity(event);
        if (list.some((row) => row.identity === identity)) continue;
        list.push({
          id: nextId++,
          event: structuredClone(event),
          ...(context?.fencingToken === undefined ? {} : { fencingToken: context.fencingToken }),
          identity,
          deliveries: 0,
          visibleAt: 0,
        });
      }
    },
    async claim(key: string, _consumer: string, visibilityMs: number) {
      const at = now();
      const list = rows(key);
      const blocked = new Set<string>();
      for (const row of list) {
        const name = row.event.entry.name;
        if (blocked.has(name)) continue;
        blocked.add(name); // only the oldest change of a file is ever claimable
        if (row.visibleAt > at) continue;
        row.deliveries++;
        row.visibleAt = at + visibilityMs;
        row.receipt = String(nextReceipt++);
        return { ...view(row), receipt: row.receipt };
      }
      return undefined;
    },
    async extend(key: string, change: ClaimedChange, visibilityMs: number) {
      const row = find(key, change);
      if (row === undefined) return false;
      row.visibleAt = now() + visibilityMs;
      return true;
    },
    async ack(key: string, change: ClaimedChange) {
      const row = find(key, change);
      if (row === undefined) return false;
      const list = rows(key);
      list.splice(list.indexOf(row), 1);
      return true;
    },
    async release(key: string, change: ClaimedChange, delayMs: number) {
      const row = find(key, change);
      if (row === undefined) return false;
      row.visibleAt = now() + delayMs;
      delete row.receipt;
      return true;
    },
    async size(key: string) {
      return rows(key).length;
    },
    peek: (key: string) => rows(key).map(view),
  };
}
