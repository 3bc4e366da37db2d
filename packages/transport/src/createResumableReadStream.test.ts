// createResumableReadStream's resume logic over a fake session provider: offsets resumed at, bytes identical, sessions released, what is and is not retried, nothing after destroy.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";
import { recordingLogger, rejectionOf, sha256, waitFor } from "@sftp-connector/testkit";
import type { SessionProvider } from "./SessionPool.js";
import type { ReadStreamOptions } from "./SftpReadStream.js";
import type { SftpSession } from "./SftpSession.js";
import { createResumableReadStream } from "./createResumableReadStream.js";

const lost = () => new SftpConnectorError("CONNECTION_LOST", "the session has ended");

/**
 * A provider whose sessions serve `file` in 1000-byte chunks. Session number i (from 0) fails after
 * reaching absolute offset `cuts[i]` with `failures[i]` (CONNECTION_LOST by default) and counts as closed.
 */
function fakeProvider(file: Buffer, cuts: number[], failures: Array<() => Error> = []) {
  const opened: Array<{ path: string; options: ReadStreamOptions }> = [];
  const released: Array<{ index: number; broken: boolean | undefined }> = [];
  const sessions: Array<{ closed: boolean }> = [];
  const provider: SessionProvider = {
    async acquire() {
      const index = sessions.length;
      const session = {
        index,
        closed: false,
        createReadStream(path: string, options: ReadStreamOptions) {
          opened.push({ path, options });
          const cut = cuts[index];
          const end = options.end === undefined ? file.length : options.end + 1;
          async function* serve() {
            for (let offset = options.start ?? 0; offset < end; offset += 1000) {
              if (cut !== undefined && offset >= cut) {
                session.closed = true;
                throw (failures[index] ?? lost)();
              }
              yield file.subarray(offset, Math.min(offset + 1000, end, cut ?? end));
              if (cut !== undefined && offset + 1000 > cut) offset = cut - 1000;
            }
          }
          return Readable.from(serve());
        },
      };
      sessions.push(session);
      return session as unknown as SftpSession;
    },
    release(session, options) {
      released.push({ index: (session as unknown as { index: number }).index, broken: options?.broken });
    },
  };
  return { provider, opened, released, sessions };
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

describe("createResumableReadStream", () => {
  it("resumes on a fresh session at the offset reached, the bytes identical (SHA-256), the lost session released as broken", async () => {
    const file = randomBytes(10_000);
    const { provider, opened, released } = fakeProvider(file, [3500, 7250]);
    const logger = recordingLogger();
    const data = await collect(createResumableReadStream(provider, "/data/f.bin", { attempts: 2, backoffMs: 1, logger, chunkSize: 512 }));
    expect(sha256(data)).toBe(sha256(file));
    expect(opened.map((o) => o.options.start)).toEqual([0, 3500, 7250]);
    // The other read options travel to every session.
    expect(opened.every((o) => o.path === "/data/f.bin" && o.options.chunkSize === 512)).toBe(true);
    expect(released).toEqual([
      { index: 0, broken: true },
      { index: 1, broken: true },
      { index: 2, broken: false },
    ]);
    expect(logger.lines).toEqual([
      "reading '/data/f.bin' failed at byte 3500 (CONNECTION_LOST); resuming on a new session (retry 1 of 2)",
      "reading '/data/f.bin' failed at byte 7250 (CONNECTION_LOST); resuming on a new session (retry 2 of 2)",
    ]);
  });

  it("keeps `start` and `end` of a range across a resume", async () => {
    const file = randomBytes(10_000);
    const { provider, opened } = fakeProvider(file, [4000]);
    const data = await collect(createResumableReadStream(provider, "/f", { start: 1000, end: 8999, backoffMs: 1 }));
    expect(data.equals(file.subarray(1000, 9000))).toBe(true);
    expect(opened.map((o) => [o.options.start, o.options.end])).toEqual([
      [1000, 8999],
      [4000, 8999],
    ]);
  });

  it("gives up after `attempts` retries with the last error", async () => {
    const { provider, opened, released } = fakeProvider(randomBytes(10_000), [1000, 2000, 3000]);
    const error = await rejectionOf(collect(createResumableReadStream(provider, "/f", { attempts: 2, backoffMs: 1 })), isSftpConnectorError);
    expect(error.reason).toBe("CONNECTION_LOST");
    expect(opened.map((o) => o.options.start)).toEqual([0, 1000, 2000]);
    expect(released.every((r) => r.broken)).toBe(true);
  });

  it("does not retry an error a fresh connection cannot cure", async () => {
    const denied = () => new SftpConnectorError("PERMISSION_DENIED", "cannot read '/f': permission denied");
    const { provider, opened, released } = fakeProvider(randomBytes(5000), [2000], [denied]);
    const error = await rejectionOf(collect(createResumableReadStream(provider, "/f", { attempts: 3, backoffMs: 1 })), isSftpConnectorError);
    expect(error.reason).toBe("PERMISSION_DENIED");
    expect(opened).toHaveLength(1);
    // The session ended with it (the fake closes on failure), so it is not reused.
    expect(released).toEqual([{ index: 0, broken: true }]);
  });

  it("destroyed mid-file: the session goes back unbroken and no other session is taken", async () => {
    const file = randomBytes(50_000);
    const { provider, released, sessions } = fakeProvider(file, []);
    const stream = createResumableReadStream(provider, "/f", { attempts: 3, backoffMs: 1, highWaterMark: 1000 });
    let received = 0;
    await new Promise<void>((resolve) => {
      stream.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received >= 5000) {
          stream.destroy();
          resolve();
        }
      });
    });
    await waitFor(() => released.length > 0, "the session to be released");
    expect(released).toEqual([{ index: 0, broken: false }]);
    expect(sessions).toHaveLength(1);
  });

  // Readable.from defers destroy's return() until the generator's next yield: the wait before a retry
  // is ended by the destroy and checked, so no fresh session is taken and the file is not reopened.
  it("destroyed while waiting to retry: the lost session is released as broken and no new session is taken", async () => {
    const file = randomBytes(10_000);
    const { provider, released, sessions, opened } = fakeProvider(file, [2000]);
    const logger = recordingLogger();
    const stream = createResumableReadStream(provider, "/f", { attempts: 3, backoffMs: 200, logger });
    stream.on("data", () => {});
    stream.on("error", () => {});
    await waitFor(() => logger.lines.length > 0, "the resume to be scheduled");
    stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(released).toEqual([{ index: 0, broken: true }]);
    expect(sessions).toHaveLength(1);
    expect(opened).toHaveLength(1);
  });
});
