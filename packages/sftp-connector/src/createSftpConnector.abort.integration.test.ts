// The facade passes `signal` to every transfer, list and query: aborted mid-way a create leaves nothing behind, a query ends its downloads; already aborted, no connection is opened.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { chunkedSource, rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError } from "@sftp-connector/core";
import { createSftpConnector } from "./index.js";

let testbed: Testbed;

/** Pulls every item of an iterable (what a caller's for-await does). */
async function drain(items: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _item of items) count += 1;
  return count;
}

beforeAll(async () => {
  testbed = await startTestbed();
});
afterAll(async () => {
  await testbed?.stop();
});

describe("createSftpConnector with a signal", () => {
  it("get, create, upsert, delete, list and query with an already aborted signal open no connection", async () => {
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
        () => drain(sftp.list({}, { signal })),
        () => drain(sftp.query({}, { signal })),
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
        sftp.create(
          { content: chunkedSource(randomBytes(size)), fileName: "facade-abort.bin" },
          {
            signal: controller.signal,
            onProgress: (bytes) => void (bytes >= size / 2 && controller.abort()),
          },
        ),
        isSftpConnectorError,
      );
      expect(error.reason).toBe("ABORTED");
      const { stdout } = await testbed.exec(`ls -A '${testbed.users.password.home}'`);
      expect(stdout.split("\n").filter((name) => name.includes("facade-abort"))).toEqual([]);
    } finally {
      await sftp.close();
    }
  });

  it("list and query aborted mid-way reject with ABORTED, and the connector closes", async () => {
    const home = testbed.users.password.home;
    await testbed.exec(`mkdir -p '${home}/facade-q' && for i in $(seq 1 6); do head -c 1048576 /dev/urandom > '${home}/facade-q/f'$i; done`, {
      user: "tester",
    });
    const sftp = createSftpConnector(testbed.connectionConfig({ hostKey: "fingerprint" }));
    try {
      const listing = new AbortController();
      let listed = 0;
      const listError = await rejectionOf(
        (async () => {
          for await (const _entry of sftp.list({ remoteDirectory: "facade-q" }, { signal: listing.signal })) {
            listed += 1;
            listing.abort();
          }
        })(),
        isSftpConnectorError,
      );
      expect(listError.reason).toBe("ABORTED");
      expect(listed).toBe(1);

      const querying = new AbortController();
      let bytes = 0;
      const queryError = await rejectionOf(
        (async () => {
          for await (const item of sftp.query({ remoteDirectory: "facade-q" }, { signal: querying.signal })) {
            if ("error" in item) throw item.error;
            for await (const chunk of item.content as AsyncIterable<Buffer>) {
              bytes += chunk.length;
              if (bytes >= 3 * 1048576) querying.abort();
            }
          }
        })(),
        isSftpConnectorError,
      );
      expect(queryError.reason).toBe("ABORTED");
      expect(bytes).toBeLessThan(6 * 1048576);
    } finally {
      await sftp.close();
    }
  });
});
