// createParallelReadStream and createParallelWriteStream against OpenSSH: one file over several sessions, byte-identical (SHA-256); a range whose connection is cut is done again on its own; nothing left behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { countingProvider, recordingLogger, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { SessionPool, createParallelReadStream, createParallelWriteStream } from "./index.js";

let testbed: Testbed;
let home: string;
const MiB = 1024 * 1024;
const size = 24 * MiB + 12345;
let expected: string;

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  await testbed.exec(`head -c ${size} /dev/urandom > ${home}/big.bin && chown tester ${home}/big.bin`);
  expected = await testbed.sha256(`${home}/big.bin`);
});
afterAll(async () => {
  await testbed?.stop();
});

const sha256Sink = () => {
  const hash = createHash("sha256");
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb();
    },
  });
  return { sink, digest: () => hash.digest("hex"), bytes: () => bytes };
};

describe("createParallelReadStream against OpenSSH", () => {
  it("reads one file as ranges over 4 sessions, in order, byte-identical, and gives every session back", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const counting = countingProvider(pool);
    const { sink, digest, bytes } = sha256Sink();
    let progress = 0;
    await pipeline(
      createParallelReadStream(counting.provider, `${home}/big.bin`, { size, connections: 4, rangeBytes: MiB, onProgress: (total) => (progress = total) }),
      sink,
    );
    expect(bytes()).toBe(size);
    expect(digest()).toBe(expected);
    expect(progress).toBe(size);
    expect(counting.peak()).toBe(4);
    expect(counting.inUse()).toBe(0);
    expect(counting.taken()).toBe(25); // one lease per range: 24 full ranges and the last one
    await pool.close();
  });

  it("with a pool smaller than connections, reads over the sessions free and never waits for one (a wait would time out here)", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }), { max: 2, acquireTimeoutMs: 1 });
    const { sink, digest } = sha256Sink();
    await pipeline(createParallelReadStream(pool, `${home}/big.bin`, { size, connections: 4, rangeBytes: 2 * MiB }), sink);
    expect(digest()).toBe(expected);
    expect(pool.peak).toBe(2);
    await pool.close();
  });

  it("reads on past the size it was given when the file grew (the last range reads to end of file)", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const { sink, digest, bytes } = sha256Sink();
    await pipeline(createParallelReadStream(pool, `${home}/big.bin`, { size: size - 3 * MiB, connections: 3, rangeBytes: 2 * MiB }), sink);
    expect(bytes()).toBe(size);
    expect(digest()).toBe(expected);
    await pool.close();
  });

  it("a range whose connection is cut resumes on its own on a fresh session; the file arrives identical", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const counting = countingProvider(pool, { session: 3, afterCalls: 3 });
    const logger = recordingLogger();
    const { sink, digest } = sha256Sink();
    await pipeline(
      createParallelReadStream(counting.provider, `${home}/big.bin`, { size, connections: 4, rangeBytes: 4 * MiB, attempts: 2, backoffMs: 0, logger }),
      sink,
    );
    expect(counting.cuts()).toBe(1);
    expect(digest()).toBe(expected);
    const resumes = logger.lines.filter((line) => line.includes("resuming on a new session"));
    expect(resumes).toHaveLength(1);
    expect(counting.inUse()).toBe(0);
    await pool.close();
  });

  it("without retries the cut range fails the stream with CONNECTION_LOST, and every session goes back", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const counting = countingProvider(pool, { session: 2, afterCalls: 2 });
    const { sink } = sha256Sink();
    const error = await pipeline(
      createParallelReadStream(counting.provider, `${home}/big.bin`, { size, connections: 4, rangeBytes: 4 * MiB, attempts: 0 }),
      sink,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "CONNECTION_LOST" });
    for (let i = 0; i < 100 && counting.inUse() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(counting.inUse()).toBe(0);
    await pool.close();
  });

  it("an abort fails the stream with ABORTED and gives every session back", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const counting = countingProvider(pool);
    const controller = new AbortController();
    let seen = 0;
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        seen += chunk.length;
        if (seen >= 5 * MiB) controller.abort();
        cb();
      },
    });
    const error = await pipeline(
      createParallelReadStream(counting.provider, `${home}/big.bin`, { size, connections: 4, rangeBytes: MiB, signal: controller.signal }),
      sink,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "ABORTED" });
    for (let i = 0; i < 100 && counting.inUse() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(counting.inUse()).toBe(0);
    await pool.close();
  });
});

