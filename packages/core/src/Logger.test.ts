// The shared logger's two defaults: silent, and warnings and errors on the console.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createConsoleWarningsLogger, silentLogger } from "./Logger.js";

afterEach(() => vi.restoreAllMocks());

describe("createConsoleWarningsLogger", () => {
  it("sends warnings and errors to the console after the prefix and keeps debug and info silent", () => {
    const calls: unknown[][] = [];
    for (const method of ["debug", "info", "log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void calls.push([method, ...args]));
    }
    const logger = createConsoleWarningsLogger("[poller]");
    logger.debug("d", { a: 1 });
    logger.info("i");
    logger.warn("lock lost", { key: "inbox" });
    logger.error("failed");
    expect(calls).toEqual([
      ["warn", "[poller] lock lost", { key: "inbox" }],
      ["error", "[poller] failed"],
    ]);
  });
});

describe("silentLogger", () => {
  it("says nothing at any level", () => {
    const calls: string[] = [];
    for (const method of ["debug", "info", "log", "warn", "error"] as const) vi.spyOn(console, method).mockImplementation(() => void calls.push(method));
    for (const level of ["debug", "info", "warn", "error"] as const) silentLogger[level]("x", { y: 1 });
    expect(calls).toEqual([]);
  });
});
