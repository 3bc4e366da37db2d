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
  /** Write requests in flight. @default 32 */
  concurrency?: number;
  /** The stream's buffer size in bytes. @default 1 MiB */
  highWaterMark?: number;
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
  /** The part of the current chunk not yet sent (sent as writes are acknowledged, so a large chunk never exceeds `concurrency`). */
  private rest: Buffer = Buffer.alloc(0);
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
    this.chunkSize = Math.max(1, options.chunkSize ?? session.limits.maxWriteLength);
    this.concurrency = Math.max(1, options.concurrency ?? 32);
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
    if (this.failure) {
      callback(this.failure);
      return;
    }
    this.rest = chunk;
    this.waiting = callback;
    this.pump();
  }

  /** Sends what is left of the current chunk while there is room, then lets the next chunk in. */
  private pump(): void {
    while (this.rest.length > 0 && this.inFlight < this.concurrency) {
      this.issue(this.rest.subarray(0, this.chunkSize));
      this.rest = this.rest.subarray(this.chunkSize);
    }
    if (this.waiting && this.rest.length === 0 && this.inFlight < this.concurrency) {
      const resume = this.waiting;
      this.waiting = undefined;
      resume();
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
        if (this.finalCallback && this.inFlight === 0) this.closeHandle();
      },
      (error: Error) => {
        this.inFlight -= 1;
        if (this.failure) return;
        this.failure = error;
        this.rest = Buffer.alloc(0);
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
    if (this.inFlight === 0) this.closeHandle();
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