describe("createParallelWriteStream against OpenSSH", () => {
  const content = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) content.writeUInt32LE((i * 2654435761) >>> 0, Math.min(i, size - 4));
  const contentSha = createHash("sha256").update(content).digest("hex");
  /** The content in uneven chunks, as a file or a socket would hand it over. */
  const source = () =>
    Readable.from(
      (function* () {
        for (let at = 0, step = 1; at < size; at += step, step = (step * 7 + 65_536) % (3 * MiB)) yield content.subarray(at, Math.min(size, at + step));
      })(),
      { objectMode: false },
    );

  it("writes one file as ranges over 4 sessions, byte-identical, and closes every handle", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const counting = countingProvider(pool);
    const path = `${home}/up-parallel.bin`;
    await testbed.exec(`: > ${path} && chown tester ${path}`);
    const writer = createParallelWriteStream(counting.provider, path, { connections: 4, rangeBytes: MiB });
    await pipeline(source(), writer);
    expect(writer.bytesWritten).toBe(size);
    expect(writer.peakConnections).toBe(4);
    expect(counting.inUse()).toBe(0);
    expect(await testbed.sha256(path)).toBe(contentSha);
    await pool.close();
  });

  it("with a pool smaller than connections, writes over the sessions free and never waits for one (a wait would time out here)", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }), { max: 2, acquireTimeoutMs: 1 });
    const path = `${home}/up-small-pool.bin`;
    await testbed.exec(`: > ${path} && chown tester ${path}`);
    const writer = createParallelWriteStream(pool, path, { connections: 4, rangeBytes: MiB });
    await pipeline(source(), writer);
    expect(writer.peakConnections).toBe(2);
    expect(pool.peak).toBe(2);
    expect(await testbed.sha256(path)).toBe(contentSha);
    await pool.close();
  });

  it("content smaller than one range takes one session", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const counting = countingProvider(pool);
    const path = `${home}/up-small.bin`;
    await testbed.exec(`: > ${path} && chown tester ${path}`);
    const writer = createParallelWriteStream(counting.provider, path, { connections: 4 });
    await pipeline(Readable.from([content.subarray(0, 100_000)]), writer);
    expect(counting.taken()).toBe(1);
    expect(await testbed.sha256(path)).toBe(createHash("sha256").update(content.subarray(0, 100_000)).digest("hex"));
    await pool.close();
  });

  it("a range whose connection is cut is written again on its own on a fresh session; the file is identical", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const counting = countingProvider(pool, { session: 2, afterCalls: 4 });
    const logger = recordingLogger();
    const path = `${home}/up-cut.bin`;
    await testbed.exec(`: > ${path} && chown tester ${path}`);
    const writer = createParallelWriteStream(counting.provider, path, { connections: 4, rangeBytes: 2 * MiB, attempts: 2, backoffMs: 0, logger });
    await pipeline(source(), writer);
    expect(counting.cuts()).toBe(1);
    expect(logger.lines.filter((line) => line.includes("writing that range again"))).toHaveLength(1);
    expect(await testbed.sha256(path)).toBe(contentSha);
    expect(counting.inUse()).toBe(0);
    await pool.close();
  });

  it("without retries the cut range fails the stream with CONNECTION_LOST and every session goes back", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const counting = countingProvider(pool, { session: 3, afterCalls: 2 });
    const path = `${home}/up-fail.bin`;
    await testbed.exec(`: > ${path} && chown tester ${path}`);
    const error = await pipeline(source(), createParallelWriteStream(counting.provider, path, { connections: 4, rangeBytes: 2 * MiB, attempts: 0 })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: "CONNECTION_LOST" });
    for (let i = 0; i < 100 && counting.inUse() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(counting.inUse()).toBe(0);
    await pool.close();
  });
});
