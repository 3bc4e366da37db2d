import { describe, expect, it } from "vitest";
import { requireFencingToken } from "./index.js";

describe("requireFencingToken", () => {
  it("returns the decimal token of the context", () => {
    expect(requireFencingToken({ fencingToken: "42" }, "poll.store")).toBe("42");
  });
  it("refuses a missing, empty, non-decimal or non-string token with INVALID_INPUT naming the operation", () => {
    for (const context of [undefined, {}, { fencingToken: "" }, { fencingToken: "1; DROP" }, { fencingToken: 7 }, { fencingToken: "12345678901234567890" }]) {
      expect(() => requireFencingToken(context, "poll.queue")).toThrow(
        expect.objectContaining({
          reason: "INVALID_INPUT",
          operation: "poll.queue",
          message: expect.stringMatching(/^context\.fencingToken: expected the decimal token/),
        }),
      );
    }
  });
});
