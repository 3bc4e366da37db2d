// The INVALID_INPUT error of an operation: one problem as the message, several as a list.
import { describe, expect, it } from "vitest";
import { invalidInputError } from "./invalidInputError.js";

describe("invalidInputError", () => {
  it("uses a single problem as the message", () => {
    const error = invalidInputError(["fileName: must not contain a NUL character"], "get", "/x");
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toBe("fileName: must not contain a NUL character");
    expect(error).toMatchObject({ operation: "get", path: "/x", problems: ["fileName: must not contain a NUL character"], retryable: false });
  });

  it("lists several problems under the operation's name", () => {
    const error = invalidInputError(["a: bad", "b: worse"], "delete");
    expect(error.message).toBe("Invalid input to delete:\n  - a: bad\n  - b: worse");
    expect(error.problems).toEqual(["a: bad", "b: worse"]);
    expect(error.path).toBeUndefined();
  });
});
