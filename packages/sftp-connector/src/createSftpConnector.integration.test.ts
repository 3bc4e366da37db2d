// The facade against the real testbed: all seven operations through one pooled connector, a composed connector, and Boomi properties.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Readable } from "node:stream";
import { startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { MISSING_DIRECTORY_MESSAGE } from "@sftp-connector/listen";
import { getFile } from "@sftp-connector/get";
import { createFile } from "@sftp-connector/create";
import { createSftpConnector, defineConnector, isSftpConnectorError, type ConnectorConfig } from "./index.js";
import { fromBoomiOperationProperties } from "@sftp-connector/core";

let testbed: Testbed;
let config: ConnectorConfig;

beforeAll(async () => {
  testbed = await startTestbed();
  await testbed.exec("mkdir -p /home/tester/facade", { user: "tester" });
  config = testbed.connectionConfig({ extra: { remoteDirectory: "facade", pool: { max: 3 } } });
});
afterAll(async () => {
  await testbed?.stop();
});

const text = async (content: Readable | Buffer | undefined) => {
  if (!content) return "";
  if (Buffer.isBuffer(content)) return content.toString();
  let out = "";
  for await (const chunk of content) out += (chunk as Buffer).toString();
  return out;
};

describe("createSftpConnector", () => {
  it("runs all seven operations on one connector", async () => {
    const sftp = createSftpConnector(config);
    try {
      const report = await sftp.testConnection();
      expect(report.hostKey.fingerprint).toBe(testbed.hostKey.fingerprint);

      const created = await sftp.create({ fileName: "a.txt", content: "alpha" });
      expect(created.response).toEqual({ fileName: "a.txt", remoteDirectory: "/home/tester/facade" });
      expect(created.message).toBe("Created the file successfully");
      await sftp.upsert({ fileName: "a.txt", content: "+beta" }, { append: true });

      const doc = await sftp.get({ fileName: "a.txt" });
      expect(await text(doc?.content)).toBe("alpha+beta");

      const names: string[] = [];
      for await (const entry of sftp.list()) names.push(entry.fileName);
      expect(names).toEqual(["a.txt"]);

      const queried: string[] = [];
      for await (const item of sftp.query({}, { as: "buffer" })) {
        if ("content" in item) queried.push(`${item.properties.fileName}=${(item.content as Buffer).toString()}`);
      }
      expect(queried).toEqual(["a.txt=alpha+beta"]);

      const events: string[] = [];
      const listener = await sftp.listen({ remoteDirectory: "facade", pollingIntervalMs: 150, stableAfter: { polls: 0 } }, (d) => {
        events.push(`${d.event} ${d.properties.fileName}`);
      });
      await new Promise((r) => setTimeout(r, 400));
      await sftp.create({ fileName: "b.txt", content: "bee" });
      const deadline = Date.now() + 10_000;
      while (!events.includes("added b.txt") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(events).toContain("added b.txt");
      await listener.stop();

      const deleted = await sftp.delete({ ids: ["a.txt", "b.txt", "missing.txt"] });
      expect(deleted.map((r) => [r.fileName, r.deleted])).toEqual([
        ["a.txt", true],
        ["b.txt", true],
        ["missing.txt", false],
      ]);
      expect(sftp.pool.peak).toBeLessThanOrEqual(3);
    } finally {
      await sftp.close();
    }
  });

  it("takes a Boomi connection's properties as they are", async () => {
    const sftp = createSftpConnector({
      boomi: {
        authType: "Username and Password",
        host: testbed.host,
        port: String(testbed.port),
        username: testbed.users.password.username,
        password: testbed.users.password.password,
        hostEntry: testbed.hostKey.knownHostsLine,
        remoteDirectory: "facade",
        enablePooling: "true",
      },
    });
    try {
      const report = await sftp.testConnection();
      expect(report.homeDirectory).toBe("/home/tester");
      expect(sftp.config.remoteDirectory).toBe("facade");
    } finally {
      await sftp.close();
    }
  });

  it("listen falls back to the connection's remoteDirectory (as the CLI does); without either, Boomi's message", async () => {
    const sftp = createSftpConnector(config);
    try {
      const names: string[] = [];
      const listener = await sftp.listen({ pollingIntervalMs: 150, stableAfter: { polls: 0 } }, (d) => {
        names.push(`${d.event} ${d.properties.fileName} ${d.properties.remoteDirectory}`);
      });
      try {
        expect(listener.directory).toBe("/home/tester/facade");
        await new Promise((r) => setTimeout(r, 400));
        await sftp.create({ fileName: "fallback.txt", content: "f" });
        await waitFor(() => names.length >= 1, "fallback.txt delivered");
        expect(names).toEqual(["added fallback.txt /home/tester/facade"]);
      } finally {
        await listener.stop();
      }
      // A blank per-call value falls back too.
      const blank = await sftp.listen({ remoteDirectory: " ", pollingIntervalMs: 150 }, () => {});
      expect(blank.directory).toBe("/home/tester/facade");
      await blank.stop();
    } finally {
      await sftp.close();
    }

    const { remoteDirectory: _unused, ...withoutDirectory } = config as Record<string, unknown>;
    const bare = createSftpConnector(withoutDirectory as ConnectorConfig);
    try {
      const error = await bare
        .listen({ pollingIntervalMs: 150 }, () => {})
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isSftpConnectorError(error) && [error.reason, error.message]).toEqual([
        "INVALID_INPUT",
        expect.stringContaining(`remoteDirectory: ${MISSING_DIRECTORY_MESSAGE}`),
      ]);
    } finally {
      await bare.close();
    }
  });

  it("every operation refuses absolute and '..' names by default, naming the option that allows them", async () => {
    const sftp = createSftpConnector(config);
    try {
      const refusals = await Promise.all(
        [
          sftp.get({ fileName: "/etc/passwd" }),
          sftp.get({ fileName: "a.txt" }, { moveAfter: "../elsewhere" }),
          sftp.create({ fileName: "../up.txt", content: "x" }),
          sftp.upsert({ fileName: "/tmp/abs.txt", content: "x" }),
          sftp.delete({ ids: ["../../etc/passwd"] }),
          sftp.listen({ afterProcessing: { moveTo: "/tmp/done" }, pollingIntervalMs: 150 }, () => {}),
        ].map((promise) =>
          (promise as Promise<unknown>).then(
            () => undefined,
            (e: unknown) => e,
          ),
        ),
      );
      for (const error of refusals) {
        expect(isSftpConnectorError(error) && error.reason).toBe("INVALID_INPUT");
        expect((error as Error).message).toMatch(/(is absolute|escapes the remote directory|leaves).*; set allowAbsolutePaths: true to allow it/);
      }
    } finally {
      await sftp.close();
    }
  });

  it("takes Boomi's operation field ids and stored properties; an unknown option is refused before any request", async () => {
    const sftp = createSftpConnector(config);
    try {
      await sftp.upsert({ fileName: "b.txt", content: "b", remoteDirectory: "facade/boomi/sub" }, { createDir: true, includeAll: true });
      const options = fromBoomiOperationProperties("LIST", { count: "-1", recursiveList: "true" });
      const names: string[] = [];
      for await (const entry of sftp.list({ remoteDirectory: "facade/boomi" }, options)) names.push(entry.fileName);
      expect(names.sort()).toEqual(["b.txt", "sub"]);
      expect(() => sftp.list({ remoteDirectory: "facade/boomi" }, { recursve: true } as never)).toThrow('unknown option "recursve"; did you mean "recursive"?');
    } finally {
      await sftp.close();
    }
  });

  it("refuses a changed host key through the facade", async () => {
    const sftp = createSftpConnector({ ...config, hostKey: { fingerprints: ["SHA256:" + "B".repeat(43)] } } as ConnectorConfig);
    try {
      const error = await sftp.create({ fileName: "x.txt", content: "x" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSftpConnectorError(error) && error.reason).toBe("HOST_KEY_MISMATCH");
    } finally {
      await sftp.close();
    }
  });
});

describe("defineConnector", () => {
  it("composes a connector from chosen operations only", async () => {
    const sftp = defineConnector({ config, operations: { get: getFile, create: createFile } });
    try {
      await sftp.create({ fileName: "c.txt", content: "composed" });
      const doc = await sftp.get({ fileName: "c.txt" }, { as: "buffer" });
      expect(doc?.content.toString()).toBe("composed");
      expect(Object.keys(sftp).sort()).toEqual(["close", "config", "create", "get", "pool"]);
    } finally {
      await sftp.close();
    }
  });
});
