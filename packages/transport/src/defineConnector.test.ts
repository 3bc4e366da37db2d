// defineConnector binds each chosen operation to one session pool for the config, validated once.
import { describe, expect, it } from "vitest";
import { isSftpConnectorError, type ConnectionConfig } from "@sftp-connector/core";
import { defineConnector } from "./defineConnector.js";
import { SessionPool } from "./SessionPool.js";
import type { SessionTarget } from "./withSessionTarget.js";

const config: ConnectionConfig = {
  host: "127.0.0.1",
  port: 2222,
  username: "tester",
  auth: { type: "password", password: "secret" },
  hostKey: { fingerprints: [`SHA256:${"A".repeat(43)}`] },
};

describe("defineConnector", () => {
  it("calls each operation with the pool as its target and the caller's arguments after it", async () => {
    const calls: { name: string; target: SessionTarget; args: unknown[] }[] = [];
    const read = async (target: SessionTarget, fileName: string) => (calls.push({ name: "read", target, args: [fileName] }), `read ${fileName}`);
    const write = async (target: SessionTarget, fileName: string, content: string) => (
      calls.push({ name: "write", target, args: [fileName, content] }), content.length
    );
    const sftp = defineConnector({ config, operations: { read, write } });
    expect(await sftp.write("a.txt", "hello")).toBe(5);
    expect(await sftp.read("a.txt")).toBe("read a.txt");
    expect(calls.map((call) => [call.name, call.args])).toEqual([
      ["write", ["a.txt", "hello"]],
      ["read", ["a.txt"]],
    ]);
    expect(sftp.pool).toBeInstanceOf(SessionPool);
    for (const call of calls) expect(call.target).toBe(sftp.pool);
    expect(sftp.config.port).toBe(2222);
    expect(JSON.stringify(sftp.config)).not.toContain("secret");
    await sftp.close();
  });

  it("refuses a bad config with INVALID_CONFIG naming the field, before any operation runs", () => {
    let ran = 0;
    const op = async () => void (ran += 1);
    let caught: unknown;
    try {
      defineConnector({ config: { ...config, port: -1 } as never, operations: { op } });
    } catch (error) {
      caught = error;
    }
    expect(isSftpConnectorError(caught) && caught.reason).toBe("INVALID_CONFIG");
    expect(String((caught as Error).message)).toContain("port");
    expect(ran).toBe(0);
  });
});
