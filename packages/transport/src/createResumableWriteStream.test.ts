// The resumable write stream with a fake provider: a write refused after its callback ran fails the stream (never a silent success), and resumes use a smaller window (the resume paths against a fake server: resumePaths.test.ts).
import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { SftpConnectorError } from "@sftp-connector/core";
import { createResumableWriteStream } from "./createResumableWriteStream.js";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";

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
      limits: { maxReadLength: 32_768, maxWriteLength: 32_768 },
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
