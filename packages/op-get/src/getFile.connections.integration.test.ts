// GET with `connections` against OpenSSH: one file read as ranges over several sessions, byte-identical, deleteAfter once read whole, a cut connection resumed or failing as one, an abort, every session given back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { type Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { countingProvider, recordingLogger, rejectionOf, sha256, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { SessionPool } from "@sftp-connector/transport";
import { getFile } from "./index.js";

const MiB = 1024 * 1024;
/** Four 8 MiB ranges and a short last one. */
const SIZE = 4 * 8 * MiB + 54_321;
let testbed: Testbed;
let home: string;
let expected: string;
let pool: SessionPool;
let counter = 0;

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  await testbed.exec(`head -c ${SIZE} /dev/urandom > ${home}/big.bin && chown tester ${home}/big.bin`);
  expected = await testbed.sha256(`${home}/big.bin`);
  pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
});
afterAll(async () => {
  await pool?.close();
  await testbed?.stop();
});

/** A fresh copy of big.bin under a name of its own (for the tests that delete it). */
async function copyOfBig(): Promise<string> {
  const name = `copy${++counter}.bin`;
  await testbed.exec(`cp ${home}/big.bin ${home}/${name}`, { user: "tester" });
  return name;
}

const exists = async (name: string) => (await testbed.exec(`test -e ${home}/${name}`, { allowFailure: true })).exitCode === 0;

/** A sink that hashes what it is given; `onBytes` is told the running total (and holds the next chunk back until what it returns settles). */
function hashingSink(onBytes?: (total: number) => unknown) {
  const hash = createHash("sha256");
  let total = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      total += chunk.length;
      Promise.resolve(onBytes?.(total)).then(() => done(), done);
    },
  });
  return { sink, digest: () => hash.digest("hex"), total: () => total };
}

