// DELETE's strict input and options: an unknown key is INVALID_INPUT naming the closest known one; every documented key is accepted.
import { describe, expect, it } from "vitest";
import { isSftpConnectorError } from "@sftp-connector/core";
import { normalizeDeleteInput, type DeleteFilesInput, type DeleteFilesOptions } from "./DeleteFilesOptions.js";

function problemsOf(input: unknown, options?: unknown): readonly string[] {
  try {
    normalizeDeleteInput(input as DeleteFilesInput, options as DeleteFilesOptions);
  } catch (error) {
    if (isSftpConnectorError(error) && error.reason === "INVALID_INPUT") return error.problems;
    throw error;
  }
  throw new Error("expected INVALID_INPUT");
}

describe("normalizeDeleteInput: strict keys", () => {
  it("refuses an unknown option, naming the closest known one", () => {
    expect(problemsOf({ ids: ["a"] }, { failIfNotFund: true })).toEqual(['unknown option "failIfNotFund"; did you mean "failIfNotFound"?']);
    expect(problemsOf({ ids: ["a"] }, { recursive: true })).toEqual(['unknown option "recursive"']);
  });

  it("refuses an unknown input field, with the other problems", () => {
    expect(problemsOf({ id: ["a"] })).toEqual(['unknown input field "id"; did you mean "ids"?', "ids: required (an array of file names), or give fileName"]);
    expect(problemsOf({ fileName: "a", remoteDirectry: "in" })).toEqual(['unknown input field "remoteDirectry"; did you mean "remoteDirectory"?']);
  });

  it("refuses options that are not an object", () => {
    expect(problemsOf({ ids: ["a"] }, null)).toEqual(["options: expected an object, got null"]);
    expect(problemsOf({ ids: ["a"] }, "fail")).toEqual(['options: expected an object, got "fail"']);
  });

  it("accepts every documented key, also when it is undefined", () => {
    const options = { failIfNotFound: true, allowAbsolutePaths: undefined, retry: undefined, logger: undefined, signal: undefined } satisfies Required<{
      [K in keyof DeleteFilesOptions]: unknown;
    }>;
    const { input, options: checked } = normalizeDeleteInput({ ids: ["a"], fileName: undefined, remoteDirectory: undefined }, options);
    expect(input.names).toEqual([{ name: "a", field: "ids[0]" }]);
    expect(checked.failIfNotFound).toBe(true);
  });
});
