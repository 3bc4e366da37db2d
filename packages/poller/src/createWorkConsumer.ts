// A worker of a shared queue: claims changes, runs the handler with a heartbeat on the claim, acknowledges or gives back.
import { SftpConnectorError, checkOptions, isSftpConnectorError, type OptionsSpec } from "@sftp-connector/core";
import { consoleWarningsLogger, type PollerLogger } from "./PollerLogger.js";
import type { ClaimedChange, WorkQueue } from "./WorkQueue.js";

/** Called with each claimed change and a signal that aborts when the claim is lost; resolve to acknowledge it, throw to have it retried. */
export type WorkHandler = (change: ClaimedChange, signal: AbortSignal) => void | Promise<void>;

/** Options of {@link createWorkConsumer}. */
export interface WorkConsumerOptions {
  /** The shared queue. */
  queue: WorkQueue;
  /** The queue's key (the listener's key). */
  key: string;
  /** This worker's name in the queue (for the engine's bookkeeping). */
  consumer: string;
  /** Handles one change. */
  handler: WorkHandler;
  /** Changes handled at once by this worker. @default 1 */
  concurrency?: number;
  /** How long a claim stays hidden from other workers; renewed every third of it while the handler runs. @default 60_000 */
  visibilityMs?: number;
  /** The wait before asking the queue again when it had nothing to claim (or failed), in ms. @default 1_000 */
  idleMs?: number;
  /** The wait before a change whose handler failed may be claimed again, in ms. @default 1_000 */
  retryBackoffMs?: number;
  /** Told of failed handlers, lost claims and queue errors. @default warnings and errors to the console */
  logger?: PollerLogger;
}

/** A running worker. */
export interface WorkConsumer {
  /** Starts claiming (idempotent). */
  start(): void;
  /** Stops claiming and waits for the handlers in flight (their changes are acknowledged or given back). */
  stop(): Promise<void>;
  /** Counts since the start: changes acknowledged, handlers failed, claims lost, queue calls failed. */
  readonly stats: { readonly handled: number; readonly failed: number; readonly lost: number; readonly queueErrors: number };
}

const SPEC: OptionsSpec = {
  known: ["queue", "key", "consumer", "handler", "concurrency", "visibilityMs", "idleMs", "retryBackoffMs", "logger"],
  operation: "poll.queue",
};

/**
 * Creates a worker that takes changes from `queue` one claim at a time (up to `concurrency` at once),
 * runs `handler` on each while extending the claim every `visibilityMs / 3`, acknowledges it when
 * the handler resolves and gives it back after `retryBackoffMs` when it throws. A claim that could
 * not be extended (it lapsed and another worker may have it) aborts the handler's signal and is not
 * acknowledged. Queue failures are logged and retried after `idleMs`; the worker never stops on its own.
 *
 * @example
 * ```ts
 * const worker = createWorkConsumer({ queue, key: "inbox", consumer: "node-1", handler: async (change) => handle(change.event) });
 * worker.start();
 * // … later
 * await worker.stop();
 * ```
 */
export function createWorkConsumer(options: WorkConsumerOptions): WorkConsumer {
  const problems: string[] = [];
  const o = checkOptions(options, SPEC, problems);
  const positive = (name: "concurrency" | "visibilityMs" | "idleMs" | "retryBackoffMs", min: number, fallback: number): number => {
    const value = o[name];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || (name === "concurrency" && !Number.isInteger(value))) {
      problems.push(`${name}: expected ${name === "concurrency" ? "an integer" : "a number of ms"} of at least ${min}, got ${String(value)}`);
    }
    return value;
  };
  if (typeof o.queue !== "object" || o.queue === null || typeof o.queue.claim !== "function") problems.push("queue: expected a WorkQueue");
  if (typeof o.key !== "string" || o.key === "") problems.push("key: expected a non-empty string");
  if (typeof o.consumer !== "string" || o.consumer === "") problems.push("consumer: expected a non-empty string");
  if (typeof o.handler !== "function") problems.push("handler: expected a function");
  const concurrency = positive("concurrency", 1, 1);
  const visibilityMs = positive("visibilityMs", 300, 60_000);
  const idleMs = positive("idleMs", 1, 1_000);
  const retryBackoffMs = positive("retryBackoffMs", 0, 1_000);
  if (problems.length > 0) {
    throw new SftpConnectorError("INVALID_CONFIG", `Invalid work consumer options:\n  - ${problems.join("\n  - ")}`, { operation: "poll.queue", problems });
  }
  const { queue, key, consumer, handler } = o;
  const logger = o.logger ?? consoleWarningsLogger;
  const stats = { handled: 0, failed: 0, lost: 0, queueErrors: 0 };
  let running = false;
  const lanes = new Set<Promise<void>>();
  /** Lanes waiting for their next claim; stop() wakes them. */
  const sleepers = new Set<() => void>();

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  const handle = async (change: ClaimedChange): Promise<void> => {
    const lost = new AbortController();
    const heartbeat = setInterval(
      () => {
        queue.extend(key, change, visibilityMs).then(
          (kept) => {
            if (kept || lost.signal.aborted) return;
            stats.lost++;
            logger.warn(`the claim on change ${change.id} of ${key} lapsed; another worker may handle it`, { key, id: change.id });
            lost.abort(new SftpConnectorError("LOCK_LOST", `the claim on change ${change.id} lapsed`, { operation: "poll.queue", retryable: false }));
          },
          (error: unknown) => logger.warn(`extending the claim on change ${change.id} failed: ${messageOf(error)}`, { key, id: change.id }),
        );
      },
      Math.max(100, Math.floor(visibilityMs / 3)),
    );
    try {
      await handler(change, lost.signal);
      if (lost.signal.aborted) return;
      if (await queue.ack(key, change)) stats.handled++;
      else {
        stats.lost++;
        logger.warn(`change ${change.id} of ${key} was handled but its claim had lapsed: another worker may handle it again`, { key, id: change.id });
      }
    } catch (error) {
      if (lost.signal.aborted) return;
      stats.failed++;
      logger.warn(
        `handling change ${change.id} of ${key} (${change.event.type} ${change.event.entry.name}, delivery ${change.deliveries}) failed: ${messageOf(error)}; it is retried in ${retryBackoffMs} ms or later`,
        {
          key,
          id: change.id,
        },
      );
      await queue.release(key, change, retryBackoffMs).catch((releaseError: unknown) => {
        stats.queueErrors++;
        logger.warn(`giving change ${change.id} back failed (it returns after its visibility deadline): ${messageOf(releaseError)}`, { key });
      });
    } finally {
      clearInterval(heartbeat);
    }
  };

  const lane = async (): Promise<void> => {
    while (running) {
      let change: ClaimedChange | undefined;
      try {
        change = await queue.claim(key, consumer, visibilityMs);
      } catch (error) {
        stats.queueErrors++;
        logger.warn(`claiming from the queue of ${key} failed: ${messageOf(error)}`, { key, ...(isSftpConnectorError(error) ? { reason: error.reason } : {}) });
      }
      if (!running) {
        if (change) await queue.release(key, change, 0).catch(() => {});
        return;
      }
      if (change === undefined) await pause(idleMs);
      else await handle(change);
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      for (let i = 0; i < concurrency; i++) {
        const work = lane();
        lanes.add(work);
        void work.finally(() => lanes.delete(work));
      }
    },
    async stop() {
      running = false;
      for (const wake of [...sleepers]) wake();
      await Promise.allSettled([...lanes]);
    },
    stats,
  };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
