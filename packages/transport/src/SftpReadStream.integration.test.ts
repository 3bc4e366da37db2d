// SftpReadStream against OpenSSH: requests of the server's read size within the in-flight limit, bytes identical, the handle closed on the server after destroy, the server's refusal as a reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isSftpConnectorError } from "@sftp-connector/core";
import { rejectionOf, sha256, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { openSession, type SftpSession } from "./index.js";

let testbed: Testbed;
let session: SftpSession;
let home: string;
const size = 5 * 1024 * 1024 + 17;

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  session = await openSession(testbed.connectionConfig({ hostKey: "fingerprint" }));
  await testbed.exec(`head -c ${size} /dev/urandom > ${home}/five.bin && chown tester ${home}/five.bin`);
});
afterAll(async () => {
  await session?.close();
  await testbed?.stop();
});

/** Records every readChunk of the session while `work` runs: offset, length and the peak in flight. */
async function recordReads(work: () => Promise<void>): Promise<{ reads: Array<[number, number]>; peak: number }> {
  const reads: Array<[number, number]> = [];
  let inFlight = 0;
  let peak = 0;
  const original = session.readChunk.bind(session);
  session.readChunk = async (handle, length, position, path) => {
    reads.push([position, length]);
    peak = Math.max(peak, ++inFlight);
    try {
      return await original(handle, length, position, path);
    } finally {
      inFlight -= 1;
    }
  };
  try {
    await work();
  } finally {
    session.readChunk = original;
  }
  return { reads, peak };
}

/** Bytes of everything piped into it, hashed. */
function hashingSink(): { stream: Writable; digest: () => string } {
  const parts: Buffer[] = [];
  return { stream: new Writable({ write: (chunk: Buffer, _e, cb) => (parts.push(chunk), cb()) }), digest: () => sha256(Buffer.concat(parts)) };
}

describe("SftpReadStream against OpenSSH", () => {
  it("reads in requests of the server's read limit, never more than `concurrency` in flight, bytes identical (SHA-256)", async () => {
    const expected = await testbed.sha256(`${home}/five.bin`);
    const sink = hashingSink();
    const { reads, peak } = await recordReads(() => pipeline(session.createReadStream(`${home}/five.bin`, { concurrency: 6 }), sink.stream));
    expect(sink.digest()).toBe(expected);
    const limit = session.limits.maxReadLength;
    expect(Math.max(...reads.map(([, length]) => length))).toBe(limit);
    expect(peak).toBe(6);
    // Each byte asked for once: the data requests tile the file.
    const inside = reads.filter(([offset]) => offset < size).sort((a, b) => a[0] - b[0]);
    expect(inside.map(([offset]) => offset)).toEqual(Array.from({ length: Math.ceil(size / limit) }, (_, i) => i * limit));
  });

  it("a small chunkSize is kept, whatever the server allows", async () => {
    const sink = hashingSink();
    const { reads } = await recordReads(() => pipeline(session.createReadStream(`${home}/five.bin`, { chunkSize: 65_536, end: 999_999 }), sink.stream));
    expect(Math.max(...reads.map(([, length]) => length))).toBe(65_536);
    expect(Math.max(...reads.map(([offset, length]) => offset + length))).toBe(1_000_000);
  });

  it("destroyed mid-file, it closes its handle on the server", async () => {
    const descriptors = async () =>
      Number((await testbed.exec("for p in $(pgrep -f '^sshd: tester@internal-sftp'); do ls /proc/$p/fd; done | wc -l")).stdout.trim());
    const idle = await descriptors();
    const stream = session.createReadStream(`${home}/five.bin`, { highWaterMark: 65_536 });
    await new Promise((resolve) => stream.once("readable", resolve));
    expect(await descriptors()).toBe(idle + 1);
    stream.destroy();
    await waitFor(async () => (await descriptors()) === idle, "the server to close the handle");
    expect(session.closed).toBe(false);
  });

  it("a file the user may not read fails with PERMISSION_DENIED naming it", async () => {
    await testbed.exec(`echo private > ${home}/root-only && chmod 600 ${home}/root-only`);
    const error = await rejectionOf(pipeline(session.createReadStream(`${home}/root-only`), hashingSink().stream), isSftpConnectorError);
    expect(error.reason).toBe("PERMISSION_DENIED");
    expect(error.message).toContain(`'${home}/root-only'`);
  });
});
