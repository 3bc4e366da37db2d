// Unit tests of CREATE's input checks: bad input is refused before anything touches the server.
import { describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { checkOptions, isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import type { SftpSession } from "@sftp-connector/transport";
import { rejectionOf } from "@sftp-connector/testkit";
import { createFile, ACTIONS_IF_FILE_EXISTS, MISSING_FILE_NAME_MESSAGE, type CreateFileInput, type CreateFileOptions } from "./index.js";
import { CREATE_INPUT_SPEC, CREATE_OPTIONS_SPEC } from "./createFile.js";

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

describe("createFile: strict options, one spelling with UPSERT, Boomi's ids", () => {
  it("refuses an unknown option or input field before the server is touched, naming the closest known one", async () => {
    const unknown = await failure(createFile(untouchable, { content: "x", fileName: "a.txt" }, { actionIfExists: "OVERWRITE" } as never));
    expect(unknown.reason).toBe("INVALID_INPUT");
    expect(unknown.message).toBe('unknown option "actionIfExists"; did you mean "actionIfFileExists"?');
    const field = await failure(createFile(untouchable, { content: "x", fileName: "a.txt", tempExtention: ".part" } as never));
    expect(field.message).toBe('unknown input field "tempExtention"; did you mean "tempExtension"?');
    expect((await failure(createFile(untouchable, { content: "x", fileName: "a.txt" }, [] as never))).message).toBe(
      "options: expected an object, got an array",
    );
  });

  it("takes UPSERT's createDir and includeAll (Boomi's ids) for createDirectories and includeAllMetadata", () => {
    expect(checkOptions({ createDir: true, includeAll: true, actionIfFileExists: "APPEND" as const }, CREATE_OPTIONS_SPEC)).toEqual({
      createDirectories: true,
      includeAllMetadata: true,
      actionIfFileExists: "APPEND",
    });
  });

  it("accepts every documented option and input field, also set to undefined", () => {
    const options = {
      actionIfFileExists: undefined,
      stagingDirectory: undefined,
      tempExtension: undefined,
      targetFileName: undefined,
      tempFileName: undefined,
      createDirectories: undefined,
      includeAllMetadata: undefined,
      createDir: undefined,
      includeAll: undefined,
      allowAbsolutePaths: undefined,
      onProgress: undefined,
      retry: undefined,
      logger: undefined,
      signal: undefined,
      connections: undefined,
    } satisfies Required<{ [K in keyof CreateFileOptions]: unknown }>;
    expect(() => checkOptions(options, CREATE_OPTIONS_SPEC)).not.toThrow();
    const input = { content: "x", fileName: "a", remoteDirectory: "in", stagingDirectory: "s", tempExtension: "t" } satisfies Required<CreateFileInput>;
    expect(() => checkOptions(input, CREATE_INPUT_SPEC)).not.toThrow();
  });

  it("refuses an alias and our name with different values, naming both", async () => {
    const error = await failure(createFile(untouchable, { content: "x", fileName: "a.txt" }, { includeAll: false, includeAllMetadata: true }));
    expect(error.message).toBe(
      '"includeAll" and "includeAllMetadata" name the same option, "includeAllMetadata", with different values (false and true); give one',
    );
  });
});
