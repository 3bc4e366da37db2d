// A content stream handing out a buffer in fixed-size chunks, so progress (and an abort at a byte mark) is reported many times.
import { Readable } from "node:stream";

/**
 * A Readable of `data` in chunks of `chunkSize` bytes, for tests that act when a byte count passes
 * a mark (e.g. abort at 10% from `onProgress`) instead of after a time.
 * @default chunkSize 65536
 */
export function chunkedSource(data: Buffer, chunkSize = 64 * 1024): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= data.length) return void this.push(null);
      this.push(data.subarray(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

/** A logger (the shape every transport function takes) keeping each line it is told, e.g. to show nothing was retried. */
export function recordingLogger(): { lines: string[]; debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void } {
  const lines: string[] = [];
  const keep = (message: string) => void lines.push(message);
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}
