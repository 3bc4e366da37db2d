// SftpReadStream's pipelining logic against a fake session whose answers the test schedules: ordering, windows, short reads, EOF, backpressure, errors, destroy.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { sha256 as sha } from "@sftp-connector/testkit";
import { SftpConnectorError } from "@sftp-connector/core";
import type { SftpSession } from "./SftpSession.js";
import { SftpReadStream, type ReadStreamOptions } from "./SftpReadStream.js";

interface ReadCall {
  offset: number;
  length: number;
  answer: (bytes?: number) => void;
  fail: (error: Error) => void;
}

/** A session serving `file` by hand: every readChunk waits in `calls` until the test answers it (or at once with `auto`). */
function fakeSession(file: Buffer, options: { maxReadLength?: number; auto?: boolean; shortBy?: number } = {}) {
  const handle = Buffer.from("h1");
  const calls: ReadCall[] = [];
  const closes: Buffer[] = [];
  let inFlight = 0;
  let peak = 0;
  const session = {
    closed: false,
    limits: { maxReadLength: options.maxReadLength ?? 32_768, maxWriteLength: 32_768 },
    open: async () => handle,
    close: async (h: Buffer) => void closes.push(h),
    readChunk: (h: Buffer, length: number, offset: number) =>
      new Promise<Buffer | null>((resolve, reject) => {
        expect(h).toBe(handle);
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        const call: ReadCall = {
          offset,
          length,
          // The server's answer: up to `bytes` (default: what was asked), or null past the end.
          answer: (bytes = length) => {
            inFlight -= 1;
            const data = file.subarray(offset, Math.min(offset + bytes, file.length));
            resolve(data.length === 0 ? null : data);
          },
          fail: (error) => {
            inFlight -= 1;
            reject(error);
          },
        };
        calls.push(call);
        if (options.auto) setImmediate(() => call.answer(options.shortBy ? Math.max(1, length - options.shortBy) : length));
      }),
  };
  return { session: session as unknown as SftpSession & { closed: boolean }, calls, closes, handle, peak: () => peak, inFlight: () => inFlight };
}

