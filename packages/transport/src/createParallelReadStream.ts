// One remote file read over several sessions at once: ranges read in parallel, each resumed on its own, bytes delivered in order with bounded memory.
import { setMaxListeners } from "node:events";
import { Readable } from "node:stream";
import { SftpConnectorError, abortedError } from "@sftp-connector/core";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import { createResumableReadStream } from "./createResumableReadStream.js";
import { silentLogger, type Logger } from "./Logger.js";

/** Bytes per range when none is given: large enough that opening a range costs nothing next to reading it. */
export const DEFAULT_RANGE_BYTES = 8 * 1024 * 1024;

/** The checks both parallel streams make of `connections` and `rangeBytes`: integers of at least 1, else INVALID_INPUT naming the field. */
export function checkRangeOptions(connections: number, rangeBytes: number, operation: string, path: string): void {
  for (const [field, value] of [
    ["connections", connections],
    ["rangeBytes", rangeBytes],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new SftpConnectorError("INVALID_INPUT", `${field}: expected an integer of at least 1, got ${String(value)}`, { operation, path });
    }
  }
}

/** Options of {@link createParallelReadStream}. */
export interface ParallelReadStreamOptions {
  /** The file's size as last seen (e.g. from `stat`): it decides the ranges. The last range reads on to the server's end of file, so a file that grew is read whole. */
  size: number;
  /** Sessions reading at once (ranges in flight). @default 4 */
  connections?: number;
  /** Bytes per range. @default 8 MiB */
  rangeBytes?: number;
  /**
   * A session lent by the caller for the first range (never released by this stream; the caller
   * does). The other ranges, and any resume, take sessions from `provider`. @default none
   */
  session?: Pick<SftpSession, "createReadStream"> | undefined;
  /** Retries of each range after a lost connection or a timeout (each range counts its own). @default 1 */
  attempts?: number;
  /** Wait before a range's first retry, doubled for each next one, in ms. @default 1000 */
  backoffMs?: number;
  /** Told about every resume. @default silent */
  logger?: Logger;
  /** Aborts every range: the stream fails with `ABORTED` and every session goes back. @default none */
  signal?: AbortSignal | undefined;
  /** The operation named by errors. @default "read" */
  operation?: string | undefined;
  /** Told the running total of bytes delivered (in order), after each chunk. */
  onProgress?: ((total: number) => void) | undefined;
}

interface Range {
  start: number;
  /** Inclusive; undefined for the last range (read to end of file). */
  end: number | undefined;
  chunks: Buffer[];
  done: boolean;
  error: unknown;
  stream: Readable | undefined;
}

/**
 * Reads `path` as ranges of `rangeBytes` over up to `connections` sessions at once and delivers
 * the bytes in file order. A range whose connection is lost or times out resumes on a fresh
 * session at the byte it reached (see {@link createResumableReadStream}), without touching the
 * other ranges; a range that fails for good fails the stream, which then stops every other range
 * and gives every session back. Memory stays within about `(connections + 1) × rangeBytes`: a
 * range is started only while fewer than `connections` are reading and fewer than
 * `connections + 1` wait to be delivered. A file no larger than one range is read by one range on
 * one session, exactly as a plain read stream would.
 *
 * @example
 * ```ts
 * const pool = new SessionPool(config);
 * const { size } = await pool.use((s) => s.stat("/data/big.bin"));
 * await pipeline(createParallelReadStream(pool, "/data/big.bin", { size, connections: 4 }), createWriteStream("big.bin"));
 * ```
 */
