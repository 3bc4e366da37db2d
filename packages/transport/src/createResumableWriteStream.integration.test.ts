// createResumableWriteStream against OpenSSH: a session dropped while the first (large) chunk is still being written resumes the file at the byte acknowledged, identical by SHA-256.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { recordingLogger, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { SessionPool, createResumableWriteStream, type SessionProvider, type SftpSession, type WriteStreamOptions } from "./index.js";

let testbed: Testbed;

beforeAll(async () => {
  testbed = await startTestbed();
});
afterAll(async () => {
  await testbed?.stop();
});

describe("createResumableWriteStream against OpenSSH", () => {
  it("a session dropped while the first chunk is still being written: resumed at the acknowledged byte (r+), never truncated, identical (SHA-256)", async () => {
    const path = `${testbed.users.password.home}/resume-write.bin`;
    const data = randomBytes(16 * 1024 * 1024);
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const opens: Array<{ flags?: string; start?: number }> = [];
    let sessions = 0;
    const provider: SessionProvider = {
      async acquire() {
        const session = await pool.acquire();
        const first = sessions++ === 0;
        const create = session.createWriteStream.bind(session);
        session.createWriteStream = (file: string, options?: WriteStreamOptions) => (
          opens.push({ flags: options?.flags, start: options?.start }), create(file, options)
        );
        if (first) {
          // The 8th write request of the first session waits until the server has dropped the session: the drop lands
          // inside the one 16 MiB chunk (about 64 requests), after some of it was acknowledged.
          const write = session.write.bind(session);
          let writes = 0;
          session.write = async (...args: Parameters<SftpSession["write"]>) => {
            writes += 1;
            if (writes === 8) await testbed.dropSessions();
            return write(...args);
          };
        }
        return session;
      },
      release: (session, options) => pool.release(session, options),
    };
    const logger = recordingLogger();
    try {
      await pipeline(Readable.from([data]), createResumableWriteStream(provider, path, { attempts: 2, backoffMs: 50, logger }));
    } finally {
      await pool.close();
    }
    expect(await testbed.sha256(path)).toBe(createHash("sha256").update(data).digest("hex"));
    const resumedAt = logger.lines.map((line) => Number(/failed at byte (\d+) /.exec(line)?.[1]));
    expect(resumedAt).toHaveLength(1);
    expect(resumedAt[0]).toBeGreaterThan(0);
    expect(resumedAt[0]).toBeLessThan(data.length);
    expect(opens).toEqual([
      { flags: undefined, start: undefined },
      { flags: "r+", start: resumedAt[0] },
    ]);
  });
});
