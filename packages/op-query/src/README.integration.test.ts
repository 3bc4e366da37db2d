// The README's example runs as written (against the workspace sources and a real testbed) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@sftp-connector/testkit";

describe("README example", () => {
  it("runs and prints the documented results", async () => {
    const stdout = await runReadmeExample(new URL("../README.md", import.meta.url), { workspace: new URL("../../..", import.meta.url) });
    expect(stdout.trim().split("\n")).toEqual([
      '2026/march.csv 11 "id;qty\\n2;7\\n" | locked.csv: PERMISSION_DENIED | orders.csv 11 "id;qty\\n1;5\\n"',
      '{"fileContent":"id;qty\\n1;5\\n","modifiedDate":"2026-03-23T12:08:56Z"}',
      "50 50",
      "PERMISSION_DENIED ~/inbox/locked.csv",
      "NO_SUCH_FILE Remote directory does not exist: '~/outbox'",
      "INVALID_INPUT count: Limit must be positive or -1 (given: -2) / filter.field: Unknown property: isDirectory (not available here; use fileName, fileSize, modifiedDate)",
      "5000000 1",
      "ABORTED true",
    ]);
  }, 180_000);
});
