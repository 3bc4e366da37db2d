// UPSERT with `connections` against OpenSSH: an existing file replaced by content written as ranges over several sessions into a temporary file, untouched until the rename; a cut range written again or failing as one, an abort, nothing left behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import {
  chunkedSource,
  countingProvider,
  gatedSource,
  recordingLogger,
  rejectionOf,
  sha256,
  startTestbed,
  waitFor,
  type Testbed,
} from "@sftp-connector/testkit";
import { SessionPool } from "@sftp-connector/transport";
import { isTemporaryFileName } from "@sftp-connector/transport/upload";
import { upsertFile } from "./index.js";

const MiB = 1024 * 1024;
/** Three 8 MiB ranges and a short last one. */
const SIZE = 3 * 8 * MiB + 4_321;
const data = randomBytes(SIZE);
const dataSha = sha256(data);
const old = randomBytes(5 * MiB + 3);
const oldSha = sha256(old);
let testbed: Testbed;
let dir: string;
let pool: SessionPool;
let counter = 0;

beforeAll(async () => {
  testbed = await startTestbed();
  dir = `${testbed.users.password.home}/upsert`;
  await testbed.exec(`mkdir -p '${dir}'`, { user: "tester" });
  pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
});
afterAll(async () => {
  await pool?.close();
  await testbed?.stop();
});

/** A file of `old` content under a fresh name; returns the name. */
async function existingFile(): Promise<string> {
  const name = `existing${++counter}.bin`;
  await upsertFile(pool, { content: old, fileName: name, remoteDirectory: dir });
  return name;
}

/** The names in the directory that are temporary files of an upload. */
async function temporaryFiles(): Promise<string[]> {
  return (await testbed.exec(`ls -A '${dir}'`)).stdout.split("\n").filter((name) => name !== "" && isTemporaryFileName(name));
}

describe("upsertFile with connections", () => {
  it("replaces an existing file: the old one is untouched while the ranges are written, then renamed over it; nothing else left", async () => {
    const name = await existingFile();
    const counting = countingProvider(pool);
    const source = gatedSource(data.subarray(0, 20 * MiB), data.subarray(20 * MiB));
    let progress = 0;
    const upsert = upsertFile(
      counting.provider,
      { content: source.stream, fileName: name, remoteDirectory: dir },
      { connections: 4, onProgress: (bytes) => (progress = bytes) },
    );
    await waitFor(() => progress >= 16 * MiB, "two ranges written");
    expect(await testbed.sha256(`${dir}/${name}`)).toBe(oldSha);
    expect(await temporaryFiles()).toHaveLength(1);
    source.open();
    const result = await upsert;
    expect(result.bytesWritten).toBe(SIZE);
    expect(await testbed.sha256(`${dir}/${name}`)).toBe(dataSha);
    expect(await temporaryFiles()).toEqual([]);
    expect(counting.peak()).toBeGreaterThan(1);
    await waitFor(() => counting.inUse() === 0, "every session given back");
  });

  it("a range whose connection is cut mid-transfer is written again on its own: the file is replaced byte-identical", async () => {
    const name = await existingFile();
    const counting = countingProvider(pool, { session: 3, afterCalls: 4 });
    const logger = recordingLogger();
    await upsertFile(
      counting.provider,
      { content: chunkedSource(data, MiB), fileName: name, remoteDirectory: dir },
      { connections: 4, retry: { attempts: 2, backoffMs: 0 }, logger },
    );
    expect(counting.cuts()).toBe(1);
    expect(logger.lines.filter((line) => line.includes("writing that range again"))).toHaveLength(1);
    expect(await testbed.sha256(`${dir}/${name}`)).toBe(dataSha);
    expect(await temporaryFiles()).toEqual([]);
  });

  it("without retries a cut connection fails the UPSERT with CONNECTION_LOST: the old file is untouched, no temporary file left", async () => {
    const name = await existingFile();
    const counting = countingProvider(pool, { session: 3, afterCalls: 4 });
    const error = await rejectionOf(
      upsertFile(counting.provider, { content: chunkedSource(data, MiB), fileName: name, remoteDirectory: dir }, { connections: 4, retry: { attempts: 0 } }),
    );
    expect(counting.cuts()).toBe(1);
    expect(error).toMatchObject({ reason: "CONNECTION_LOST" });
    expect(await testbed.sha256(`${dir}/${name}`)).toBe(oldSha);
    await waitFor(async () => (await temporaryFiles()).length === 0, "the temporary file removed");
    await waitFor(() => counting.inUse() === 0, "every session given back");
  });

  it("an abort mid-way fails the UPSERT with ABORTED: the old file is untouched, no temporary file left; a new name is not created", async () => {
    const name = await existingFile();
    for (const fileName of [name, `new${counter}.bin`]) {
      const counting = countingProvider(pool);
      const controller = new AbortController();
      const error = await rejectionOf(
        upsertFile(
          counting.provider,
          { content: chunkedSource(data, MiB), fileName, remoteDirectory: dir },
          { connections: 4, signal: controller.signal, onProgress: (bytes) => bytes >= 12 * MiB && controller.abort() },
        ),
      );
      expect(error).toMatchObject({ reason: "ABORTED" });
      await waitFor(async () => (await temporaryFiles()).length === 0, "the temporary file removed");
      await waitFor(() => counting.inUse() === 0, "every session given back");
    }
    expect(await testbed.sha256(`${dir}/${name}`)).toBe(oldSha);
    expect((await testbed.exec(`test -e '${dir}/new${counter}.bin'`, { allowFailure: true })).exitCode).not.toBe(0);
  });

  it("append with connections uses one connection and appends in order", async () => {
    const name = await existingFile();
    const counting = countingProvider(pool);
    await upsertFile(counting.provider, { content: chunkedSource(data, MiB), fileName: name, remoteDirectory: dir }, { connections: 4, append: true });
    expect(counting.peak()).toBe(1);
    expect(await testbed.sha256(`${dir}/${name}`)).toBe(sha256(Buffer.concat([old, data])));
  });
});