/** Reads the whole stream, returning the bytes. */
async function collect(stream: SftpReadStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Waits until the stream has sent `count` requests in total. */
async function callsReach(calls: ReadCall[], count: number): Promise<void> {
  for (let i = 0; i < 1000 && calls.length < count; i++) await tick();
  expect(calls.length).toBeGreaterThanOrEqual(count);
}

function open(file: Buffer, options: ReadStreamOptions = {}, session: Parameters<typeof fakeSession>[1] = {}) {
  const fake = fakeSession(file, session);
  return { ...fake, stream: new SftpReadStream(fake.session, "/data/file.bin", options) };
}

describe("SftpReadStream", () => {
  it("delivers bytes in file order when the server answers in reverse order", async () => {
    const file = randomBytes(8 * 1000 + 123);
    const { stream, calls } = open(file, { chunkSize: 1000, concurrency: 4 });
    let finished = false;
    const done = collect(stream).finally(() => (finished = true));
    let answered = 0;
    let reordered = 0;
    while (!finished) {
      await tick();
      // Answer every outstanding request, last sent first.
      const outstanding = calls.slice(answered);
      answered = calls.length;
      if (outstanding.length > 1) reordered += 1;
      for (const call of outstanding.reverse()) call.answer();
    }
    expect(reordered).toBeGreaterThan(0);
    const data = await done;
    expect(sha(data)).toBe(sha(file));
    expect(stream.bytesRead).toBe(file.length);
  });

  it("never has more than `concurrency` requests in flight, each at most `chunkSize`, opening the window 2, 4, … as full answers arrive", async () => {
    const file = randomBytes(40 * 512);
    const { stream, calls, peak } = open(file, { chunkSize: 512, concurrency: 6 }, { auto: true });
    const data = await collect(stream);
    expect(data.equals(file)).toBe(true);
    expect(peak()).toBe(6);
    expect(Math.max(...calls.map((call) => call.length))).toBe(512);
    // The first round is two requests, before any answer came back.
    expect(calls.slice(0, 2).map((call) => call.offset)).toEqual([0, 512]);
    // Every byte was asked for once, plus end-of-file probes past the end.
    const inside = calls.filter((call) => call.offset < file.length);
    expect(inside.map((call) => call.offset).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i * 512));
  });

  it("sends requests of the server's largest read size by default", async () => {
    const file = randomBytes(3 * 4096 + 1);
    const { stream, calls } = open(file, {}, { auto: true, maxReadLength: 4096 });
    expect((await collect(stream)).equals(file)).toBe(true);
    expect(calls[0]!.length).toBe(4096);
    expect(calls.every((call) => call.length <= 4096)).toBe(true);
  });

  it("completes short answers with follow-up requests for the rest of the range", async () => {
    const file = randomBytes(10_000);
    const { stream, calls } = open(file, { chunkSize: 1000, concurrency: 3 }, { auto: true, shortBy: 300 });
    const data = await collect(stream);
    expect(sha(data)).toBe(sha(file));
    // A 1000-byte request answered with 700 is followed by one for the 300 left, at offset + 700.
    const followUp = calls.find((call) => call.offset === 700);
    expect(followUp?.length).toBe(300);
  });

  it("stops at the server's end of file, whatever the size hint said, and reads a zero-byte file as empty", async () => {
    const file = randomBytes(5000);
    for (const sizeHint of [undefined, 100, 5000, 1_000_000]) {
      const { stream } = open(file, { chunkSize: 1024, sizeHint }, { auto: true });
      expect((await collect(stream)).equals(file)).toBe(true);
    }
    const empty = open(Buffer.alloc(0), {}, { auto: true });
    expect((await collect(empty.stream)).length).toBe(0);
    expect(empty.calls.map((call) => call.offset)).toEqual([0, 32_768]);
  });

  it("reads the range start..end inclusive and asks nothing past `end`", async () => {
    const file = randomBytes(20_000);
    const { stream, calls } = open(file, { start: 1500, end: 12_345, chunkSize: 1000 }, { auto: true });
    expect((await collect(stream)).equals(file.subarray(1500, 12_346))).toBe(true);
    expect(Math.min(...calls.map((call) => call.offset))).toBe(1500);
    expect(Math.max(...calls.map((call) => call.offset + call.length))).toBe(12_346);
  });

  it("stops sending requests while the consumer does not read (backpressure), and resumes when it does", async () => {
    const file = randomBytes(200 * 1024);
    const { stream, calls } = open(file, { chunkSize: 1024, concurrency: 4, highWaterMark: 4096 }, { auto: true });
    stream.pause();
    stream.read(0); // start filling the buffer without consuming
    for (let i = 0; i < 50; i++) await tick();
    const sent = calls.length;
    // A 4 KiB buffer plus at most 4 requests in flight: far from the file's 200 requests.
    expect(sent).toBeLessThanOrEqual(4096 / 1024 + 4 + 2);
    for (let i = 0; i < 50; i++) await tick();
    expect(calls.length).toBe(sent);
    expect((await collect(stream)).equals(file)).toBe(true);
    expect(calls.length).toBeGreaterThan(200);
  });

  it("fails with the session's error (its reason kept) and closes the handle once", async () => {
    const file = randomBytes(10_000);
    const { stream, calls, closes, handle } = open(file, { chunkSize: 1000, concurrency: 2 });
    const done = collect(stream).then(
      () => undefined,
      (error: unknown) => error,
    );
    await callsReach(calls, 2);
    calls[0]!.answer();
    calls[1]!.fail(new SftpConnectorError("PERMISSION_DENIED", "cannot read '/data/file.bin': permission denied", { path: "/data/file.bin" }));
    const error = (await done) as SftpConnectorError;
    expect(error).toBeInstanceOf(SftpConnectorError);
    expect(error.reason).toBe("PERMISSION_DENIED");
    await tick();
    expect(closes).toEqual([handle]);
  });

  it("fails with the open error and closes nothing when the file cannot be opened", async () => {
    const fake = fakeSession(Buffer.alloc(0));
    fake.session.open = async () => {
      throw new SftpConnectorError("NO_SUCH_FILE", "no such file '/data/file.bin'", { path: "/data/file.bin" });
    };
    const error = await collect(new SftpReadStream(fake.session, "/data/file.bin")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as SftpConnectorError).reason).toBe("NO_SUCH_FILE");
    expect(fake.closes).toEqual([]);
    expect(fake.calls).toEqual([]);
  });

  it("destroy closes the handle once, sends nothing more, and ignores answers still in flight", async () => {
    const file = randomBytes(100_000);
    const { stream, calls, closes, handle } = open(file, { chunkSize: 1000, concurrency: 8 });
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    await callsReach(calls, 2);
    calls[0]!.answer();
    await callsReach(calls, 3);
    stream.destroy();
    await tick();
    expect(closes).toEqual([handle]);
    const sent = calls.length;
    for (const call of calls.slice(1)) call.answer();
    for (let i = 0; i < 10; i++) await tick();
    expect(calls.length).toBe(sent);
    expect(Buffer.concat(chunks).equals(file.subarray(0, 1000))).toBe(true);
    expect(closes.length).toBe(1);
  });

  it("does not try to close the handle on a session that has already ended", async () => {
    const { stream, calls, closes, session } = open(randomBytes(10_000), { chunkSize: 1000 });
    stream.resume();
    stream.on("error", () => {});
    await callsReach(calls, 1);
    session.closed = true;
    stream.destroy(new Error("gone"));
    await tick();
    expect(closes).toEqual([]);
  });
});
