// abortedError, checkSignalOption, throwIfAborted: ABORTED is never retryable and carries the abort's reason.
import { describe, expect, it } from "vitest";
import { abortedError, checkSignalOption, throwIfAborted } from "./abortedError.js";

describe("abortedError", () => {
  it("names the operation and path, is not retryable, and keeps the signal's reason as cause", () => {
    const controller = new AbortController();
    const reason = new Error("user pressed Ctrl-C");
    controller.abort(reason);
    const error = abortedError("create", "/home/u/a.txt", controller.signal);
    expect(error).toMatchObject({
      reason: "ABORTED",
      retryable: false,
      operation: "create",
      path: "/home/u/a.txt",
      message: "create of '/home/u/a.txt' aborted",
    });
    expect(error.cause).toBe(reason);
    expect(abortedError("list", undefined).message).toBe("list aborted");
  });
});

describe("checkSignalOption", () => {
  it("accepts undefined and an AbortSignal, and refuses anything else naming signal", () => {
    const signal = new AbortController().signal;
    expect(checkSignalOption(undefined, "get")).toBeUndefined();
    expect(checkSignalOption(signal, "get")).toBe(signal);
    expect(() => checkSignalOption({ aborted: false }, "get")).toThrow(
      expect.objectContaining({ reason: "INVALID_INPUT", message: "signal: expected an AbortSignal, got an object" }),
    );
    expect(() => checkSignalOption(true, "get")).toThrow(/^signal: /);
  });
});

describe("throwIfAborted", () => {
  it("throws ABORTED only once the signal fired", () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal, "get", "/a")).not.toThrow();
    expect(() => throwIfAborted(undefined, "get", "/a")).not.toThrow();
    controller.abort();
    expect(() => throwIfAborted(controller.signal, "get", "/a")).toThrow(expect.objectContaining({ reason: "ABORTED", path: "/a" }));
  });
});
