// GET with an AbortSignal against the real testbed: aborted at 10% and 50% as a stream and as a Buffer, it fails with ABORTED, retries nothing and keeps the file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingLogger, rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { SessionPool } from "@sftp-connector/transport";
import { getFile } from "./index.js";

const SIZE = 16 * 1024 * 1024;
let testbed: Testbed;
let path = "";
let hash = "";

beforeAll(async () => {
  testbed = await startTestbed();
  path = `${testbed.users.password.home}/get-abort.bin`;
  await testbed.exec(`head -c ${SIZE} /dev/urandom > '${path}'`, { user: "tester" });
  hash = await testbed.sha256(path);
});
afterAll(async () => {
  await testbed?.stop();
});

const pool = () => new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

describe.each([["stream"] as const, ["buffer"] as const])("getFile as a %s, aborted", (as) => {
  it.each([["10%", 0.1] as const, ["50%", 0.5] as const])("at %s: ABORTED, no retry, deleteAfter not run", async (_label, share) => {
    const sessions = pool();
    const logger = recordingLogger();
    const controller = new AbortController();
    let seen = 0;
    try {
      const options = {
        signal: controller.signal,
        deleteAfter: true,
        retry: { attempts: 3, backoffMs: 10 },
        logger,
        onProgress: (bytes: number) => {
          seen = bytes;
          if (bytes >= SIZE * share && !controller.signal.aborted) controller.abort();
        },
      };
      const reading =
        as === "buffer"
          ? getFile(sessions, { fileName: "get-abort.bin" }, { ...options, as: "buffer" })
          : getFile(sessions, { fileName: "get-abort.bin" }, options).then(async (document) => {
              for await (const _chunk of document!.content as AsyncIterable<Buffer>) void _chunk;
            });
      const error = await failure(reading);
      expect(error.reason).toBe("ABORTED");
      expect(error.message).toBe(`get of '${path}' aborted`);
      expect(seen).toBeLessThan(SIZE);
      expect(logger.lines.filter((line) => /retry|resum/i.test(line))).toEqual([]);
      expect(await testbed.sha256(path)).toBe(hash);
    } finally {
      await sessions.close();
    }
  });
});

describe("getFile with an already aborted signal", () => {
  it("opens no session", async () => {
    const sessions = pool();
    const controller = new AbortController();
    controller.abort();
    try {
      const error = await failure(getFile(sessions, { fileName: "get-abort.bin" }, { signal: controller.signal, deleteAfter: true }));
      expect(error.reason).toBe("ABORTED");
      expect(sessions.peak).toBe(0);
      expect(await testbed.sha256(path)).toBe(hash);
    } finally {
      await sessions.close();
    }
  });

  it("a signal that is not an AbortSignal is INVALID_INPUT naming signal", async () => {
    const error = await failure(getFile(pool(), { fileName: "a" }, { signal: "no" as unknown as AbortSignal }));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toContain("signal: expected an AbortSignal");
  });
});
