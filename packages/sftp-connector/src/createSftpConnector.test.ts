// The facade's strict options, checked before any connection: its own options, the { boomi, options } form, and each method's options.
import { describe, expect, it } from "vitest";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { createSftpConnector, type ConnectorConfig } from "./index.js";

/** A valid config for a server nobody connects to in these tests. */
const config: ConnectorConfig = { host: "127.0.0.1", port: 1, username: "u", auth: { type: "password", password: "p" }, hostKey: { insecureAcceptAny: true } };

function thrown(run: () => unknown): SftpConnectorError {
  try {
    run();
  } catch (error) {
    if (isSftpConnectorError(error)) return error;
    throw error;
  }
  throw new Error("expected an SftpConnectorError");
}

async function rejected(promise: Promise<unknown>): Promise<SftpConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (isSftpConnectorError(error)) return error;
  throw new Error(`expected an SftpConnectorError, got ${String(error)}`);
}

describe("createSftpConnector: strict options", () => {
  it("refuses an unknown connector option as INVALID_CONFIG, naming the closest one", () => {
    const error = thrown(() => createSftpConnector(config, { loger: console } as never));
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.message).toBe('unknown connector option "loger"; did you mean "logger"?');
    expect(thrown(() => createSftpConnector(config, null as never)).message).toBe("options: expected an object, got null");
  });

  it("refuses an unknown key beside boomi, or in its options", () => {
    const boomi = { host: "127.0.0.1", username: "u", password: "p", hostEntry: "" };
    expect(thrown(() => createSftpConnector({ boomi, option: {} } as never)).message).toBe('unknown field "option"; did you mean "options"?');
    const inner = thrown(() => createSftpConnector({ boomi, options: { insecureAcceptAnyHostkey: true } } as never));
    expect(inner.reason).toBe("INVALID_CONFIG");
    expect(inner.message).toBe('unknown option "insecureAcceptAnyHostkey"; did you mean "insecureAcceptAnyHostKey"?');
  });

  it("each method refuses an unknown option before connecting (the retry and logger it adds are known to every operation)", async () => {
    const sftp = createSftpConnector(config, { logger: { debug() {}, info() {}, warn() {}, error() {} } });
    try {
      expect((await rejected(sftp.get({ fileName: "a" }, { deleteAftr: true } as never))).message).toBe(
        'unknown option "deleteAftr"; did you mean "deleteAfter"?',
      );
      expect((await rejected(sftp.create({ fileName: "a", content: "x" }, { overwrite: true } as never))).message).toBe('unknown option "overwrite"');
      expect((await rejected(sftp.upsert({ fileName: "a", content: "x" }, { appendd: true } as never))).message).toBe(
        'unknown option "appendd"; did you mean "append"?',
      );
      expect((await rejected(sftp.delete({ ids: ["a"] }, { failIfNotFond: true } as never))).message).toBe(
        'unknown option "failIfNotFond"; did you mean "failIfNotFound"?',
      );
      expect(thrown(() => sftp.list({}, { recursiv: true } as never)).message).toBe(
        'Invalid list request: unknown option "recursiv"; did you mean "recursive"?',
      );
      expect(thrown(() => sftp.query({}, { recursiveLists: true } as never)).message).toBe(
        'Invalid query request: unknown option "recursiveLists"; did you mean "recursiveList"?',
      );
      expect((await rejected(sftp.listen({ remoteDirectory: "in", pollInterval: 100 } as never, () => {}))).problems).toEqual([
        'unknown option "pollInterval"; did you mean "pollingInterval"?',
      ]);
      expect((await rejected(sftp.get({ fileName: "a" }, "buffer" as never))).message).toBe('options: expected an object, got "buffer"');
    } finally {
      await sftp.close();
    }
  });
});
