// LISTEN as an async iterable: each document is processed when the loop asks for the next one.
import type { SessionTarget } from "@sftp-connector/transport";
import { listen, type ListenDocument, type ListenOptions, type Listener } from "./listen.js";

/** The documents of a listener, one at a time, plus `stop()`. */
export interface ListenEvents extends AsyncIterable<ListenDocument> {
  /** Stops the listener; a loop over it ends. */
  stop(): Promise<void>;
}

interface Waiting {
  document: ListenDocument;
  done: () => void;
  cancel: (error: Error) => void;
}

/**
 * Listens as an async iterable: `for await (const doc of listenEvents(pool, options)) …`. A
 * document counts as processed (recorded, then `afterProcessing`) when the loop asks for the next
 * one; leaving the loop early stops the listener, and the document in hand is delivered again
 * after the next start (at least once). The listener starts with the loop.
 */
export function listenEvents(target: SessionTarget, options: ListenOptions): ListenEvents {
  const queue: Waiting[] = [];
  let wake: (() => void) | undefined;
  let listener: Listener | undefined;
  let stopped = false;
  let current: Waiting | undefined;

  const handler = (document: ListenDocument) =>
    new Promise<void>((done, cancel) => {
      queue.push({ document, done, cancel });
      wake?.();
    });

  const stop = async () => {
    stopped = true;
    wake?.();
    // Documents not processed by the loop are not marked processed: they come again after the next start.
    for (const waiting of [...(current ? [current] : []), ...queue.splice(0)])
      waiting.cancel(new Error("the listener stopped before the loop processed this document"));
    current = undefined;
    await listener?.stop();
  };

  return {
    stop,
    [Symbol.asyncIterator](): AsyncIterator<ListenDocument> {
      return {
        async next() {
          current?.done(); // the previous document was handled by the loop body
          current = undefined;
          listener ??= await listen(target, options, handler);
          while (queue.length === 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
          if (stopped) return { done: true, value: undefined };
          current = queue.shift()!;
          return { done: false, value: current.document };
        },
        async return() {
          await stop();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
