// A pipelined SFTP write stream: many write requests in flight, completed in order, handle closed only after every write is acknowledged.
import { Writable } from "node:stream";
import type { SftpSession } from "./SftpSession.js";

/** Options of `session.createWriteStream`. */
export interface WriteStreamOptions {
  /** Open flags as Node's fs: `w` (create or truncate), `wx` (fail if it exists), `a` (append), `r+` (write into an existing file). @default "w" */
  flags?: "w" | "wx" | "a" | "ax" | "r+";
  /** Offset of the first byte written (for `r+`, e.g. to resume). With `a`, writing starts at the file's end. @default 0 */
  start?: number;
  /** Permissions of a created file. @default the server's default */
  mode?: number;
  /** Bytes per write request. @default the server's largest write (`limits@openssh.com`), else 32 KiB */
  chunkSize?: number;
  /**
   * Write requests in flight.
   * @default as many as carry 1 MiB (4 of OpenSSH's 255 KiB, 32 of 32 KiB), at least 4 and at most 32
   */
  concurrency?: number;
  /** The stream's buffer size in bytes. @default 1 MiB */
  highWaterMark?: number;
}

/** Bytes the default `concurrency` keeps in flight. */
const IN_FLIGHT_BYTES = 1024 * 1024;

/**
 * The default number of writes in flight: 1 MiB's worth. More does not go faster (the SSH
 * channel's window, 2 MiB with OpenSSH, bounds what is on the wire), and measured on OpenSSH 9.2
 * 32 writes of 255 KiB queued at the server cost its CPU half again as much per GiB as 4 and
 * uploaded a third slower than 4 when client and server share the cores.
 */
export function defaultConcurrency(chunkSize: number): number {
  return Math.min(32, Math.max(4, Math.floor(IN_FLIGHT_BYTES / chunkSize)));
}

/** The bytes per write request and the requests in flight of a write stream with `options` on a server whose largest write is `maxWriteLength`. */
export function writeWindow(
  options: Pick<WriteStreamOptions, "chunkSize" | "concurrency">,
  maxWriteLength: number,
): { chunkSize: number; concurrency: number } {
  const chunkSize = Math.max(1, options.chunkSize ?? maxWriteLength);
  return { chunkSize, concurrency: Math.max(1, options.concurrency ?? defaultConcurrency(chunkSize)) };
}

/**
 * Writes a remote file with up to `concurrency` requests in flight. `finish` is emitted only once
 * every write was acknowledged and the handle closed; `bytesWritten` counts the bytes the server
 * has acknowledged without a gap, so a failed upload can resume from there.
 */