describe("getFile with connections", () => {
  it("reads a file of several ranges over 4 sessions, byte-identical as a buffer and as a stream, and gives every session back", async () => {
    const counting = countingProvider(pool);
    const buffer = await getFile(counting.provider, { fileName: "big.bin" }, { as: "buffer", failIfNotFound: true, connections: 4 });
    expect(buffer.content.length).toBe(SIZE);
    expect(sha256(buffer.content)).toBe(expected);
    expect(buffer.properties.size).toBe(SIZE);
    // The GET's own session reads the first range, up to three more come from the pool (fewer when a range ends before a new session has logged in).
    expect(counting.peak()).toBeGreaterThan(1);
    expect(counting.peak()).toBeLessThanOrEqual(4);
    expect(counting.inUse()).toBe(0);

    const streamed = await getFile(counting.provider, { fileName: "big.bin" }, { failIfNotFound: true, connections: 4 });
    const { sink, digest, total } = hashingSink();
    await pipeline(streamed.content, sink);
    expect(total()).toBe(SIZE);
    expect(digest()).toBe(expected);
    await waitFor(() => counting.inUse() === 0, "every session given back");
  });

  it("a file no larger than one range, or connections 1, reads on the GET's one session", async () => {
    await testbed.exec(`head -c ${3 * MiB} ${home}/big.bin > ${home}/small.bin`, { user: "tester" });
    const counting = countingProvider(pool);
    const small = await getFile(counting.provider, { fileName: "small.bin" }, { as: "buffer", failIfNotFound: true, connections: 4 });
    expect(sha256(small.content)).toBe(await testbed.sha256(`${home}/small.bin`));
    const big = await getFile(counting.provider, { fileName: "big.bin" }, { as: "buffer", failIfNotFound: true, connections: 1 });
    expect(sha256(big.content)).toBe(expected);
    expect(counting.taken()).toBe(2);
    expect(counting.peak()).toBe(1);
  });

  it("deleteAfter deletes the file only once the parallel content was read whole", async () => {
    const name = await copyOfBig();
    const document = await getFile(pool, { fileName: name }, { failIfNotFound: true, connections: 4, deleteAfter: true, failDeleteAfter: true });
    let seenHalfway: boolean | undefined;
    const { sink, digest } = hashingSink(async (total) => {
      if (seenHalfway === undefined && total >= SIZE / 2) seenHalfway = await exists(name); // the next chunk waits for the answer
    });
    await pipeline(document.content, sink);
    expect(seenHalfway).toBe(true);
    expect(digest()).toBe(expected);
    expect(await exists(name)).toBe(false);

    const buffered = await copyOfBig();
    const again = await getFile(pool, { fileName: buffered }, { as: "buffer", failIfNotFound: true, connections: 3, deleteAfter: true });
    expect(sha256(again.content)).toBe(expected);
    expect(await exists(buffered)).toBe(false);
  });

  it("moveAfter moves the file once the parallel content was read whole", async () => {
    const name = await copyOfBig();
    const document = await getFile(
      pool,
      { fileName: name },
      { as: "buffer", failIfNotFound: true, connections: 4, moveAfter: "done", createDirectories: true },
    );
    expect(sha256(document.content)).toBe(expected);
    expect(await exists(name)).toBe(false);
    expect(await testbed.sha256(`${home}/done/${name}`)).toBe(expected);
  });

  it("a content stream destroyed half-way gives every session back and leaves the file (deleteAfter does not run)", async () => {
    const name = await copyOfBig();
    const counting = countingProvider(pool);
    const document = await getFile(counting.provider, { fileName: name }, { failIfNotFound: true, connections: 4, deleteAfter: true });
    let read = 0;
    for await (const chunk of document.content as AsyncIterable<Buffer>) {
      read += chunk.length;
      if (read >= SIZE / 2) break; // destroys the stream
    }
    await waitFor(() => counting.inUse() === 0, "every session given back");
    expect(await exists(name)).toBe(true);
  });

  it("a range whose connection is cut mid-transfer resumes on its own: byte-identical, deleteAfter still runs", async () => {
    const name = await copyOfBig();
    const counting = countingProvider(pool, { session: 3, afterCalls: 3 });
    const logger = recordingLogger();
    const document = await getFile(
      counting.provider,
      { fileName: name },
      { as: "buffer", failIfNotFound: true, connections: 4, deleteAfter: true, retry: { attempts: 2, backoffMs: 0 }, logger },
    );
    expect(counting.cuts()).toBe(1);
    expect(sha256(document.content)).toBe(expected);
    expect(logger.lines.filter((line) => line.includes("resuming on a new session"))).toHaveLength(1);
    expect(await exists(name)).toBe(false);
    expect(counting.inUse()).toBe(0);
  });

  it("every session dropped by the server mid-transfer: each range resumes on a fresh session, byte-identical", async () => {
    let dropped = false;
    const document = await getFile(
      pool,
      { fileName: "big.bin" },
      {
        as: "buffer",
        failIfNotFound: true,
        connections: 4,
        retry: { attempts: 3, backoffMs: 50 },
        onProgress: (bytes) => {
          if (dropped || bytes < 12 * MiB) return;
          dropped = true;
          testbed.dropSessionsSync();
        },
      },
    );
    expect(dropped).toBe(true);
    expect(sha256(document.content)).toBe(expected);
  });

  it("without retries a cut connection fails the GET with CONNECTION_LOST, the file is not deleted and every session goes back", async () => {
    const name = await copyOfBig();
    const counting = countingProvider(pool, { session: 2, afterCalls: 2 });
    const error = await rejectionOf(
      getFile(counting.provider, { fileName: name }, { as: "buffer", failIfNotFound: true, connections: 4, deleteAfter: true, retry: { attempts: 0 } }),
    );
    expect(counting.cuts()).toBe(1);
    expect(error).toMatchObject({ reason: "CONNECTION_LOST" });
    expect(await exists(name)).toBe(true);
    await waitFor(() => counting.inUse() === 0, "every session given back");

    const streamed = await getFile(
      countingProvider(pool, { session: 3, afterCalls: 2 }).provider,
      { fileName: name },
      { connections: 4, retry: { attempts: 0 } },
    );
    const failed = await rejectionOf(pipeline(streamed!.content, hashingSink().sink));
    expect(failed).toMatchObject({ reason: "CONNECTION_LOST" });
  });

  it("an abort mid-way fails the GET with ABORTED, deletes nothing and gives every session back", async () => {
    const name = await copyOfBig();
    const counting = countingProvider(pool);
    const controller = new AbortController();
    const document = await getFile(
      counting.provider,
      { fileName: name },
      { failIfNotFound: true, connections: 4, deleteAfter: true, signal: controller.signal },
    );
    const { sink } = hashingSink((total) => {
      if (total >= 10 * MiB) controller.abort();
    });
    const error = await rejectionOf(pipeline(document.content, sink));
    expect(error).toMatchObject({ reason: "ABORTED" });
    await waitFor(() => counting.inUse() === 0, "every session given back");
    expect(await exists(name)).toBe(true);
  });

  it("the GET's own session goes back to the provider once, also when the GET fails while a range is still reading on it", async () => {
    for (const as of ["buffer", "stream"] as const) {
      const counting = countingProvider(pool);
      const controller = new AbortController();
      const reading = getFile(
        counting.provider,
        { fileName: "big.bin" },
        { as, failIfNotFound: true, connections: 4, signal: controller.signal, onProgress: () => controller.abort() },
      );
      const error = await rejectionOf(async () => {
        const document = await reading;
        if (as === "stream") await pipeline(document.content as Readable, hashingSink().sink);
      });
      expect(error).toMatchObject({ reason: "ABORTED" });
      await waitFor(() => counting.inUse() === 0, "every session given back");
      await new Promise((resolve) => setTimeout(resolve, 500)); // a late second release would come now
      expect(counting.overReleases(), as).toBe(0);
    }
  });
});
