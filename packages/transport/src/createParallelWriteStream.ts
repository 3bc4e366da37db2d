// One remote file written over several sessions at once: the bytes cut into ranges, each range written at its offset by the next free session, each retried on its own.
import { Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { type SftpConnectorError, abortedError, isRetryable, quotePath, retryDelay } from "@sftp-connector/core";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import { retriesExhausted } from "./withRetry.js";
import { silentLogger, type Logger } from "./Logger.js";
import { DEFAULT_RANGE_BYTES, checkRangeOptions } from "./createParallelReadStream.js";
import { defaultConcurrency } from "./SftpWriteStream.js";

/** Options of {@link createParallelWriteStream}. */
export interface ParallelWriteStreamOptions {
  /** Sessions writing at once. @default 4 */
  connections?: number;
  /** Bytes per range. @default 8 MiB */
  rangeBytes?: number;
  /** Offset of the first byte written. @default 0 */
  start?: number;
  /** Write requests in flight per session. @default as many as carry 1 MiB, as `SftpWriteStream` (4 of OpenSSH's 255 KiB) */
  concurrency?: number;
  /** Retries of each range after a lost connection or a timeout (each range counts its own). @default 1 */
  attempts?: number;
  /** Wait before a range's first retry, doubled for each next one, in ms. @default 1000 */
  backoffMs?: number;
  /** Told about every retried range. @default silent */
  logger?: Logger;
  /** Aborts the writes: the stream fails with `ABORTED`, handles are closed and sessions go back. @default none */
  signal?: AbortSignal | undefined;
  /** The operation named by errors. @default "write" */
  operation?: string | undefined;
}

/** One session writing ranges: its handle on the file stays open from one range to the next. */
interface Lane {
  session: SftpSession | undefined;
  handle: Buffer | undefined;
  busy: boolean;
}

/** A Writable that also tells how many bytes the server acknowledged. */
export interface ParallelWriteStream extends Writable {
  /** Bytes the server has acknowledged (all of them once `finish` was emitted). */
  readonly bytesWritten: number;
  /** Sessions used at once, at most (for tests and logs). */
  readonly peakConnections: number;
}

/**
 * Writes into the existing remote file `path` (opened `r+` on each session; create it first) over
 * up to `connections` sessions from `provider`. The incoming bytes are cut into ranges of
 * `rangeBytes`; each range goes to the next free session, which writes it at its offset with up to
 * `concurrency` requests in flight. A range whose connection is lost or times out is written again
 * from its start on a fresh session (positioned writes are idempotent), without touching the other
 * ranges, up to `attempts` times; a range that fails for good fails the stream. `finish` is emitted
 * only once every range was acknowledged and every handle closed. Sessions are taken only as ranges
 * need them: content no larger than one range is written by one session, and a lane beyond the first
 * is added only while the provider has a session free now (`available`). Memory stays within about
 * `(connections + 1) × rangeBytes` (the ranges being written, and the one being filled).
 */
export function createParallelWriteStream(provider: SessionProvider, path: string, options: ParallelWriteStreamOptions = {}): ParallelWriteStream {
  const operation = options.operation ?? "write";
  const connections = options.connections ?? 4;
  const rangeBytes = options.rangeBytes ?? DEFAULT_RANGE_BYTES;
  checkRangeOptions(connections, rangeBytes, operation, path);
  const { attempts = 1, backoffMs = 1_000, logger = silentLogger, signal } = options;

  const lanes: Lane[] = [];
  let position = options.start ?? 0;
  /** The range being filled. */
  let filling: Buffer[] = [];
  let fillingBytes = 0;
  let acknowledged = 0;
  let peak = 0;
  let failure: unknown;
  /** Called when a lane becomes free (a range waits for one) or when the last range is done. */
  let onLaneFree: (() => void) | undefined;
  /** Ends the wait before a retry when the stream is destroyed. */
  const stopped = new AbortController();

  const fail = (error: unknown) => {
    failure ??= signal?.aborted ? abortedError(operation, path, signal) : error;
    const resume = onLaneFree;
    onLaneFree = undefined;
    resume?.();
  };

  const closeLane = async (lane: Lane, broken: boolean) => {
    const { session, handle } = lane;
    lane.session = lane.handle = undefined;
    if (!session) return;
    if (handle && !broken && !session.closed) await session.close(handle, path).catch(() => (broken = true));
    provider.release(session, { broken: broken || session.closed });
  };

  /** Writes `pieces` (one range, `length` bytes) at `offset` on the lane's session, `concurrency` requests at a time. */
  const writeOnce = async (lane: Lane, pieces: Buffer[], offset: number) => {
    if (!lane.session) {
      lane.session = await provider.acquire(signal === undefined ? undefined : { signal });
      lane.handle = await lane.session.open(path, "r+");
    }
    const session = lane.session;
    const handle = lane.handle!;
    const max = session.limits.maxWriteLength;
    const concurrency = options.concurrency ?? defaultConcurrency(max);
    const requests: Array<Promise<void>> = [];
    let at = offset;
    let inFlight = 0;
    let error: unknown;
    let wakeWriter: (() => void) | undefined;
    const send = (piece: Buffer, where: number) => {
      inFlight += 1;
      requests.push(
        session.write(handle, piece, 0, piece.length, where, path).then(
          () => {
            inFlight -= 1;
            wakeWriter?.();
          },
          (cause: unknown) => {
            inFlight -= 1;
            error ??= cause;
            wakeWriter?.();
          },
        ),
      );
    };
    for (const { piece, length } of cut(pieces, max)) {
      while (inFlight >= concurrency && error === undefined) await new Promise<void>((resolve) => (wakeWriter = resolve));
      if (error !== undefined || failure !== undefined) break;
      send(piece, at);
      at += length;
    }
    await Promise.all(requests);
    if (error !== undefined) throw error;
    if (failure !== undefined) throw failure;
  };

  const writeRange = async (lane: Lane, pieces: Buffer[], offset: number, length: number) => {
    for (let retry = 0; ; retry += 1) {
      try {
        await writeOnce(lane, pieces, offset);
        acknowledged += length;
        return;
      } catch (error) {
        const broken = lane.session?.closed === true || isRetryable(error);
        await closeLane(lane, broken);
        if (failure !== undefined) throw failure;
        if (signal?.aborted) throw abortedError(operation, path, signal);
        if (!isRetryable(error, { attempt: retry }) || retry >= attempts) throw retriesExhausted(error, retry);
        logger.warn(
          `writing ${quotePath(path)} bytes ${offset}–${offset + length - 1} failed (${(error as SftpConnectorError).reason}); writing that range again on a new session (retry ${retry + 1} of ${attempts})`,
        );
      }
      await delay(retryDelay(retry, { backoffMs }), undefined, { signal: stopped.signal }).catch(() => {});
      if (stopped.signal.aborted) throw failure ?? abortedError(operation, path, signal);
    }
  };

  /** A lane free now (a new one while fewer than `connections` exist), or undefined. */
  const freeLane = (): Lane | undefined => {
    const idle = lanes.find((lane) => !lane.busy);
    if (idle) return idle;
    // A lane beyond the first only when the provider has a session free now: never wait on a full pool for an extra one.
    if (lanes.length >= connections || (lanes.length > 0 && provider.available !== undefined && provider.available() <= 0)) return undefined;
    const lane: Lane = { session: undefined, handle: undefined, busy: false };
    lanes.push(lane);
    peak = Math.max(peak, lanes.length);
    return lane;
  };

  /** Hands the filled range to a free lane, waiting for one. */
  const dispatch = async (pieces: Buffer[], length: number) => {
    let lane = freeLane();
    while (!lane && failure === undefined) {
      await new Promise<void>((resolve) => (onLaneFree = resolve));
      lane = freeLane();
    }
    if (failure !== undefined || !lane) throw failure;
    const offset = position;
    position += length;
    lane.busy = true;
    writeRange(lane, pieces, offset, length).then(
      () => {
        lane.busy = false;
        const resume = onLaneFree;
        onLaneFree = undefined;
        resume?.();
      },
      (error: unknown) => {
        lane.busy = false;
        fail(error);
      },
    );
  };

  /** Takes `bytes` from the front of the range being filled. */
  const take = (bytes: number): Buffer[] => {
    const taken: Buffer[] = [];
    let need = bytes;
    while (need > 0) {
      const first = filling[0]!;
      if (first.length <= need) {
        taken.push(first);
        filling.shift();
        need -= first.length;
      } else {
        taken.push(first.subarray(0, need));
        filling[0] = first.subarray(need);
        need = 0;
      }
    }
    fillingBytes -= bytes;
    return taken;
  };

  const idle = async () => {
    while (lanes.some((lane) => lane.busy) && failure === undefined) await new Promise<void>((resolve) => (onLaneFree = resolve));
  };

  const stream = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      if (failure !== undefined) return callback(failure as Error);
      filling.push(chunk);
      fillingBytes += chunk.length;
      (async () => {
        while (fillingBytes >= rangeBytes) await dispatch(take(rangeBytes), rangeBytes);
      })().then(
        () => callback(),
        (error: unknown) => callback(error as Error),
      );
    },
    final(callback) {
      (async () => {
        const rest = fillingBytes;
        if (rest > 0) await dispatch(take(rest), rest);
        filling = [];
        await idle();
        if (failure !== undefined) throw failure;
        await Promise.all(lanes.map((lane) => closeLane(lane, false)));
        // A close that failed leaves its session broken; the writes were acknowledged before it.
      })().then(
        () => callback(),
        (error: unknown) => callback(error as Error),
      );
    },
    destroy(error, callback) {
      stopped.abort();
      fail(error ?? abortedError(operation, path, signal));
      // Lanes still writing close themselves when their requests end; idle ones close now.
      for (const lane of lanes) if (!lane.busy) void closeLane(lane, false);
      callback(error);
    },
  });
  if (signal) {
    const onAbort = () => stream.destroy(abortedError(operation, path, signal));
    if (signal.aborted) queueMicrotask(onAbort);
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      stream.once("close", () => signal.removeEventListener("abort", onAbort));
    }
  }
  Object.defineProperties(stream, {
    bytesWritten: { get: () => acknowledged },
    peakConnections: { get: () => peak },
  });
  return stream as ParallelWriteStream;
}

/** Cuts a range's buffers into write requests of at most `max` bytes, copying only a request that spans two buffers. */
function* cut(pieces: Buffer[], max: number): Generator<{ piece: Buffer; length: number }> {
  let carry: Buffer[] = [];
  let carried = 0;
  for (const buffer of pieces) {
    let offset = 0;
    if (carried > 0) {
      const need = Math.min(max - carried, buffer.length);
      carry.push(buffer.subarray(0, need));
      carried += need;
      offset = need;
      if (carried < max && offset === buffer.length) continue;
      const joined = Buffer.concat(carry, carried);
      yield { piece: joined, length: carried };
      carry = [];
      carried = 0;
    }
    while (buffer.length - offset >= max) {
      yield { piece: buffer.subarray(offset, offset + max), length: max };
      offset += max;
    }
    if (offset < buffer.length) {
      carry.push(buffer.subarray(offset));
      carried = buffer.length - offset;
    }
  }
  if (carried > 0) yield { piece: carry.length === 1 ? carry[0]! : Buffer.concat(carry, carried), length: carried };
}
