// UPSERT with an AbortSignal against the real testbed: replace and append aborted at 10%, 50% and before the rename leave the old file byte for byte (SHA-256) and no temporary file.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { chunkedSource, recordingLogger, rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { SessionPool } from "@sftp-connector/transport";
import { upsertFile } from "./index.js";

/** The testbed, and the fresh directory each test works in (made by the SFTP user). */
let testbed: Testbed;
let dir = "";

beforeAll(async () => {
  testbed = await startTestbed();
});
beforeEach(async () => {
  dir = `${testbed.users.password.home}/upsert-abort-${Math.random().toString(36).slice(2)}`;
  await testbed.exec(`mkdir '${dir}'`, { user: "tester" });
});
afterAll(async () => {
  await testbed?.stop();
});

/** A pool for the password user, the host key pinned by its fingerprint. */
const newPool = () => new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));

/** The names in the test's directory, hidden ones (temporary files) too, sorted. */
const entries = async (): Promise<string[]> => (await testbed.exec(`ls -A '${dir}'`)).stdout.split("\n").filter(Boolean).sort();

const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

const SIZE = 8 * 1024 * 1024;

describe.each([["replace", false] as const, ["append", true] as const])("upsertFile (%s), aborted", (_mode, append) => {
  it.each([["10%", 0.1] as const, ["50%", 0.5] as const, ["the end of the transfer", 1] as const])(
    "at %s: ABORTED, no temporary file, no retry, the old file byte for byte",
    async (_label, share) => {
      await testbed.exec(`head -c 300000 /dev/urandom > '${dir}/data.bin'`, { user: "tester" });
      const oldHash = await testbed.sha256(`${dir}/data.bin`);
      const pool = newPool();
      const logger = recordingLogger();
      const controller = new AbortController();
      try {
        const error = await failure(
          upsertFile(
            pool,
            { content: chunkedSource(randomBytes(SIZE)), fileName: "data.bin", remoteDirectory: dir },
            {
              append,
              signal: controller.signal,
              retry: { attempts: 3, backoffMs: 10 },
              logger,
              onProgress: (bytes) => {
                if (bytes >= SIZE * share && !controller.signal.aborted) controller.abort();
              },
            },
          ),
        );
        expect(error.reason).toBe("ABORTED");
        expect(error.message).toBe(`upsert of '${dir}/data.bin' aborted`);
        expect(logger.lines.filter((line) => /retry|resum/i.test(line))).toEqual([]);
        expect(await entries()).toEqual(["data.bin"]);
        expect(await testbed.sha256(`${dir}/data.bin`)).toBe(oldHash);
      } finally {
        await pool.close();
      }
    },
  );

  it("with an already aborted signal opens no session and changes nothing", async () => {
    const pool = newPool();
    const controller = new AbortController();
    controller.abort();
    try {
      const error = await failure(upsertFile(pool, { content: "x", fileName: "new.txt", remoteDirectory: dir }, { append, signal: controller.signal }));
      expect(error.reason).toBe("ABORTED");
      expect(pool.peak).toBe(0);
      expect(await entries()).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
