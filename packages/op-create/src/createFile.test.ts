// Unit tests of CREATE's input checks: bad input is refused before anything touches the server.
import { describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import type { SftpSession } from "@sftp-connector/transport";
import { rejectionOf } from "@sftp-connector/testkit";
import { createFile, ACTIONS_IF_FILE_EXISTS, MISSING_FILE_NAME_MESSAGE, type CreateFileOptions } from "./index.js";

const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

/** A target that fails the test if anything touches it. */
const untouchable = new Proxy({} as SftpSession, {
  get(_target, property) {
    if (property === "acquire" || property === "release" || property === "then") return undefined;
    throw new Error(`the server was touched: ${String(property)}`);
  },
});

describe("createFile: bad input is refused before the server is touched", () => {
  it("a blank fileName gives Boomi's message", async () => {
    for (const fileName of ["", "   ", undefined as unknown as string]) {
      const error = await failure(createFile(untouchable, { content: "x", fileName }));
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toBe(MISSING_FILE_NAME_MESSAGE);
    }
  });

  it("bad option values name the option", async () => {
    const cases: Array<[CreateFileOptions, string]> = [
      [{ actionIfFileExists: "SKIP" as never }, "actionIfFileExists"],
      [{ retry: { attempts: -1 } }, "retry.attempts"],
      [{ retry: { backoffMs: Number.NaN } }, "retry.backoffMs"],
      [{ createDirectories: "yes" as never }, "createDirectories"],
      [{ tempExtension: "a/b" }, "tempExtension"],
      [{ actionIfFileExists: "FORCE_UNIQUE_NAMES", targetFileName: "x/$BASE" }, "targetFileName"],
      [{ actionIfFileExists: "FORCE_UNIQUE_NAMES", tempFileName: "../$UUID" }, "tempFileName"],
      [{ onProgress: 5 as never }, "onProgress"],
    ];
    for (const [options, field] of cases) {
      const error = await failure(createFile(untouchable, { content: "x", fileName: "a.txt" }, options));
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toContain(field);
    }
  });

  it("a missing local file names content.path; bad content names content", async () => {
    const missing = await failure(createFile(untouchable, { content: { path: "/nonexistent/file.bin" }, fileName: "a.txt" }));
    expect(missing.reason).toBe("INVALID_INPUT");
    expect(missing.message).toContain("content.path");
    expect(missing.message).toContain("/nonexistent/file.bin");
    const directory = await failure(createFile(untouchable, { content: { path: tmpdir() }, fileName: "a.txt" }));
    expect(directory.message).toContain("not a regular file");
    const wrong = await failure(createFile(untouchable, { content: 42 as never, fileName: "a.txt" }));
    expect(wrong.reason).toBe("INVALID_INPUT");
    expect(wrong.message).toContain("content: expected");
  });
});

describe("ACTIONS_IF_FILE_EXISTS", () => {
  it("are Boomi's four actions", () => {
    expect(ACTIONS_IF_FILE_EXISTS).toEqual(["ERROR", "OVERWRITE", "APPEND", "FORCE_UNIQUE_NAMES"]);
  });
});