export function createParallelReadStream(provider: SessionProvider, path: string, options: ParallelReadStreamOptions): Readable {
  const operation = options.operation ?? "read";
  const connections = options.connections ?? 4;
  const rangeBytes = options.rangeBytes ?? DEFAULT_RANGE_BYTES;
  checkRangeOptions(connections, rangeBytes, operation, path);
  if (!Number.isFinite(options.size) || options.size < 0) {
    throw new SftpConnectorError("INVALID_INPUT", `size: expected a size in bytes, got ${String(options.size)}`, { operation, path });
  }
  const { attempts = 1, backoffMs = 1_000, logger = silentLogger, signal: given, onProgress } = options;
  // One listener on the caller's signal; the ranges listen to this stream's own (more than 10 listeners there is expected, not a leak).
  const inner = given ? new AbortController() : undefined;
  if (inner) setMaxListeners(0, inner.signal);
  const signal = inner?.signal;
  const onGivenAbort = () => inner?.abort(given?.reason);

  const count = Math.max(1, Math.ceil(options.size / rangeBytes));
  const ranges: Range[] = [];
  for (let index = 0; index < count; index++) {
    const start = index * rangeBytes;
    ranges.push({ start, end: index === count - 1 ? undefined : start + rangeBytes - 1, chunks: [], done: false, error: undefined, stream: undefined });
  }
  let started = 0;
  let delivered = 0;
  let reading = 0;
  let closed = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };

  /** Ranges started that have not asked the provider for their session yet (`available()` does not count them). */
  let unclaimed = 0;
  /** The provider as one range sees it: its first `acquire` settles its claim. */
  const claiming = (): SessionProvider => {
    let claimed = false;
    unclaimed += 1;
    return {
      acquire(acquireOptions) {
        if (!claimed) unclaimed -= 1;
        claimed = true;
        return provider.acquire(acquireOptions);
      },
      release: (session, releaseOptions) => provider.release(session, releaseOptions),
    };
  };

  const start = (range: Range, lent: ParallelReadStreamOptions["session"]) => {
    reading += 1;
    const stream = createResumableReadStream(lent ? provider : claiming(), path, {
      start: range.start,
      ...(range.end === undefined ? {} : { end: range.end, sizeHint: range.end + 1 }),
      attempts,
      backoffMs,
      logger,
      operation,
      session: lent,
      signal,
      bufferBytes: 0,
    });
    range.stream = stream;
    stream.on("data", (chunk: Buffer) => {
      range.chunks.push(chunk);
      if (range === ranges[delivered]) notify();
    });
    const finish = (error: unknown) => {
      if (range.done || range.error !== undefined) return;
      reading -= 1;
      if (error === undefined) range.done = true;
      else range.error = error;
      fill();
      notify();
    };
    stream.once("end", () => finish(undefined));
    stream.once("error", (error: unknown) => finish(error));
    stream.once("close", () => {
      if (!range.done) finish(range.error ?? abortedError(operation, path, signal));
    });
  };

  /**
   * Starts ranges while fewer than `connections` read and at most `connections + 1` wait to be
   * delivered. Beyond the first range reading, one starts only while the provider has a session
   * free now (`available`), so a full pool slows the read down to fewer sessions instead of
   * making a range wait for one.
   */
  const fill = () => {
    while (
      !closed &&
      started < ranges.length &&
      reading < connections &&
      started - delivered < connections + 1 &&
      (reading === 0 || provider.available === undefined || provider.available() - unclaimed > 0)
    ) {
      const range = ranges[started]!;
      start(range, started === 0 ? options.session : undefined);
      started += 1;
    }
  };

  async function* ordered(): AsyncGenerator<Buffer> {
    let total = 0;
    fill();
    while (delivered < ranges.length) {
      let failed: Range | undefined;
      for (let index = delivered; index < started && !failed; index++) if (ranges[index]!.error !== undefined) failed = ranges[index];
      if (failed) throw signal?.aborted ? abortedError(operation, path, signal) : failed.error;
      const head = ranges[delivered]!;
      const chunk = head.chunks.shift();
      if (chunk) {
        total += chunk.length;
        onProgress?.(total);
        yield chunk;
      } else if (head.done) {
        head.stream = undefined;
        delivered += 1;
        fill();
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
        if (closed) return;
      }
    }
  }

  const output = Readable.from(ordered(), { objectMode: false, highWaterMark: 0 });
  if (given?.aborted) onGivenAbort();
  else given?.addEventListener("abort", onGivenAbort, { once: true });
  output.once("close", () => {
    given?.removeEventListener("abort", onGivenAbort);
    closed = true;
    for (const range of ranges) range.stream?.destroy();
    notify();
  });
  return output;
}
