// Iterates a byte stream chunk by chunk, as pushed: no copy (a Readable's own async iterator joins every buffered chunk into one new buffer).
import type { Readable } from "node:stream";

/**
 * Yields the chunks of a byte-mode Readable exactly as they were pushed. `for await (… of
 * stream)` calls `stream.read()`, which concatenates every buffered chunk into a fresh buffer: a
 * copy of each byte whenever the consumer falls behind (with a file of GiBs, a tenth of the
 * client's time). Here the stream flows and is paused while the chunks held reach its own
 * `readableHighWaterMark` (so it holds no more than it would itself), and leaving the loop early (break, throw, `return()`) destroys the stream, as the built-in
 * iterator does. The stream's error is thrown; a stream destroyed without an error ends the loop
 * with a premature-close error, as `for await` does.
 */
export async function* readChunks(stream: Readable): AsyncGenerator<Buffer, void, undefined> {
  const queue: Buffer[] = [];
  let queued = 0;
  const high = Math.max(1, stream.readableHighWaterMark);
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= high) stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: unknown) => {
    failure ??= error;
    notify();
  };
  const onClose = () => {
    if (!ended) failure ??= Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
    notify();
  };
  stream.on("data", onData);
  stream.once("end", onEnd);
  stream.once("error", onError);
  stream.once("close", onClose);
  let finished = false;
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        queued -= chunk.length;
        if (queued < high / 2 && stream.isPaused()) stream.resume();
        yield chunk;
      } else if (failure !== undefined) throw failure;
      else if (ended) {
        finished = true;
        return;
      } else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off("data", onData);
    stream.off("end", onEnd);
    stream.off("close", onClose);
    if (!finished && !stream.destroyed) stream.destroy();
    // The error listener stays: a late error of a destroyed stream must not become an uncaught one.
  }
}
