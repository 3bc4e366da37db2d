// DELETE with an AbortSignal against the real testbed: an abort after the first file keeps the rest; an already aborted signal deletes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError } from "@sftp-connector/core";
import { SessionPool } from "@sftp-connector/transport";
import { deleteFiles } from "./index.js";

let testbed: Testbed;
let folder = "";

beforeAll(async () => {
  testbed = await startTestbed();
  folder = `${testbed.users.password.home}/delete-abort`;
  await testbed.exec(`mkdir '${folder}' && cd '${folder}' && touch a b c`, { user: "tester" });
});
afterAll(async () => {
  await testbed?.stop();
});

const names = async () => (await testbed.exec(`ls '${folder}'`)).stdout.split("\n").filter(Boolean);

describe("deleteFiles with a signal", () => {
  it("already aborted: no session, nothing deleted", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const controller = new AbortController();
    controller.abort();
    try {
      const error = await rejectionOf(
        deleteFiles(pool, { ids: ["a", "b", "c"], remoteDirectory: folder }, { signal: controller.signal }),
        isSftpConnectorError,
      );
      expect(error.reason).toBe("ABORTED");
      expect(pool.peak).toBe(0);
      expect(await names()).toEqual(["a", "b", "c"]);
    } finally {
      await pool.close();
    }
  });

  it("aborted once the first file is deleted: ABORTED, the others kept", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const controller = new AbortController();
    const quiet = () => {};
    const logger = { info: quiet, warn: quiet, error: quiet, debug: () => controller.abort() };
    try {
      const error = await rejectionOf(
        deleteFiles(pool, { ids: ["a", "b", "c"], remoteDirectory: folder }, { signal: controller.signal, logger }),
        isSftpConnectorError,
      );
      expect(error.reason).toBe("ABORTED");
      expect(await names()).toEqual(["b", "c"]);
    } finally {
      await pool.close();
    }
  });
});
