// CREATE with an AbortSignal against the real testbed: each action aborted at 10%, 50% and right before the rename leaves no temporary file, never retries, and rejects with ABORTED.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { chunkedSource, recordingLogger, rejectionOf, sha256, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { SessionPool } from "@sftp-connector/transport";
import { createFile, ACTIONS_IF_FILE_EXISTS, type ActionIfFileExists } from "./index.js";

let testbed: Testbed;
let dir: string;
let counter = 0;

beforeAll(async () => (testbed = await startTestbed()));
afterAll(async () => testbed?.stop());
beforeEach(async () => {
  dir = `${testbed.users.password.home}/abort${++counter}`;
  await testbed.exec(`mkdir -p '${dir}' && chown tester '${dir}'`);
});

/** A pool for the password user, the host key pinned by its fingerprint. */
const newPool = () => new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));

/** The names in the test's directory, hidden ones (temporary files) too, sorted. */
const entries = async (): Promise<string[]> => (await testbed.exec(`ls -A '${dir}'`)).stdout.split("\n").filter(Boolean).sort();

const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

const SIZE = 8 * 1024 * 1024;
const OLD = "the old content\n";

/** Where to abort: after this share of the bytes was taken from the content (1 = all of it, i.e. right before the rename). */
const MARKS = [
  ["10%", 0.1],
  ["50%", 0.5],
  ["the rename", 1],
] as const;

describe.each(ACTIONS_IF_FILE_EXISTS.map((action) => [action] as [ActionIfFileExists]))("createFile with actionIfFileExists %s, aborted", (action) => {
  it.each(MARKS)("at %s: ABORTED, no temporary file, no retry, the old file intact", async (_label, share) => {
    // ERROR needs a free name to get as far as the upload; the others keep an old file that must survive.
    const fileName = "big.bin";
    if (action !== "ERROR") await testbed.exec(`printf '${OLD}' > '${dir}/${fileName}'`, { user: "tester" });
    const oldHash = action === "ERROR" ? undefined : await testbed.sha256(`${dir}/${fileName}`);
    const pool = newPool();
    const logger = recordingLogger();
    const controller = new AbortController();
    const reason = new Error("stop");
    try {
      const error = await failure(
        createFile(
          pool,
          { content: chunkedSource(randomBytes(SIZE)), fileName, remoteDirectory: dir },
          {
            actionIfFileExists: action,
            signal: controller.signal,
            retry: { attempts: 3, backoffMs: 10 },
            logger,
            onProgress: (bytes) => {
              if (bytes >= SIZE * share && !controller.signal.aborted) controller.abort(reason);
            },
          },
        ),
      );
      expect(error.reason).toBe("ABORTED");
      expect(error.retryable).toBe(false);
      // FORCE_UNIQUE_NAMES picked the next free name, which the error names.
      const named = action === "FORCE_UNIQUE_NAMES" ? "big1.bin" : fileName;
      expect(error.message).toBe(`create of '${dir}/${named}' aborted`);
      expect(error.cause).toBe(reason);
      expect(logger.lines.filter((line) => /retry|resum/i.test(line))).toEqual([]);
      if (action === "ERROR") expect(await entries()).toEqual([]);
      else {
        expect(await entries()).toEqual([fileName]);
        expect(await testbed.sha256(`${dir}/${fileName}`)).toBe(oldHash);
      }
    } finally {
      await pool.close();
    }
  });
});

describe("createFile with an already aborted signal", () => {
  it("does nothing at all: no session opened, nothing written", async () => {
    const pool = newPool();
    const controller = new AbortController();
    controller.abort();
    try {
      for (const action of ACTIONS_IF_FILE_EXISTS) {
        const error = await failure(
          createFile(pool, { content: "x", fileName: "a.txt", remoteDirectory: dir }, { actionIfFileExists: action, signal: controller.signal }),
        );
        expect(error.reason).toBe("ABORTED");
      }
      expect(pool.peak).toBe(0);
      expect(await entries()).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it("a signal that is not an AbortSignal is INVALID_INPUT naming signal", async () => {
    const error = await failure(createFile(newPool(), { content: "x", fileName: "a.txt" }, { signal: {} as AbortSignal }));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toMatch(/^signal: expected an AbortSignal/);
  });
});

describe("createFile with a signal that never fires", () => {
  it("uploads as usual (SHA-256 identical)", async () => {
    const pool = newPool();
    try {
      const data = randomBytes(SIZE);
      await createFile(pool, { content: chunkedSource(data), fileName: "whole.bin", remoteDirectory: dir }, { signal: new AbortController().signal });
      expect(await testbed.sha256(`${dir}/whole.bin`)).toBe(sha256(data));
      expect(await entries()).toEqual(["whole.bin"]);
    } finally {
      await pool.close();
    }
  });
});
