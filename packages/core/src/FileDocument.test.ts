import { describe, expect, it } from "vitest";
import { formatIsoSeconds, formatTimestamp } from "./FileDocument.js";

describe("Boomi date formats", () => {
  const date = new Date(Date.UTC(2023, 2, 23, 12, 8, 56, 235));
  it("LIST/QUERY: ISO-8601 in UTC, seconds", () => {
    expect(formatIsoSeconds(date)).toBe("2023-03-23T12:08:56Z");
  });
  it("GET/CREATE timestamp: yyyy-MM-dd HH:mm:ss.SSS", () => {
    expect(formatTimestamp(date, true)).toBe("2023-03-23 12:08:56.235");
    expect(formatTimestamp(new Date(Date.UTC(2023, 0, 2, 3, 4, 5, 6)), true)).toBe("2023-01-02 03:04:05.006");
    expect(formatTimestamp(date)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.235$/);
  });
});
