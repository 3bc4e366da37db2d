// The async-iterable side of a poller: hands events to a for-await loop one at a time and tells the poller when each one was taken.
import type { PollEvent } from "./PollEvent.js";

/** Rejects a delivery whose event the consumer did not finish because the poller stopped; the change stays undelivered. */
export class DeliveryCancelled extends Error {
  constructor() {
    super("The poller stopped before the event was taken");
    this.name = "DeliveryCancelled";
  }
}

interface Item {
  event: PollEvent;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * A single-consumer channel. `push(event)` resolves once the consumer has finished with the event,
 * that is, when it asks for the next one; so a poller that awaits each push cannot outrun its consumer.
 */
export class EventChannel implements AsyncIterableIterator<PollEvent> {
  private readonly queue: Item[] = [];
  private inHand: Item | undefined;
  private waiter: { resolve(result: IteratorResult<PollEvent>): void; reject(error: unknown): void } | undefined;
  private closed = false;
  private failure: { error: unknown } | undefined;

  /** @param onReturn called when the consumer leaves the loop (break, return or throw). */
  constructor(private readonly onReturn: () => Promise<void>) {}

  /** Offers an event; resolves when the consumer is done with it, rejects with {@link DeliveryCancelled} when the channel closes first. */
  push(event: PollEvent): Promise<void> {
    if (this.closed) return Promise.reject(new DeliveryCancelled());
    return new Promise<void>((resolve, reject) => {
      const item: Item = { event, resolve, reject };
      const waiter = this.waiter;
      if (waiter === undefined) {
        this.queue.push(item);
        return;
      }
      this.waiter = undefined;
      this.inHand = item;
      waiter.resolve({ value: event, done: false });
    });
  }

  next(): Promise<IteratorResult<PollEvent>> {
    this.inHand?.resolve(); // asking for the next event means the last one was handled
    this.inHand = undefined;
    const item = this.queue.shift();
    if (item !== undefined) {
      this.inHand = item;
      return Promise.resolve({ value: item.event, done: false });
    }
    if (this.failure !== undefined) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  async return(): Promise<IteratorResult<PollEvent>> {
    this.close();
    await this.onReturn();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the iteration (with `error`, if given). Events not yet handled, including the one in hand, stay undelivered. */
  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    const cancelled = new DeliveryCancelled();
    this.inHand?.reject(cancelled);
    this.inHand = undefined;
    for (const item of this.queue.splice(0)) item.reject(cancelled);
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter !== undefined) {
      if (error === undefined) waiter.resolve({ value: undefined, done: true });
      else waiter.reject(error);
    } else if (error !== undefined) {
      this.failure = { error };
    }
  }
}
