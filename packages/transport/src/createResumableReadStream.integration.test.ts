// createResumableReadStream against OpenSSH: after the server drops the session it resumes at exactly the byte delivered, the file identical by SHA-256; destroyed, it takes no new session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { recordingLogger, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { SessionPool, createResumableReadStream, type SessionProvider, type SftpSession } from "./index.js";

let testbed: Testbed;
let path: string;
const size = 16 * 1024 * 1024;

beforeAll(async () => {
  testbed = await startTestbed();
  path = `${testbed.users.password.home}/resume.bin`;
  await testbed.exec(`head -c ${size} /dev/urandom > ${path} && chown tester ${path}`);
});
afterAll(async () => {
  await testbed?.stop();
});

/** The pool, recording the `start` every session's read stream was opened at, how many sessions were taken, and how each came back. */
function recordingProvider(pool: SessionPool): { provider: SessionProvider; starts: number[]; acquired: () => number; released: Array<boolean | undefined> } {
  const starts: number[] = [];
  const released: Array<boolean | undefined> = [];
  let acquired = 0;
  const provider: SessionProvider = {
    async acquire() {
      const session = await pool.acquire();
      acquired += 1;
      const open = session.createReadStream.bind(session);
      session.createReadStream = (file, options) => (starts.push(options?.start ?? 0), open(file, options));
      return session as SftpSession;
    },
    release: (session, options) => {
      released.push(options?.broken);
      pool.release(session, options);
    },
  };
  return { provider, starts, acquired: () => acquired, released };
}

describe("createResumableReadStream against OpenSSH", () => {
  it("resumes at exactly the byte delivered when the server drops the session, and the file arrives identical (SHA-256)", async () => {
    const expected = await testbed.sha256(path);
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const { provider, starts } = recordingProvider(pool);
    const logger = recordingLogger();
    const hash = createHash("sha256");
    let received = 0;
    let dropped = false;
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        received += chunk.length;
        if (!dropped && received >= 4 * 1024 * 1024) {
          // Hold the stream back (backpressure) until the server has dropped the session: the drop lands mid-file.
          dropped = true;
          return void testbed.dropSessions().then(() => cb(), cb);
        }
        cb();
      },
    });
    try {
      await pipeline(createResumableReadStream(provider, path, { attempts: 2, backoffMs: 50, logger }), sink);
    } finally {
      await pool.close();
    }
    expect(received).toBe(size);
    expect(hash.digest("hex")).toBe(expected);
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts[0]).toBe(0);
    // Every resume starts where its log line says the last session stopped, past the drop and before the end.
    const resumedAt = logger.lines.map((line) => Number(/failed at byte (\d+) /.exec(line)?.[1]));
    expect(resumedAt).toEqual(starts.slice(1));
    expect(starts[1]).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(starts[1]).toBeLessThan(size);
  });

  it("destroyed mid-file, it gives its session back and takes no other", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const { provider, acquired, released } = recordingProvider(pool);
    try {
      const stream = createResumableReadStream(provider, path, { attempts: 3, backoffMs: 50, highWaterMark: 65_536 });
      let received = 0;
      await new Promise<void>((resolve) =>
        stream.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received >= 1024 * 1024 && !stream.destroyed) {
            stream.destroy();
            resolve();
          }
        }),
      );
      await waitFor(() => released.length === 1, "the session to come back to the pool");
      expect(released).toEqual([false]);
      expect(acquired()).toBe(1);
      expect(pool.size).toBe(1);
      expect(received).toBeLessThan(size);
    } finally {
      await pool.close();
    }
  });
});
