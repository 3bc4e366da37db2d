import { describe, expect, it } from "vitest";
import { isRetryable } from "./isRetryable.js";
import { ERROR_REASONS, RETRY_RULES, RETRY_SITUATIONS, SftpConnectorError, type ErrorReason } from "./SftpConnectorError.js";

describe("RETRY_RULES", () => {
  it("has a rule for every reason, and its default is the error's retryable flag", () => {
    expect(Object.keys(RETRY_RULES).sort()).toEqual([...ERROR_REASONS].sort());
    for (const reason of ERROR_REASONS) expect(new SftpConnectorError(reason, "x").retryable).toBe(RETRY_RULES[reason].retryable);
  });

  it("retries a lost connection and a timeout by default, and only those and an unreachable host", () => {
    const retryable = ERROR_REASONS.filter((reason) => RETRY_RULES[reason].retryable);
    expect(retryable.sort()).toEqual(["CONNECTION_LOST", "HOST_UNREACHABLE", "TIMEOUT"]);
  });

  it("each situation names a reason and a flag other than that reason's default", () => {
    for (const [name, situation] of Object.entries(RETRY_SITUATIONS)) {
      expect(ERROR_REASONS, name).toContain(situation.reason);
      expect(situation.retryable, name).not.toBe(RETRY_RULES[situation.reason].retryable);
    }
  });
});

describe("isRetryable", () => {
  it.each<[ErrorReason, boolean]>([
    ["CONNECTION_LOST", true],
    ["TIMEOUT", true],
    ["HOST_UNREACHABLE", true],
    ["PROXY_FAILED", false],
    ["AUTH_FAILED", false],
    ["NO_SUCH_FILE", false],
    ["ABORTED", false],
    ["LOCK_LOST", false],
  ])("given the reason %s: %s", (reason, expected) => {
    expect(isRetryable(reason)).toBe(expected);
  });

  it("given something that is no reason nor error: false", () => {
    expect(isRetryable("NOPE" as ErrorReason)).toBe(false);
    expect(isRetryable("constructor" as ErrorReason)).toBe(false);
    expect(isRetryable(new Error("socket hang up"))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
    expect(isRetryable({ reason: "TIMEOUT", retryable: true })).toBe(false);
  });

  it("retries CONNECTION_LOST and TIMEOUT even when the error says not retryable", () => {
    expect(isRetryable(new SftpConnectorError("CONNECTION_LOST", "closed", { retryable: false }))).toBe(true);
    expect(isRetryable(new SftpConnectorError("TIMEOUT", "slow", { retryable: false }))).toBe(true);
  });

  it("follows the error's flag for other reasons", () => {
    expect(isRetryable(new SftpConnectorError("PROXY_FAILED", "timed out", { retryable: true }))).toBe(true);
    expect(isRetryable(new SftpConnectorError("FAILURE", "busy", { retryable: true }))).toBe(true);
    expect(isRetryable(new SftpConnectorError("PERMISSION_DENIED", "no"), { attempt: 3 })).toBe(false);
  });

  it("retries a refused connect only on a retry (attempt > 0)", () => {
    const refused = new SftpConnectorError(RETRY_SITUATIONS.connectionRefused.reason, "refused", { retryable: RETRY_SITUATIONS.connectionRefused.retryable });
    expect(isRetryable(refused)).toBe(false);
    expect(isRetryable(refused, { attempt: 0 })).toBe(false);
    expect(isRetryable(refused, { attempt: 1 })).toBe(true);
    expect(isRetryable(new SftpConnectorError("HOST_UNREACHABLE", "no route"))).toBe(true);
  });
});