export class SftpWriteStream extends Writable {
  /** Bytes acknowledged by the server, contiguous from `start`. */
  bytesWritten = 0;
  /** The remote path. */
  readonly path: string;
  /** Offset of the first byte this stream writes (the file's size for `a`). */
  startOffset = 0;
  private handle: Buffer | undefined;
  private readonly options: WriteStreamOptions;
  private readonly chunkSize: number;
  private readonly concurrency: number;
  private position = 0;
  private inFlight = 0;
  private readonly order: Array<{ end: number; done: boolean }> = [];
  /** Bytes taken from the writer and not yet sent, in order (sent as writes are acknowledged, so a large chunk never exceeds `concurrency`). */
  private queue: Buffer[] = [];
  /** Total length of `queue`. */
  private queued = 0;
  private scratch = Buffer.alloc(0);
  /** Inside `pump` (a writer handing over more data from within `pump` only queues it). */
  private pumping = false;
  private waiting: ((error?: Error | null) => void) | undefined;
  private finalCallback: ((error?: Error | null) => void) | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly session: SftpSession,
    path: string,
    options: WriteStreamOptions = {},
  ) {
    super({ highWaterMark: options.highWaterMark ?? 1024 * 1024, decodeStrings: true });
    this.path = path;
    this.options = options;
    ({ chunkSize: this.chunkSize, concurrency: this.concurrency } = writeWindow(options, session.limits.maxWriteLength));
  }

  override _construct(callback: (error?: Error | null) => void): void {
    const flags = this.options.flags ?? "w";
    (async () => {
      this.handle = await this.session.open(this.path, flags, this.options.mode);
      this.startOffset = flags.startsWith("a") ? (await this.session.fstat(this.handle, this.path)).size : (this.options.start ?? 0);
      this.position = this.startOffset;
    })().then(
      () => {
        callback();
        this.emit("ready");
      },
      (error: Error) => callback(error),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk, undefined, callback);
  }

  /** Chunks the writer had buffered, handed over at once: they are sent as requests of `chunkSize` bytes, not one request (or more) per chunk. */
  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    this.take(undefined, chunks, callback);
  }

  private take(chunk: Buffer | undefined, chunks: Array<{ chunk: Buffer }> | undefined, callback: (error?: Error | null) => void): void {
    if (this.failure) {
      callback(this.failure);
      return;
    }
    if (chunk) this.enqueue(chunk);
    else for (const entry of chunks!) this.enqueue(entry.chunk);
    this.waiting = callback;
    this.pump();
  }

  private enqueue(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
  }

  /** The next `length` bytes of the queue: a view when they lie in one chunk, else a copy joining the chunks. */
  private dequeue(length: number): Buffer {
    this.queued -= length;
    const head = this.queue[0]!;
    if (head.length >= length) {
      if (head.length === length) this.queue.shift();
      else this.queue[0] = head.subarray(length);
      return head.subarray(0, length);
    }
    // ssh2 copies a write of at most the server's size into its packet before returning, so one buffer serves every join.
    const reuse = length <= this.session.limits.maxWriteLength;
    if (reuse && this.scratch.length < length) this.scratch = Buffer.allocUnsafe(this.chunkSize);
    const piece = reuse ? this.scratch.subarray(0, length) : Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const next = this.queue[0]!;
      const part = Math.min(next.length, length - filled);
      next.copy(piece, filled, 0, part);
      filled += part;
      if (part === next.length) this.queue.shift();
      else this.queue[0] = next.subarray(part);
    }
    return piece;
  }

  /**
   * Sends full requests while there is room, and takes more from the writer while there is room.
   * Less than a request's worth is sent only once no request is in flight (or at the end): until
   * then an acknowledgement is on its way, so waiting for more bytes to join costs no time, and
   * chunks smaller than `chunkSize` (a file stream's 64 KiB) go out as full requests, not one or
   * more requests (and SSH packets) per chunk.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.send();
    } finally {
      this.pumping = false;
    }
  }

  private send(): void {
    // Destroyed: the handle is closed (or closing); bytes still queued are dropped, never sent.
    if (this.destroyed) return;
    for (;;) {
      while (this.queued >= this.chunkSize && this.inFlight < this.concurrency) this.issue(this.dequeue(this.chunkSize));
      if (this.inFlight >= this.concurrency || this.failure) return;
      const resume = this.waiting;
      if (resume) {
        this.waiting = undefined;
        // The writer hands over what it holds at once (through _write/_writev), or nothing until its next write.
        resume();
        if (this.waiting) continue;
      }
      if (this.queued > 0 && (this.inFlight === 0 || this.finalCallback)) this.issue(this.dequeue(this.queued));
      return;
    }
  }

  private issue(piece: Buffer): void {
    const position = this.position;
    this.position += piece.length;
    const slot = { end: this.position, done: false };
    this.order.push(slot);
    this.inFlight += 1;
    this.session.write(this.handle!, piece, 0, piece.length, position, this.path).then(
      () => {
        this.inFlight -= 1;
        slot.done = true;
        while (this.order[0]?.done) this.bytesWritten = this.order.shift()!.end - this.startOffset;
        this.pump();
        if (this.finalCallback && this.inFlight === 0 && this.queued === 0) this.closeHandle();
      },
      (error: Error) => {
        this.inFlight -= 1;
        if (this.failure) return;
        this.failure = error;
        this.queue = [];
        this.queued = 0;
        const pending = this.waiting ?? this.finalCallback;
        this.waiting = this.finalCallback = undefined;
        if (pending) pending(error);
        else this.destroy(error);
      },
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.failure) {
      callback(this.failure);
      return;
    }
    this.finalCallback = callback;
    this.pump();
    if (this.inFlight === 0 && this.queued === 0) this.closeHandle();
  }

  private closeHandle(): void {
    const callback = this.finalCallback!;
    this.finalCallback = undefined;
    const handle = this.handle!;
    this.handle = undefined;
    this.session.close(handle, this.path).then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = undefined;
    if (handle && !this.session.closed) this.session.close(handle, this.path).catch(() => {});
    callback(error);
  }
}
