// CREATE with `connections` against OpenSSH: the temporary file written as ranges over several sessions, then the same rename; byte-identical, a cut range written again or failing as one, an abort, nothing left behind.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { chunkedSource, countingProvider, recordingLogger, rejectionOf, sha256, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { SessionPool } from "@sftp-connector/transport";
import { createFile } from "./index.js";

const MiB = 1024 * 1024;
/** Three 8 MiB ranges and a short last one. */
const SIZE = 3 * 8 * MiB + 77_777;
const data = randomBytes(SIZE);
const dataSha = sha256(data);
let testbed: Testbed;
let home: string;
let pool: SessionPool;
let dir: string;
let counter = 0;

beforeAll(async () => {
  testbed = await startTestbed({ tmpfs: { "/home/tester/small": "size=12m,mode=1777" } });
  home = testbed.users.password.home;
  // Mounting the tmpfs makes the home directory root's (a testkit quirk): give it back to the user.
  await testbed.exec(`chown tester:tester '${home}'`);
  pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
});
afterAll(async () => {
  await pool?.close();
  await testbed?.stop();
});
/** Every test works in a fresh directory of its own. */
beforeEach(async () => {
  dir = `${home}/c${++counter}`;
  await testbed.exec(`mkdir -p '${dir}'`, { user: "tester" });
});

/** Every entry of the test's directory on the server, hidden ones (a temporary file) too. */
async function entries(): Promise<string[]> {
  return (await testbed.exec(`ls -A '${dir}'`)).stdout.split("\n").filter(Boolean).sort();
}

