// The facade passes `signal` to every transfer: aborted mid-way a create leaves nothing behind; already aborted, no connection is opened.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { chunkedSource, rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError } from "@sftp-connector/core";
import { createSftpConnector } from "./index.js";

let testbed: Testbed;

beforeAll(async () => {
  testbed = await startTestbed();
});
afterAll(async () => {
  await testbed?.stop();
});

describe("createSftpConnector with a signal", () => {
  it("get, create, upsert and delete with an already aborted signal open no connection", async () => {
    const sftp = createSftpConnector(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const controller = new AbortController();
    controller.abort();
    const signal = controller.signal;
    try {
      for (const call of [
        () => sftp.get({ fileName: "a.txt" }, { signal }),
        () => sftp.create({ content: "x", fileName: "a.txt" }, { signal }),
        () => sftp.upsert({ content: "x", fileName: "a.txt" }, { signal }),
        () => sftp.delete({ fileName: "a.txt" }, { signal }),
      ]) {
        expect((await rejectionOf(call(), isSftpConnectorError)).reason).toBe("ABORTED");
      }
      expect(sftp.pool.peak).toBe(0);
    } finally {
      await sftp.close();
    }
  });

  it("a create aborted at half its bytes rejects with ABORTED and leaves no file", async () => {
    const sftp = createSftpConnector(testbed.connectionConfig({ hostKey: "fingerprint" }));
    const controller = new AbortController();
    const size = 8 * 1024 * 1024;
    try {
      const error = await rejectionOf(
        sftp.create({ content: chunkedSource(randomBytes(size)), fileName: "facade-abort.bin" }, {
          signal: controller.signal,
          onProgress: (bytes) => void (bytes >= size / 2 && controller.abort()),
        }),
        isSftpConnectorError,
      );
      expect(error.reason).toBe("ABORTED");
      const { stdout } = await testbed.exec(`ls -A '${testbed.users.password.home}'`);
      expect(stdout.split("\n").filter((name) => name.includes("facade-abort"))).toEqual([]);
    } finally {
      await sftp.close();
    }
  });
});
