// GET's input and option checks: Boomi's blank-ID message, every problem named by field, defaults.
import { describe, expect, it } from "vitest";
import { isSftpConnectorError } from "@sftp-connector/core";
import { BLANK_ID_MESSAGE, normalizeGetFileOptions, type GetFileInput, type GetFileOptions } from "./GetFileOptions.js";

function problemsOf(input: unknown, options?: unknown): readonly string[] {
  try {
    normalizeGetFileOptions(input as GetFileInput, options as GetFileOptions);
  } catch (error) {
    if (isSftpConnectorError(error) && error.reason === "INVALID_INPUT") return error.problems;
    throw error;
  }
  throw new Error("expected INVALID_INPUT");
}

describe("normalizeGetFileOptions", () => {
  it("fills in the defaults and trims the name", () => {
    const { fileName, options } = normalizeGetFileOptions({ fileName: "  in/a.txt " });
    expect(fileName).toBe("in/a.txt");
    expect(options).toMatchObject({
      as: "stream",
      deleteAfter: false,
      failDeleteAfter: false,
      includeAllMetadata: false,
      moveAfter: undefined,
      createDirectories: false,
      overwrite: false,
      failIfNotFound: false,
      allowAbsolutePaths: false,
      retry: { attempts: 1, backoffMs: 1000 },
    });
  });

  it.each([[""], ["   "], [undefined], [null]])("a blank ID (%j) gets Boomi's message", (fileName) => {
    expect(problemsOf({ fileName })).toEqual([`fileName: ${BLANK_ID_MESSAGE}`]);
    expect(BLANK_ID_MESSAGE).toBe("ID must contain a non-blank value. Id is the name of the file to download.");
  });

  it("reports every bad option at once, each line naming its field", () => {
    const problems = problemsOf(
      { fileName: 42, remoteDirectory: 7 },
      {
        as: "text",
        deleteAfter: "yes",
        moveAfter: "   ",
        onProgress: "log",
        retry: { attempts: -1, backoffMs: "soon" },
        logger: {},
      },
    );
    expect(problems).toEqual([
      "fileName: expected a string, got 42",
      "remoteDirectory: expected a string, got 7",
      'as: expected "stream" or "buffer", got "text"',
      'deleteAfter: expected true or false, got "yes"',
      "moveAfter: must be a non-blank directory path",
      'onProgress: expected a function, got "log"',
      "retry.attempts: expected an integer of 0 or more, got -1",
      'retry.backoffMs: expected a number of 0 or more, got "soon"',
      "logger: expected an object with debug, info, warn and error methods",
    ]);
  });

  it("refuses moveAfter together with deleteAfter, and a NUL in a name", () => {
    expect(problemsOf({ fileName: "a" }, { moveAfter: "done", deleteAfter: true })).toEqual(["moveAfter: cannot be combined with deleteAfter; choose one"]);
    expect(problemsOf({ fileName: "a\0b" })).toEqual(["fileName: must not contain a NUL character"]);
  });

  it("a single problem is the message itself; several are listed under one heading", () => {
    try {
      normalizeGetFileOptions({ fileName: "" });
    } catch (error) {
      expect((error as Error).message).toBe(`fileName: ${BLANK_ID_MESSAGE}`);
    }
    try {
      normalizeGetFileOptions({ fileName: "" }, { as: "x" as "buffer" });
    } catch (error) {
      expect((error as Error).message).toBe(`Invalid input to get:\n  - fileName: ${BLANK_ID_MESSAGE}\n  - as: expected "stream" or "buffer", got "x"`);
    }
    expect.assertions(2);
  });

  it("keeps a logger's `this` and fills its missing methods with silent ones", () => {
    const seen: string[] = [];
    const logger = {
      prefix: "L",
      warn(this: { prefix: string }, message: string) {
        seen.push(`${this.prefix}:${message}`);
      },
    };
    const { options } = normalizeGetFileOptions({ fileName: "a" }, { logger: logger as never });
    options.logger.warn("hello");
    options.logger.debug("ignored");
    expect(seen).toEqual(["L:hello"]);
  });

  it("refuses an unknown option or input field, naming the closest known one, with the other problems", () => {
    expect(problemsOf({ fileName: "a" }, { deleteAftr: true })).toEqual(['unknown option "deleteAftr"; did you mean "deleteAfter"?']);
    expect(problemsOf({ fileName: "a" }, { includeAll: true })).toEqual(['unknown option "includeAll"; did you mean "includeAllMetadata"?']);
    expect(problemsOf({ fileName: "a", remoteDir: "in" }, { as: "x" })).toEqual([
      'unknown input field "remoteDir"; did you mean "remoteDirectory"?',
      'as: expected "stream" or "buffer", got "x"',
    ]);
    expect(problemsOf({ fileName: "a" }, null)).toEqual(["options: expected an object, got null"]);
  });

  it("accepts every documented key, also when it is undefined (Boomi's names are ours: no alias)", () => {
    const options = {
      as: undefined,
      deleteAfter: undefined,
      failDeleteAfter: true,
      includeAllMetadata: undefined,
      moveAfter: undefined,
      createDirectories: undefined,
      overwrite: undefined,
      failIfNotFound: undefined,
      allowAbsolutePaths: undefined,
      onProgress: undefined,
      signal: undefined,
      retry: undefined,
      logger: undefined,
      connections: undefined,
    } satisfies Required<{ [K in keyof GetFileOptions]: unknown }>;
    expect(normalizeGetFileOptions({ fileName: "a", remoteDirectory: undefined }, options).options.failDeleteAfter).toBe(true);
  });
});
