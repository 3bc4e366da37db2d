// LIST with an AbortSignal against the real testbed: aborted in the first sub-directory of a recursive walk it ends with ABORTED, lists nothing more, retries nothing and gives its session back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingLogger, rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { openSession, SessionPool } from "@sftp-connector/transport";
import { listFiles, type ListEntry } from "./index.js";

let testbed: Testbed;
let home = "";

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  // la/ d1/ d2/ d3/, each with 50 files
  await testbed.exec(`mkdir -p '${home}/la' && cd '${home}/la' && for d in d1 d2 d3; do mkdir $d; for i in $(seq 1 50); do : > $d/f$i; done; done`, {
    user: "tester",
  });
});
afterAll(async () => {
  await testbed?.stop();
});

/** A pool of one session: taking it again proves the listing gave it back. */
const pool = () => new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }), { max: 1 });
const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

describe("listFiles aborted mid-way", () => {
  it("in the first sub-directory of a recursive walk: ABORTED, nothing more listed, no retry, the session given back", async () => {
    const sessions = pool();
    const logger = recordingLogger();
    const controller = new AbortController();
    const reason = new Error("enough");
    const seen: ListEntry[] = [];
    try {
      const error = await failure(
        (async () => {
          for await (const entry of listFiles(
            sessions,
            { remoteDirectory: "la" },
            { recursive: true, signal: controller.signal, retry: { attempts: 3, backoffMs: 10 }, logger },
          )) {
            seen.push(entry);
            if (entry.directory !== `${home}/la`) {
              controller.abort(reason);
            }
          }
        })(),
      );
      expect([error.reason, error.retryable, error.cause, error.operation]).toEqual(["ABORTED", false, reason, "list"]);
      // The walk stopped at once: the entry that aborted was the last, and no other sub-directory was read.
      const inside = seen.filter((entry) => entry.directory !== `${home}/la`);
      expect(inside).toHaveLength(1);
      expect(seen.length).toBeLessThan(4 + 150);
      expect(logger.lines.filter((line) => /retry/i.test(line))).toEqual([]);
      sessions.release(await sessions.acquire());
      expect(sessions.peak).toBe(1);
      await sessions.close(); // finishes: nothing holds the session
      expect(sessions.size).toBe(0);
    } finally {
      await sessions.close();
    }
  });

  it("on an open session, after the first N entries: ABORTED after exactly N", async () => {
    const session = await openSession(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const controller = new AbortController();
    let count = 0;
    try {
      const error = await failure(
        (async () => {
          for await (const _entry of listFiles(session, { remoteDirectory: "la/d2" }, { signal: controller.signal })) {
            count += 1;
            if (count === 10) controller.abort();
          }
        })(),
      );
      expect(error.reason).toBe("ABORTED");
      expect(error.message).toBe(`list of '${home}/la/d2' aborted`);
      expect(count).toBe(10);
      // The session is still sound: the same listing without a signal runs to its end.
      let all = 0;
      for await (const _entry of listFiles(session, { remoteDirectory: "la/d2" })) all += 1;
      expect(all).toBe(50);
    } finally {
      await session.close();
    }
  });
});

describe("listFiles with an already aborted signal", () => {
  it("opens no session and rejects with ABORTED", async () => {
    const sessions = pool();
    const controller = new AbortController();
    controller.abort();
    try {
      const error = await failure(listFiles(sessions, { remoteDirectory: "la" }, { recursive: true, signal: controller.signal }).next());
      expect([error.reason, error.retryable]).toEqual(["ABORTED", false]);
      expect(sessions.peak).toBe(0);
    } finally {
      await sessions.close();
    }
  });

  it("a signal that is not an AbortSignal is INVALID_INPUT naming signal, before any session", async () => {
    const sessions = pool();
    try {
      const error = await failure((async () => listFiles(sessions, {}, { signal: "stop" as unknown as AbortSignal }))());
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toContain('signal: expected an AbortSignal, got "stop"');
      expect(sessions.peak).toBe(0);
    } finally {
      await sessions.close();
    }
  });
});
