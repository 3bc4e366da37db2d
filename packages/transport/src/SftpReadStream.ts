// A pipelined SFTP read stream: many read requests in flight, bytes delivered in order, read to end of file.
import { Readable } from "node:stream";
import type { SftpSession } from "./SftpSession.js";

/** Options of `session.createReadStream`. */
export interface ReadStreamOptions {
  /** First byte to read. @default 0 */
  start?: number;
  /** Last byte to read, inclusive (as Node's fs). @default end of file */
  end?: number;
  /** Bytes per read request. @default the server's largest read (`limits@openssh.com`), else 32 KiB */
  chunkSize?: number;
  /** Read requests in flight. @default 32 */
  concurrency?: number;
  /** The stream's buffer size in bytes. @default 1 MiB */
  highWaterMark?: number;
  /**
   * The file's size as last seen (e.g. from a listing). Only a hint: the stream still reads to the
   * server's end of file. With it, the first requests cover the file and ask past its end in the
   * same round trip, so a small file costs one round of reads instead of two.
   * @default none
   */
  sizeHint?: number;
}

interface Pending {
  length: number;
  data?: Buffer;
}

/**
 * Reads a remote file with up to `concurrency` requests in flight (a window that opens as full
 * answers arrive, so a small file costs a few requests). Bytes come out in order; a
 * short answer is completed by a follow-up request; reading stops at the server's end of file,
 * never at a size taken from `stat` (a growing file, or one whose size reads 0, is read whole).
 * Memory stays within `concurrency × chunkSize` plus the stream's buffer.
 */
export class SftpReadStream extends Readable {
  /** Bytes delivered so far (from `start`). */
  bytesRead = 0;
  /** The remote path. */
  readonly path: string;
  private handle: Buffer | undefined;
  private readonly limit: number;
  private readonly chunkSize: number;
  private readonly concurrency: number;
  private next: number;
  private expected: number;
  private eofAt = Number.POSITIVE_INFINITY;
  private inFlight = 0;
  /** Requests allowed in flight now: starts at 2 and doubles with every full answer, up to `concurrency` (small files cost a few requests, not `concurrency`). */
  private window = 2;
  private wantMore = false;
  private finished = false;
  private readonly pending = new Map<number, Pending>();
  /** Where a request must end so one answer stops exactly at the hinted size. */
  private readonly edge: number;
  /** Data came from at or past the hinted size. */
  private grown = false;

  constructor(
    private readonly session: SftpSession,
    path: string,
    options: ReadStreamOptions = {},
  ) {
    super({ highWaterMark: options.highWaterMark ?? 1024 * 1024 });
    this.path = path;
    const start = options.start ?? 0;
    this.next = this.expected = start;
    this.limit = options.end === undefined ? Number.POSITIVE_INFINITY : options.end + 1;
    this.chunkSize = Math.max(1, options.chunkSize ?? session.limits.maxReadLength);
    this.concurrency = Math.max(1, options.concurrency ?? 32);
    const hint = options.sizeHint;
    this.edge = hint !== undefined && Number.isFinite(hint) && hint > start ? hint : Number.NEGATIVE_INFINITY;
    if (this.edge > start) this.window = Math.max(this.window, Math.ceil((this.edge - start) / this.chunkSize) + 1);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.session.open(this.path, "r").then(
      (handle) => {
        this.handle = handle;
        callback();
        this.emit("ready");
      },
      (error: Error) => callback(error),
    );
  }

  override _read(): void {
    this.wantMore = true;
    this.fill();
  }

  private get stopAt(): number {
    return Math.min(this.limit, this.eofAt);
  }

  private fill(): void {
    if (this.finished || this.destroyed) return;
    while (this.wantMore && this.inFlight < Math.min(this.window, this.concurrency) && this.next < this.stopAt) {
      // Past the hinted size, one probe goes out and the rest wait until it brings data (the file grew).
      if (this.edge > Number.NEGATIVE_INFINITY && this.next > this.edge && !this.grown) break;
      const length = Math.min(this.chunkSize, this.stopAt - this.next, this.next < this.edge ? this.edge - this.next : Number.POSITIVE_INFINITY);
      this.issue(this.next, length);
      this.next += length;
    }
    if (this.expected >= this.stopAt && !this.finished) {
      this.finished = true;
      this.pending.clear();
      this.push(null);
    }
  }

  private issue(offset: number, length: number): void {
    const entry: Pending = { length };
    this.pending.set(offset, entry);
    this.inFlight += 1;
    this.session.readChunk(this.handle!, length, offset, this.path).then(
      (data) => {
        this.inFlight -= 1;
        if (this.destroyed || this.finished) return;
        const bytesRead = data?.length ?? 0;
        if (bytesRead === 0) {
          this.pending.delete(offset);
          this.eofAt = Math.min(this.eofAt, offset);
        } else {
          // readChunk never answers more than was asked for.
          entry.data = data!;
          if (offset >= this.edge) this.grown = true;
          // A full answer past the hinted size means more to come: open the window (within the hint it was opened already).
          if (bytesRead === length && offset + length > this.edge) this.window = Math.min(this.concurrency, this.window * 2);
          const end = offset + bytesRead;
          // A short answer before the end: ask for the rest of this range.
          if (bytesRead < length && end < this.stopAt) this.issue(end, length - bytesRead);
        }
        this.deliver();
        this.fill();
      },
      (error: Error) => {
        this.inFlight -= 1;
        this.destroy(error);
      },
    );
  }

  private deliver(): void {
    for (;;) {
      const entry = this.pending.get(this.expected);
      if (!entry?.data) return;
      this.pending.delete(this.expected);
      this.expected += entry.data.length;
      this.bytesRead += entry.data.length;
      if (!this.push(entry.data)) this.wantMore = false;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.finished = true;
    this.pending.clear();
    const handle = this.handle;
    this.handle = undefined;
    if (handle && !this.session.closed) this.session.close(handle, this.path).catch(() => {});
    callback(error);
  }
}
