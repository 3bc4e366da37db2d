// QUERY with an AbortSignal against the real testbed: aborted at 10% and 50% of the bytes, the content being read and the iteration end with ABORTED, nothing is retried, every download ends and the session goes back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingLogger, rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { SessionPool } from "@sftp-connector/transport";
import { queryFiles } from "./index.js";

const FILES = 20;
const SIZE = 1024 * 1024;
const TOTAL = FILES * SIZE;
const CONCURRENCY = 4;
let testbed: Testbed;
let home = "";
let checksums = "";

/** The SHA-256 of every file of the queried directory, and the names in it: what must stay unchanged. */
const serverState = async () => (await testbed.exec(`cd '${home}/qa' && ls -A && sha256sum *`)).stdout;
beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  await testbed.exec(`mkdir -p '${home}/qa' && cd '${home}/qa' && for i in $(seq -w 1 ${FILES}); do head -c ${SIZE} /dev/urandom > f$i.bin; done`, {
    user: "tester",
  });
  checksums = await serverState();
});
afterAll(async () => {
  await testbed?.stop();
});

/** A pool of one session: taking it again proves the query gave it back. */
const pool = () => new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }), { max: 1 });
const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

describe("queryFiles aborted mid-way", () => {
  it.each([["10%", 0.1] as const, ["50%", 0.5] as const])(
    "at %s of the bytes: the content being read and the iteration end with ABORTED, no retry, the session given back",
    async (_label, share) => {
      const sessions = pool();
      const logger = recordingLogger();
      const controller = new AbortController();
      const reason = new Error("enough");
      const started = new Set<string>();
      let bytes = 0;
      let documents = 0;
      let streamError: unknown;
      try {
        const items = queryFiles(
          sessions,
          { remoteDirectory: "qa" },
          {
            signal: controller.signal,
            concurrency: CONCURRENCY,
            retry: { attempts: 3, backoffMs: 10 },
            logger,
            onProgress: (_total, properties) => void started.add(properties.fileName),
          },
        );
        const error = await failure(
          (async () => {
            for await (const item of items) {
              if ("error" in item) throw item.error;
              documents += 1;
              try {
                for await (const chunk of item.content as AsyncIterable<Buffer>) {
                  bytes += chunk.length;
                  if (bytes >= TOTAL * share && !controller.signal.aborted) controller.abort(reason);
                }
              } catch (e) {
                streamError = e; // the content being read when the signal fired; the iteration must fail next
              }
            }
          })(),
        );
        expect([error.reason, error.retryable, error.cause]).toEqual(["ABORTED", false, reason]);
        expect(streamError).toMatchObject({ reason: "ABORTED", retryable: false, operation: "query" });
        expect((streamError as SftpConnectorError).message).toMatch(new RegExp(`^query of '${home}/qa/f\\d+\\.bin' aborted$`));
        expect(bytes).toBeGreaterThanOrEqual(TOTAL * share);
        expect(bytes).toBeLessThan(TOTAL);
        // Files after the abort never start: only those handed out and the few downloading ahead of them ever read a byte.
        expect(documents).toBeLessThan(FILES);
        expect(started.size).toBeLessThanOrEqual(documents + CONCURRENCY);
        expect(logger.lines.filter((line) => /retry|resum/i.test(line))).toEqual([]);
        const again = await sessions.acquire(); // the pool's one session, given back by the query
        sessions.release(again);
        expect(sessions.peak).toBe(1);
        await sessions.close(); // finishes: nothing holds the session
        expect(sessions.size).toBe(0);
        expect(await serverState()).toBe(checksums);
      } finally {
        await sessions.close();
      }
    },
  );

  it("as buffers, aborted after the first document: the iteration ends with ABORTED and the session goes back", async () => {
    const sessions = pool();
    const controller = new AbortController();
    let documents = 0;
    try {
      const error = await failure(
        (async () => {
          for await (const item of queryFiles(sessions, { remoteDirectory: "qa" }, { signal: controller.signal, as: "buffer", concurrency: CONCURRENCY })) {
            if ("error" in item) throw item.error;
            documents += 1;
            expect(item.content).toHaveLength(SIZE);
            controller.abort();
          }
        })(),
      );
      expect(error.reason).toBe("ABORTED");
      expect(documents).toBe(1);
      sessions.release(await sessions.acquire());
      expect(sessions.peak).toBe(1);
      await sessions.close(); // finishes: nothing holds the session
      expect(sessions.size).toBe(0);
    } finally {
      await sessions.close();
    }
  });
});

describe("queryFiles with an already aborted signal", () => {
  it("opens no session and rejects with ABORTED", async () => {
    const sessions = pool();
    const controller = new AbortController();
    controller.abort(new Error("before"));
    try {
      const error = await failure(queryFiles(sessions, { remoteDirectory: "qa" }, { signal: controller.signal }).next());
      expect([error.reason, error.retryable, (error.cause as Error).message]).toEqual(["ABORTED", false, "before"]);
      expect(sessions.peak).toBe(0);
    } finally {
      await sessions.close();
    }
  });

  it("a signal that is not an AbortSignal is INVALID_INPUT naming signal, before any session", async () => {
    const sessions = pool();
    try {
      const error = await failure((async () => queryFiles(sessions, {}, { signal: { aborted: true } as unknown as AbortSignal }))());
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toContain("signal: expected an AbortSignal");
      expect(sessions.peak).toBe(0);
    } finally {
      await sessions.close();
    }
  });
});
