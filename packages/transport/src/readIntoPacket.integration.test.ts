// readIntoPacket on the installed ssh2 against OpenSSH: many reads in flight come back as views of ssh2's packets, nothing left pending, and a changed private shape fails loudly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { SFTPWrapper } from "ssh2";
import { isSftpConnectorError } from "@sftp-connector/core";
import { rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { openSession, type SftpSession } from "./index.js";
import { canReadIntoPacket, readIntoPacket, ssh2Version } from "./readIntoPacket.js";

let testbed: Testbed;
let session: SftpSession;
let handle: Buffer;
const data = randomBytes(1_000_000);

beforeAll(async () => {
  testbed = await startTestbed();
  session = await openSession(testbed.connectionConfig({ hostKey: "fingerprint" }));
  const path = `${testbed.users.password.home}/packets.bin`;
  await pipeline(Readable.from([data]), session.createWriteStream(path));
  handle = await session.open(path, "r");
});
afterAll(async () => {
  await session?.close();
  await testbed?.stop();
});

const pendingRequests = (sftp: SFTPWrapper) => Object.keys((sftp as unknown as { _requests: object })._requests).length;

function read(sftp: SFTPWrapper, length: number, position: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => readIntoPacket(sftp, handle, length, position, (error, chunk) => (error ? reject(error) : resolve(chunk))));
}

describe(`readIntoPacket on ssh2 ${ssh2Version()}`, () => {
  it("finds the private internals it patches", () => {
    expect(
      canReadIntoPacket(session.raw.sftp),
      `ssh2 ${ssh2Version()} no longer has _requests, _writeReqid and _maxReadLen: readIntoPacket would silently copy; check its shape and the ~ range in packages/transport/package.json`,
    ).toBe(true);
  });

  it("answers 32 reads in flight, each with exactly its bytes as a view of ssh2's packet, and leaves no request pending", async () => {
    const { sftp } = session.raw;
    const size = 31_250;
    const offsets = Array.from({ length: 32 }, (_, i) => i * size).reverse();
    const chunks = await Promise.all(offsets.map((offset) => read(sftp, size, offset)));
    for (const [i, offset] of offsets.entries()) {
      const chunk = chunks[i]!;
      expect(chunk.equals(data.subarray(offset, offset + size)), `bytes at ${offset}`).toBe(true);
      expect(chunk.buffer.byteLength).toBeGreaterThan(chunk.length);
    }
    expect(pendingRequests(sftp)).toBe(0);
  });

  it("a read at the end is short, one past it is null, one beyond the server's limit is refused before it is sent", async () => {
    const { sftp } = session.raw;
    expect((await read(sftp, 4096, data.length - 100))!.equals(data.subarray(data.length - 100))).toBe(true);
    expect(await read(sftp, 4096, data.length)).toBeNull();
    const limit = session.limits.maxReadLength;
    expect(() => readIntoPacket(sftp, handle, limit + 1, 0, () => {})).toThrow(RangeError);
    expect(pendingRequests(sftp)).toBe(0);
  });

  it("readChunk of more than the server's limit copies instead, and still returns exactly the bytes", async () => {
    const length = session.limits.maxReadLength + 5000;
    const chunk = await session.readChunk(handle, length, 1000);
    expect(chunk!.equals(data.subarray(1000, 1000 + length))).toBe(true);
  });

  it("an ssh2 that registers its reads differently makes readChunk fail naming the ssh2 version, not hand over wrong bytes", async () => {
    const other = await openSession(testbed.connectionConfig({ hostKey: "fingerprint" }));
    try {
      const sftp = other.raw.sftp as unknown as { read: (...args: unknown[]) => void; _requests: Record<number, { buffer?: Buffer }>; _writeReqid: number };
      const original = sftp.read.bind(sftp);
      // As if a new ssh2 kept the destination elsewhere: the entry under the new id has no buffer.
      sftp.read = (...args: unknown[]) => {
        original(...args);
        delete sftp._requests[sftp._writeReqid]!.buffer;
      };
      const reopened = await other.open(`${testbed.users.password.home}/packets.bin`, "r");
      const error = await rejectionOf(other.readChunk(reopened, 1000, 0), isSftpConnectorError);
      expect(error.message).toContain(`ssh2 ${ssh2Version()} did not register the read request as readIntoPacket expects`);
      expect(error.message).toContain("SFTP_CONNECTOR_COPY_READS=1");
    } finally {
      await other.close();
    }
  });
});
