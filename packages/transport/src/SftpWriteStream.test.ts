// SftpWriteStream's pipelining logic against a fake session whose acknowledgements the test schedules: chunking, in-flight limit, ordered acks, close after the last ack, errors, destroy.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SftpConnectorError } from "@sftp-connector/core";
import type { SftpSession } from "./SftpSession.js";
import { SftpWriteStream, type WriteStreamOptions } from "./SftpWriteStream.js";

interface WriteCall {
  position: number;
  data: Buffer;
  ack: () => void;
  fail: (error: Error) => void;
}

/** A session that keeps written bytes in `file`; each write waits in `calls` for the test's ack (or is acked at once with `auto`). */
function fakeSession(options: { maxWriteLength?: number; auto?: boolean; existingSize?: number } = {}) {
  const handle = Buffer.from("w1");
  const calls: WriteCall[] = [];
  const log: string[] = [];
  const opens: Array<{ path: string; flags: string; mode?: number }> = [];
  let file = Buffer.alloc(options.existingSize ?? 0);
  let inFlight = 0;
  let peak = 0;
  const session = {
    closed: false,
    limits: { maxReadLength: 32_768, maxWriteLength: options.maxWriteLength ?? 32_768 },
    open: async (path: string, flags: string, mode?: number) => {
      opens.push({ path, flags, mode });
      return handle;
    },
    fstat: async () => ({ size: file.length }),
    close: async (h: Buffer) => {
      expect(h).toBe(handle);
      log.push("close");
    },
    write: (h: Buffer, buffer: Buffer, offset: number, length: number, position: number) =>
      new Promise<void>((resolve, reject) => {
        expect(h).toBe(handle);
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        const data = Buffer.from(buffer.subarray(offset, offset + length));
        const call: WriteCall = {
          position,
          data,
          ack: () => {
            inFlight -= 1;
            if (file.length < position + data.length) file = Buffer.concat([file, Buffer.alloc(position + data.length - file.length)]);
            data.copy(file, position);
            log.push(`ack ${position}`);
            resolve();
          },
          fail: (error) => {
            inFlight -= 1;
            reject(error);
          },
        };
        calls.push(call);
        if (options.auto) setImmediate(call.ack);
      }),
  };
  return { session: session as unknown as SftpSession & { closed: boolean }, calls, log, opens, file: () => file, peak: () => peak };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function callsReach(calls: WriteCall[], count: number): Promise<void> {
  for (let i = 0; i < 1000 && calls.length < count; i++) await tick();
  expect(calls.length).toBeGreaterThanOrEqual(count);
}

function open(options: WriteStreamOptions = {}, session: Parameters<typeof fakeSession>[0] = {}) {
  const fake = fakeSession(session);
  return { ...fake, stream: new SftpWriteStream(fake.session, "/data/out.bin", options) };
}

describe("SftpWriteStream", () => {
  it("splits writes into requests of at most the server's write size, at contiguous offsets, and the file ends byte-identical", async () => {
    const data = randomBytes(100_000);
    const { stream, calls, file } = open({}, { auto: true, maxWriteLength: 4096 });
    await pipeline(Readable.from([data.subarray(0, 30_000), data.subarray(30_000)]), stream);
    expect(file().equals(data)).toBe(true);
    expect(Math.max(...calls.map((call) => call.data.length))).toBe(4096);
    let expected = 0;
    for (const call of calls) {
      expect(call.position).toBe(expected);
      expected += call.data.length;
    }
    expect(stream.bytesWritten).toBe(100_000);
  });

  it("keeps at most `concurrency` writes in flight, also when one chunk spans many requests", async () => {
    const data = randomBytes(64 * 1000);
    for (const chunks of [[data], Array.from({ length: 64 }, (_, i) => data.subarray(i * 1000, (i + 1) * 1000))]) {
      const { stream, peak, calls, file } = open({ chunkSize: 1000, concurrency: 5 }, { auto: true });
      await pipeline(Readable.from(chunks), stream);
      expect(calls.length).toBe(64);
      expect(peak()).toBe(5);
      expect(file().equals(data)).toBe(true);
      expect(stream.bytesWritten).toBe(data.length);
    }
  });

  it("by default keeps 1 MiB's worth of writes in flight: 4 of 255 KiB, 32 of 32 KiB", async () => {
    const data = randomBytes(2 * 1024 * 1024);
    for (const [maxWriteLength, expected] of [
      [261_120, 4],
      [32_768, 32],
    ] as const) {
      const { stream, peak, file } = open({}, { auto: true, maxWriteLength });
      await pipeline(Readable.from([data]), stream);
      expect(peak()).toBe(expected);
      expect(file().equals(data)).toBe(true);
    }
  });

  it("joins chunks smaller than a request while a write is in flight, and sends a short rest at once when none is, or at the end", async () => {
    const data = randomBytes(1800);
    const { stream, calls, file } = open({ chunkSize: 1000, concurrency: 2 });
    // Nothing in flight: the first 300 bytes go out alone, at once.
    stream.write(data.subarray(0, 300));
    await callsReach(calls, 1);
    // The next five (buffered by the writer meanwhile) are joined: one full request, and 500 bytes kept while that one is unacknowledged.
    for (let i = 1; i < 6; i++) stream.write(data.subarray(i * 300, (i + 1) * 300));
    await callsReach(calls, 2);
    for (let i = 0; i < 10; i++) await tick();
    expect(calls.map((call) => call.data.length)).toEqual([300, 1000]);
    calls[0]!.ack();
    for (let i = 0; i < 10; i++) await tick();
    expect(calls).toHaveLength(2);
    const done = new Promise((resolve) => stream.on("finish", resolve));
    stream.end();
    await callsReach(calls, 3);
    expect(calls.map((call) => [call.position, call.data.length])).toEqual([
      [0, 300],
      [300, 1000],
      [1300, 500],
    ]);
    calls[1]!.ack();
    calls[2]!.ack();
    await done;
    expect(file().equals(data)).toBe(true);
    expect(stream.bytesWritten).toBe(1800);
  });

  it("sends a short rest once the writes in flight are acknowledged, without waiting for more bytes or the end", async () => {
    const { stream, calls } = open({ chunkSize: 1000, concurrency: 4 });
    stream.write(randomBytes(1000));
    await callsReach(calls, 1);
    stream.write(randomBytes(10));
    for (let i = 0; i < 10; i++) await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.ack();
    await callsReach(calls, 2);
    expect(calls[1]!.data.length).toBe(10);
    expect(calls[1]!.position).toBe(1000);
  });

  it("holds the writer back while `concurrency` writes are unacknowledged (backpressure)", async () => {
    const { stream, calls } = open({ chunkSize: 100, concurrency: 2, highWaterMark: 100 });
    const source = Readable.from(Array.from({ length: 20 }, () => randomBytes(100)));
    const done = pipeline(source, stream);
    await callsReach(calls, 2);
    for (let i = 0; i < 20; i++) await tick();
    expect(calls.length).toBe(2);
    let acked = 0;
    while (acked < 20) {
      await callsReach(calls, acked + 1);
      calls[acked++]!.ack();
    }
    await done;
    expect(calls.length).toBe(20);
  });

  it("counts bytesWritten only up to the first unacknowledged write, and closes the handle only after the last ack", async () => {
    const { stream, calls, log } = open({ chunkSize: 1000, concurrency: 4 });
    let finished = false;
    stream.on("finish", () => (finished = true));
    stream.end(randomBytes(3000));
    await callsReach(calls, 3);
    calls[2]!.ack();
    calls[1]!.ack();
    await tick();
    expect(stream.bytesWritten).toBe(0);
    expect(finished).toBe(false);
    expect(log).not.toContain("close");
    calls[0]!.ack();
    for (let i = 0; i < 5 && !finished; i++) await tick();
    expect(stream.bytesWritten).toBe(3000);
    expect(finished).toBe(true);
    expect(log).toEqual(["ack 2000", "ack 1000", "ack 0", "close"]);
  });

  it("appends at the file's size with flags 'a', and writes from `start` with 'r+'", async () => {
    const appended = open({ flags: "a" }, { auto: true, existingSize: 500 });
    await pipeline(Readable.from([Buffer.from("tail")]), appended.stream);
    expect(appended.stream.startOffset).toBe(500);
    expect(appended.calls.map((call) => call.position)).toEqual([500]);
    expect(appended.stream.bytesWritten).toBe(4);
    const resumed = open({ flags: "r+", start: 1234, mode: 0o600 }, { auto: true });
    await pipeline(Readable.from([Buffer.from("rest")]), resumed.stream);
    expect(resumed.calls.map((call) => call.position)).toEqual([1234]);
    expect(resumed.opens).toEqual([{ path: "/data/out.bin", flags: "r+", mode: 0o600 }]);
  });

  it("fails with the session's error and its reason, keeping bytesWritten at what was acknowledged, and closes the handle", async () => {
    const { stream, calls, log } = open({ chunkSize: 1000, concurrency: 4 });
    const done = pipeline(Readable.from([randomBytes(3000)]), stream).then(
      () => undefined,
      (e: unknown) => e,
    );
    await callsReach(calls, 3);
    calls[0]!.ack();
    calls[1]!.fail(new SftpConnectorError("CONNECTION_LOST", "the session has ended", { path: "/data/out.bin" }));
    calls[2]!.ack();
    const error = (await done) as SftpConnectorError;
    expect(error.reason).toBe("CONNECTION_LOST");
    expect(stream.bytesWritten).toBe(1000);
    await tick();
    expect(log.filter((entry) => entry === "close")).toHaveLength(1);
  });

  it("destroy closes the handle once (not at all on an ended session)", async () => {
    const { stream, calls, log } = open({ chunkSize: 1000 });
    stream.on("error", () => {});
    stream.write(randomBytes(2000));
    await callsReach(calls, 2);
    stream.destroy();
    await tick();
    expect(log).toEqual(["close"]);
    const ended = open({ chunkSize: 1000 });
    ended.stream.on("error", () => {});
    ended.stream.write(randomBytes(10));
    await callsReach(ended.calls, 1);
    ended.session.closed = true;
    ended.stream.destroy(new Error("gone"));
    await tick();
    expect(ended.log).toEqual([]);
  });

  it("destroyed with bytes still queued, an acknowledgement arriving afterwards sends nothing more", async () => {
    const { stream, calls, session } = open({ chunkSize: 1000, concurrency: 1 });
    const write = session.write.bind(session);
    let attempts = 0;
    session.write = (...args) => (attempts++, write(...args));
    stream.on("error", () => {});
    stream.write(randomBytes(3000));
    await callsReach(calls, 1);
    stream.destroy();
    calls[0]!.ack();
    for (let i = 0; i < 10; i++) await tick();
    expect(attempts).toBe(1);
  });
});
