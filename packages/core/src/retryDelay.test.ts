import { describe, expect, it } from "vitest";
import { retryDelay } from "./retryDelay.js";

describe("retryDelay", () => {
  it("doubles backoffMs for each failed try, from the first (attempt 0)", () => {
    expect([0, 1, 2, 3].map((attempt) => retryDelay(attempt, { backoffMs: 1_000 }))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it("takes another factor and caps at maxMs", () => {
    expect([0, 1, 2, 3].map((attempt) => retryDelay(attempt, { backoffMs: 100, factor: 3, maxMs: 1_000 }))).toEqual([100, 300, 900, 1_000]);
    expect(retryDelay(50, { backoffMs: 1_000, maxMs: 60_000 })).toBe(60_000);
  });

  it("counts an attempt below 0 as 0, and a backoff of 0 stays 0", () => {
    expect(retryDelay(-1, { backoffMs: 250 })).toBe(250);
    expect(retryDelay(5, { backoffMs: 0 })).toBe(0);
  });
});
