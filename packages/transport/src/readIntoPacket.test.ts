// readIntoPacket's rewiring of ssh2's pending READ (on an object shaped as ssh2 1.17's SFTP client), its guards, and the ssh2 range it was tested with.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { SFTPWrapper } from "ssh2";
import { canReadIntoPacket, readIntoPacket, ssh2Version } from "./readIntoPacket.js";

type Entry = { cb: (error: Error | undefined, data?: Buffer | number, bytes?: number) => void; buffer?: Buffer };

/**
 * The three internals readIntoPacket uses, laid out as ssh2 1.17's `read_` lays them out: a new
 * request id in `_writeReqid`, and under it `{ cb, buffer }` with `buffer` a slice of the caller's.
 * `answer` plays ssh2's DATA/STATUS handlers: an entry without a buffer gets the packet's slice.
 */
function ssh2Shaped(maxReadLen = 65_536) {
  const sent: Array<{ id: number; length: number; position: number }> = [];
  const sftp = {
    _requests: {} as Record<number, Entry>,
    _writeReqid: -1,
    _maxReadLen: maxReadLen,
    read(_handle: Buffer, buffer: Buffer, offset: number, length: number, position: number, cb: () => void) {
      const id = (this._writeReqid = (this._writeReqid + 1) & 0xffffffff);
      this._requests[id] = { cb: () => cb(), buffer: buffer.subarray(offset, offset + length) };
      sent.push({ id, length, position });
    },
  };
  const answer = (id: number, reply: { data?: Buffer; status?: number }) => {
    const entry = sftp._requests[id]!;
    delete sftp._requests[id];
    if (reply.status !== undefined) return entry.cb(Object.assign(new Error(`status ${reply.status}`), { code: reply.status }));
    if (entry.buffer) throw new Error("the entry still has ssh2's buffer: the bytes would be copied");
    entry.cb(undefined, reply.data);
  };
  return { sftp, sent, answer, wrapper: sftp as unknown as SFTPWrapper };
}

const handle = Buffer.from("h");

function read(wrapper: SFTPWrapper, length: number, position: number): Promise<{ error?: Error; data: Buffer | null }> {
  return new Promise((resolve) => readIntoPacket(wrapper, handle, length, position, (error, data) => resolve({ error, data })));
}

describe("readIntoPacket", () => {
  it("hands over the packet's own bytes (the same Buffer, no copy), for each request of several in flight answered out of order", async () => {
    const { wrapper, sent, answer } = ssh2Shaped();
    const first = read(wrapper, 1000, 0);
    const second = read(wrapper, 1000, 1000);
    expect(sent.map((s) => [s.length, s.position])).toEqual([
      [1000, 0],
      [1000, 1000],
    ]);
    const packet = Buffer.alloc(3000, 7);
    const b = packet.subarray(1500, 2500);
    const a = packet.subarray(100, 1100);
    answer(sent[1]!.id, { data: b });
    answer(sent[0]!.id, { data: a });
    expect((await first).data).toBe(a);
    expect((await second).data).toBe(b);
  });

  it("answers null at end of file (status 1, or no data), and passes other errors on", async () => {
    const { wrapper, sent, answer } = ssh2Shaped();
    const eof = read(wrapper, 10, 500);
    const empty = read(wrapper, 10, 600);
    const denied = read(wrapper, 10, 0);
    answer(sent[0]!.id, { status: 1 });
    answer(sent[1]!.id, {});
    answer(sent[2]!.id, { status: 3 });
    expect(await eof).toEqual({ error: undefined, data: null });
    expect(await empty).toEqual({ error: undefined, data: null });
    const { error, data } = await denied;
    expect((error as Error & { code: number }).code).toBe(3);
    expect(data).toBeNull();
  });

  it("refuses an answer longer than the read, and a read longer than the server's limit", async () => {
    const { wrapper, sent, answer } = ssh2Shaped(4096);
    const tooMuch = read(wrapper, 10, 0);
    answer(sent[0]!.id, { data: Buffer.alloc(11) });
    expect((await tooMuch).error?.message).toBe("Received more data than requested (11 bytes for a read of 10)");
    expect(() => readIntoPacket(wrapper, handle, 4097, 0, () => {})).toThrow(new RangeError("read of 4097 bytes exceeds the server's limit of 4096"));
    expect(sent).toHaveLength(1);
  });

  it("is only offered when the three internals are there", () => {
    expect(canReadIntoPacket(ssh2Shaped().wrapper)).toBe(true);
    for (const missing of ["_requests", "_writeReqid", "_maxReadLen"] as const) {
      const { sftp } = ssh2Shaped();
      delete (sftp as Partial<typeof sftp>)[missing];
      expect(canReadIntoPacket(sftp as unknown as SFTPWrapper), missing).toBe(false);
    }
  });

  it("fails loudly, naming the ssh2 version, when ssh2 registers its read differently", () => {
    const message = new RegExp(`^ssh2 ${ssh2Version().replace(/\./g, "\\.")} did not register the read request as readIntoPacket expects .*_requests changed`);
    // No new request id.
    const unregistered = ssh2Shaped();
    unregistered.sftp.read = () => {};
    expect(() => readIntoPacket(unregistered.wrapper, handle, 10, 0, () => {})).toThrow(message);
    // A new id, but not ssh2's { cb, buffer } under it.
    const reshaped = ssh2Shaped();
    reshaped.sftp.read = function (this: typeof reshaped.sftp) {
      this._writeReqid += 1;
      this._requests[this._writeReqid] = { cb: () => {} };
    };
    expect(() => readIntoPacket(reshaped.wrapper, handle, 10, 0, () => {})).toThrow(message);
  });
});

describe("the ssh2 readIntoPacket was tested with", () => {
  const installed = (createRequire(import.meta.url)("ssh2/package.json") as { version: string }).version;
  const range = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { dependencies: Record<string, string> }).dependencies.ssh2!;

  it("is pinned to one minor version (~), and the installed ssh2 is in that range", () => {
    const pinned = /^~(\d+)\.(\d+)\.(\d+)$/.exec(range);
    expect(pinned, `packages/transport/package.json: ssh2 "${range}" must be a ~ range (readIntoPacket patches ssh2's private _requests)`).not.toBeNull();
    const [major, minor, patch] = installed.split(".").map(Number);
    expect([major, minor], `installed ssh2 ${installed} is outside "${range}"`).toEqual([Number(pinned![1]), Number(pinned![2])]);
    expect(patch).toBeGreaterThanOrEqual(Number(pinned![3]));
  });

  it("is the version readIntoPacket names in its messages", () => {
    expect(ssh2Version()).toBe(installed);
  });
});
