// LISTEN with an AbortSignal against the real testbed: an abort stops the listener (done fulfils), an already aborted signal touches nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError } from "@sftp-connector/core";
import { SessionPool } from "@sftp-connector/transport";
import { listen } from "./index.js";

let testbed: Testbed;
let watched = "";

beforeAll(async () => {
  testbed = await startTestbed();
  watched = `${testbed.users.password.home}/listen-abort`;
  await testbed.exec(`mkdir '${watched}'`, { user: "tester" });
});
afterAll(async () => {
  await testbed?.stop();
});

const sessions = () => new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));

describe("listen with a signal", () => {
  it("stops once the first change was handled and the signal aborted: done fulfils, no more polling", async () => {
    const pool = sessions();
    const controller = new AbortController();
    const seen: string[] = [];
    try {
      await testbed.exec(`echo one > '${watched}/one.txt'`, { user: "tester" });
      const listener = await listen(
        pool,
        { remoteDirectory: watched, pollingIntervalMs: 100, emitInitial: true, stableAfter: { polls: 0 }, signal: controller.signal },
        (document) => {
          seen.push(document.properties.fileName);
          // The content is not wanted here: read it, so no open stays pending on the pool closed below.
          controller.abort();
          const content = document.content;
          if (content === undefined || Buffer.isBuffer(content)) return undefined;
          return new Promise<void>((resolve) => content.on("end", resolve).on("close", resolve).resume());
        },
      );
      await expect(listener.done).resolves.toBeUndefined();
      expect(seen).toEqual(["one.txt"]);
    } finally {
      await pool.close();
    }
  });

  it("an already aborted signal rejects with ABORTED before any session is opened", async () => {
    const pool = sessions();
    const controller = new AbortController();
    controller.abort();
    try {
      const error = await rejectionOf(
        listen(pool, { remoteDirectory: watched, signal: controller.signal }, () => {}),
        isSftpConnectorError,
      );
      expect(error.reason).toBe("ABORTED");
      expect(pool.peak).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
