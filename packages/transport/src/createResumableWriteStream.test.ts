// The resumable write stream with a fake provider: a write refused after its callback ran fails the stream (never a silent success), resumes use a smaller window, and a connection lost during the first open's replay resumes the file instead of truncating it.
import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { randomBytes } from "node:crypto";
import { SftpConnectorError } from "@sftp-connector/core";
import { createResumableWriteStream } from "./createResumableWriteStream.js";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import { SftpWriteStream, type WriteStreamOptions } from "./SftpWriteStream.js";

/** An inner stream that accepts every write at once (pipelined) and fails later, as an SFTP write answered with a failure does. */
function failingLater() {
  const stream = Object.assign(
    new Writable({
      write(_chunk, _encoding, callback) {
        callback();
        setTimeout(() => stream.destroy(new SftpConnectorError("FAILURE", "write /f: Failure (no space left?)", { path: "/f" })), 5);
      },
      final(callback) {
        setTimeout(callback, 20);
      },
    }),
    { startOffset: 0, bytesWritten: 0 },
  );
  setImmediate(() => stream.emit("ready"));
  return stream;
}

describe("createResumableWriteStream", () => {
  it("fails with the inner stream's error when the server refused a write that was already handed over", async () => {
    const session = { closed: false, createWriteStream: () => failingLater() } as unknown as SftpSession;
    const provider: SessionProvider = { acquire: async () => session, release() {} };
    const error = await pipeline(Readable.from([Buffer.alloc(1000)]), createResumableWriteStream(provider, "/f", { attempts: 2, backoffMs: 1 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SftpConnectorError);
    expect((error as SftpConnectorError).reason).toBe("FAILURE");
  });
});

describe("createResumableWriteStream after a lost connection", () => {
  it("resumes with half as many requests in flight per retry, so a link cut every so often still sees progress", async () => {
    const seen: Array<number | undefined> = [];
    let opened = 0;
    const session = {
      closed: false,
      createWriteStream: (_path: string, options: { concurrency?: number }) => {
        seen.push(options.concurrency);
        opened += 1;
        const stream = Object.assign(
          new Writable({
            write(_chunk, _encoding, callback) {
              // The first two connections are lost at their first write.
              callback(opened <= 2 ? new SftpConnectorError("CONNECTION_LOST", "lost") : null);
            },
          }),
          { startOffset: 0, bytesWritten: 0 },
        );
        setImmediate(() => stream.emit("ready"));
        return stream;
      },
    } as unknown as SftpSession;
    const provider: SessionProvider = { acquire: async () => session, release() {} };
    await pipeline(Readable.from([Buffer.alloc(10)]), createResumableWriteStream(provider, "/f", { attempts: 3, backoffMs: 1, concurrency: 16 }));
    expect(seen).toEqual([16, 8, 4]);
  });
});

/**
 * One remote file behind sessions of a fake server, written through the real SftpWriteStream.
 * Each session acknowledges writes on the next turn; the first `loseAfter` acknowledgements of the
 * first session go through, then that session's connection is lost (every later write fails).
 */
function fakeServer(loseAfter: number) {
  let file = Buffer.alloc(0);
  const opens: Array<{ flags: string; start?: number }> = [];
  let sessions = 0;
  const makeSession = (): SftpSession => {
    const index = sessions++;
    let acks = 0;
    const session = {
      closed: false,
      limits: { maxReadLength: 32_768, maxWriteLength: 32_768 },
      open: async (_path: string, flags: string) => {
        if (flags === "w") file = Buffer.alloc(0);
        return Buffer.from("h");
      },
      fstat: async () => ({ size: file.length }),
      close: async () => {},
      write: (_h: Buffer, buffer: Buffer, offset: number, length: number, position: number) =>
        new Promise<void>((resolve, reject) => {
          const data = Buffer.from(buffer.subarray(offset, offset + length));
          setImmediate(() => {
            if (index === 0 && acks >= loseAfter) return reject(new SftpConnectorError("CONNECTION_LOST", "lost"));
            acks += 1;
            if (file.length < position + data.length) file = Buffer.concat([file, Buffer.alloc(position + data.length - file.length)]);
            data.copy(file, position);
            resolve();
          });
        }),
      createWriteStream: (path: string, options: WriteStreamOptions) => {
        opens.push({ flags: options.flags ?? "w", start: options.start });
        return new SftpWriteStream(session as unknown as SftpSession, path, options);
      },
    };
    return session as unknown as SftpSession;
  };
  const provider: SessionProvider = { acquire: async () => makeSession(), release() {} };
  return { provider, opens, file: () => file };
}

describe("createResumableWriteStream: the connection lost while the first chunk is still being written", () => {
  it("resumes the file it created at the byte reached (r+), never truncates it and writes the rest at offset 0", async () => {
    // One 2 MiB chunk, 4 writes of 32 KiB in flight: the first chunk's callback waits for acknowledgements, and the
    // connection is lost after 3 of them, inside the first open's replay.
    const data = randomBytes(2 * 1024 * 1024 + 1000);
    const server = fakeServer(3);
    await pipeline(
      Readable.from([data.subarray(0, 2 * 1024 * 1024), data.subarray(2 * 1024 * 1024)]),
      createResumableWriteStream(server.provider, "/f", { attempts: 2, backoffMs: 1, concurrency: 4 }),
    );
    expect(server.opens).toEqual([
      { flags: "w", start: undefined },
      { flags: "r+", start: 3 * 32_768 },
    ]);
    expect(server.file().equals(data)).toBe(true);
  });
});
