// The server paused (container frozen): TIMEOUT within the configured read timeout, then recovery after unpause on the same connector.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestbed, waitFor, sha256, rejectionOf, type Testbed } from "@sftp-connector/testkit";
import { createSftpConnector, isSftpConnectorError, type SftpConnector, type SftpConnectorError } from "sftp-connector";

let testbed: Testbed;
const home = "/home/tester";
const READ_MS = 2_000;

beforeAll(async () => {
  testbed = await startTestbed();
  await testbed.exec(`mkdir -p ${home}/p && head -c 2097152 /dev/urandom > ${home}/p/two.bin && chown -R tester: ${home}/p`);
});
afterAll(async () => {
  await testbed?.unpause().catch(() => {});
  await testbed?.stop();
});

/** A connector with a short read timeout and no retries, so the timeout itself is what the caller sees. */
const connector = (): SftpConnector =>
  createSftpConnector(
    testbed.connectionConfig({
      hostKey: "fingerprint",
      extra: { remoteDirectory: "p", retry: { attempts: 0, backoffMs: 100 }, timeouts: { connectMs: 5_000, readMs: READ_MS } },
    }),
  );

async function closeAndCheck(sftp: SftpConnector): Promise<void> {
  await sftp.close();
  await waitFor(async () => (await testbed.exec("pgrep -f '^sshd: tester' || true")).stdout.trim() === "", "no session of tester left", 10_000);
}

describe("server paused", () => {
  for (const [name, run] of [
    [
      "LIST",
      async (sftp: SftpConnector) => {
        for await (const _ of sftp.list()) void _;
      },
    ],
    ["GET", async (sftp: SftpConnector) => sftp.get({ fileName: "two.bin" }, { as: "buffer" })],
    ["CREATE", async (sftp: SftpConnector) => sftp.create({ fileName: "new.txt", content: "x" }, { actionIfFileExists: "OVERWRITE" })],
  ] as const) {
    it(`${name}: TIMEOUT after at least readMs and well before a generous bound; after unpause the same connector works`, { timeout: 60_000 }, async () => {
      const sftp = connector();
      try {
        // A session in the pool first, so the pause hits an open connection (not the connect).
        for await (const _ of sftp.list()) void _;
        await testbed.pause();
        const started = Date.now();
        let error: SftpConnectorError;
        try {
          error = await rejectionOf(run(sftp), isSftpConnectorError);
        } finally {
          await testbed.unpause();
        }
        const elapsed = Date.now() - started;
        expect(error.reason).toBe("TIMEOUT");
        expect(error.message).toContain("timeouts.readMs");
        expect(elapsed).toBeGreaterThanOrEqual(READ_MS - 100);
        expect(elapsed).toBeLessThan(READ_MS + 10_000);
        // Recovery on the same connector (its pool drops the timed-out session and opens a new one).
        const doc = await sftp.get({ fileName: "two.bin" }, { as: "buffer" });
        expect(sha256(doc!.content as Buffer)).toBe(await testbed.sha256(`${home}/p/two.bin`));
      } finally {
        await closeAndCheck(sftp);
      }
    });
  }
});
