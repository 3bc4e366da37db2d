import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { SftpConnectorError, isSftpConnectorError, ERROR_REASONS, type ErrorReason } from "./SftpConnectorError.js";

describe("SftpConnectorError", () => {
  it("carries reason, operation, path, cause and problems", () => {
    const cause = new Error("socket hang up");
    const error = new SftpConnectorError("CONNECTION_LOST", "lost", { operation: "get", path: "/in/a.txt", cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "SftpConnectorError", reason: "CONNECTION_LOST", operation: "get", path: "/in/a.txt" });
    expect(error.cause).toBe(cause);
    expect(error.problems).toEqual([]);
  });

  it.each<[ErrorReason, boolean]>([
    ["CONNECTION_LOST", true],
    ["TIMEOUT", true],
    ["HOST_UNREACHABLE", true],
    ["AUTH_FAILED", false],
    ["HOST_KEY_MISMATCH", false],
    ["NO_SUCH_FILE", false],
    ["INVALID_CONFIG", false],
    ["FAILURE", false],
    ["LOCK_LOST", false],
  ])("%s is retryable: %s by default", (reason, retryable) => {
    expect(new SftpConnectorError(reason, "x").retryable).toBe(retryable);
    expect(new SftpConnectorError(reason, "x", { retryable: !retryable }).retryable).toBe(!retryable);
  });

  it("lists every reason the issue requires", () => {
    expect(ERROR_REASONS).toEqual(
      expect.arrayContaining([
        "INVALID_CONFIG",
        "INVALID_INPUT",
        "AUTH_FAILED",
        "HOST_KEY_MISMATCH",
        "HOST_UNREACHABLE",
        "PROXY_FAILED",
        "TIMEOUT",
        "CONNECTION_LOST",
        "NO_SUCH_FILE",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "FAILURE",
        "LOCK_LOST",
      ]),
    );
  });

  it("serializes to JSON without the cause", () => {
    const error = new SftpConnectorError("INVALID_CONFIG", "bad", { problems: ["port: expected an integer"], cause: new Error("inner") });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "SftpConnectorError",
      reason: "INVALID_CONFIG",
      message: "bad",
      retryable: false,
      problems: ["port: expected an integer"],
    });
    expect(inspect(error)).toContain("INVALID_CONFIG");
  });
});

describe("isSftpConnectorError", () => {
  it("recognises errors from another installed copy of core", async () => {
    // A query string makes vitest load a second, separate instance of the module, as a second install would.
    const secondCopy = "./SftpConnectorError.js?second-copy";
    const copy = (await import(/* @vite-ignore */ secondCopy)) as typeof import("./SftpConnectorError.js");
    const foreign = new copy.SftpConnectorError("NO_SUCH_FILE", "gone");
    expect(copy.SftpConnectorError).not.toBe(SftpConnectorError);
    expect(foreign instanceof SftpConnectorError).toBe(false);
    expect(isSftpConnectorError(foreign)).toBe(true);
  });

  it.each([[new Error("x")], [null], [undefined], ["SftpConnectorError"], [{ reason: "TIMEOUT", name: "SftpConnectorError" }]])("is false for %j", (value) => {
    expect(isSftpConnectorError(value)).toBe(false);
  });
});