describe("createFile with connections", () => {
  it("writes content of several ranges over 4 sessions into the temporary file, renames it: byte-identical, nothing else left", async () => {
    const counting = countingProvider(pool);
    const result = await createFile(counting.provider, { content: chunkedSource(data, MiB), fileName: "big.bin", remoteDirectory: dir }, { connections: 4 });
    expect(result.bytesWritten).toBe(SIZE);
    expect(result.response).toEqual({ fileName: "big.bin", remoteDirectory: dir });
    expect(await testbed.sha256(`${dir}/big.bin`)).toBe(dataSha);
    expect(await entries()).toEqual(["big.bin"]);
    expect(counting.peak()).toBeGreaterThan(1);
    await waitFor(() => counting.inUse() === 0, "every session given back");
  });

  it("a Buffer and OVERWRITE of an existing file work the same; APPEND uses one connection", async () => {
    await createFile(pool, { content: data, fileName: "buffer.bin", remoteDirectory: dir }, { connections: 3 });
    expect(await testbed.sha256(`${dir}/buffer.bin`)).toBe(dataSha);
    await createFile(pool, { content: "old", fileName: "buffer.bin", remoteDirectory: dir }, { connections: 3, actionIfFileExists: "OVERWRITE" });
    const appending = countingProvider(pool);
    await createFile(appending.provider, { content: data, fileName: "buffer.bin", remoteDirectory: dir }, { connections: 3, actionIfFileExists: "APPEND" });
    expect(appending.peak()).toBe(1);
    expect(await testbed.sha256(`${dir}/buffer.bin`)).toBe(sha256(Buffer.concat([Buffer.from("old"), data])));
    await createFile(pool, { content: data, fileName: "buffer.bin", remoteDirectory: dir }, { connections: 3, actionIfFileExists: "OVERWRITE" });
    expect(await testbed.sha256(`${dir}/buffer.bin`)).toBe(dataSha);
    expect(await entries()).toEqual(["buffer.bin"]);
  });

  it("a range whose connection is cut mid-transfer is written again on its own: byte-identical, nothing else left", async () => {
    const counting = countingProvider(pool, { session: 3, afterCalls: 4 });
    const logger = recordingLogger();
    await createFile(
      counting.provider,
      { content: chunkedSource(data, MiB), fileName: "cut.bin", remoteDirectory: dir },
      { connections: 4, retry: { attempts: 2, backoffMs: 0 }, logger },
    );
    expect(counting.cuts()).toBe(1);
    expect(logger.lines.filter((line) => line.includes("writing that range again"))).toHaveLength(1);
    expect(await testbed.sha256(`${dir}/cut.bin`)).toBe(dataSha);
    expect(await entries()).toEqual(["cut.bin"]);
    await waitFor(() => counting.inUse() === 0, "every session given back");
  });

  it("every session dropped by the server mid-transfer: each range is written again on a fresh session, byte-identical, nothing else left", async () => {
    let dropped = false;
    await createFile(
      pool,
      { content: chunkedSource(data, MiB), fileName: "dropped.bin", remoteDirectory: dir },
      {
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
    expect(await testbed.sha256(`${dir}/dropped.bin`)).toBe(dataSha);
    expect(await entries()).toEqual(["dropped.bin"]);
  });

  it("without retries a cut connection fails the CREATE with CONNECTION_LOST: no file at the target name, no temporary file", async () => {
    const counting = countingProvider(pool, { session: 3, afterCalls: 4 });
    const error = await rejectionOf(
      createFile(
        counting.provider,
        { content: chunkedSource(data, MiB), fileName: "lost.bin", remoteDirectory: dir },
        { connections: 4, retry: { attempts: 0 } },
      ),
    );
    expect(counting.cuts()).toBe(1);
    expect(error).toMatchObject({ reason: "CONNECTION_LOST" });
    await waitFor(async () => (await entries()).length === 0, "the temporary file removed");
    await waitFor(() => counting.inUse() === 0, "every session given back");
  });

  it("with a staging directory, and with FORCE_UNIQUE_NAMES and a temporary extension, into a sub-path: byte-identical, nothing left", async () => {
    await testbed.exec(`mkdir -p '${dir}/staging' '${dir}/out'`, { user: "tester" });
    await createFile(
      pool,
      { content: chunkedSource(data, MiB), fileName: "out/a.bin", remoteDirectory: dir },
      { connections: 3, stagingDirectory: `${dir}/staging` },
    );
    const unique = await createFile(
      pool,
      { content: chunkedSource(data, MiB), fileName: "out/a.bin", remoteDirectory: dir },
      { connections: 3, actionIfFileExists: "FORCE_UNIQUE_NAMES", tempExtension: "part" },
    );
    expect(unique.response.fileName).toBe("a1.bin");
    for (const name of ["a.bin", "a1.bin"]) expect(await testbed.sha256(`${dir}/out/${name}`)).toBe(dataSha);
    const list = async (path: string) => (await testbed.exec(`ls -A '${path}'`)).stdout.split("\n").filter(Boolean).sort();
    expect(await list(`${dir}/out`)).toEqual(["a.bin", "a1.bin"]);
    expect(await list(`${dir}/staging`)).toEqual([]);
  });

  it("a content stream that fails mid-way fails the CREATE with FAILURE naming the content: nothing left", async () => {
    const failing = Readable.from(
      (async function* () {
        for (let at = 0; at < 12 * MiB; at += MiB) yield data.subarray(at, at + MiB);
        throw new Error("the source broke");
      })(),
    );
    const error = await rejectionOf(createFile(pool, { content: failing, fileName: "broken.bin", remoteDirectory: dir }, { connections: 4 }));
    expect(error).toMatchObject({ reason: "FAILURE" });
    expect((error as Error).message).toMatch(/^content: reading the content failed/);
    await waitFor(async () => (await entries()).length === 0, "the temporary file removed");
  });

  it("a full disk fails the CREATE with FAILURE (disk full?): the temporary file is removed", async () => {
    const small = `${home}/small`;
    const error = await rejectionOf(createFile(pool, { content: chunkedSource(data, MiB), fileName: "full.bin", remoteDirectory: small }, { connections: 4 }));
    expect(error).toMatchObject({ reason: "FAILURE" });
    expect((error as Error).message).toContain("disk full?");
    await waitFor(async () => (await testbed.exec(`ls -A '${small}'`)).stdout.trim() === "", "the temporary file removed");
  });

  it("an abort mid-way fails the CREATE with ABORTED: nothing left", async () => {
    const counting = countingProvider(pool);
    const controller = new AbortController();
    const error = await rejectionOf(
      createFile(
        counting.provider,
        { content: chunkedSource(data, MiB), fileName: "aborted.bin", remoteDirectory: dir },
        { connections: 4, signal: controller.signal, onProgress: (bytes) => bytes >= 12 * MiB && controller.abort() },
      ),
    );
    expect(error).toMatchObject({ reason: "ABORTED" });
    await waitFor(async () => (await entries()).length === 0, "the temporary file removed");
    await waitFor(() => counting.inUse() === 0, "every session given back");
    expect(counting.overReleases()).toBe(0);
  });
});
