// The README's example runs as written (against the workspace sources and a real testbed) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@sftp-connector/testkit";

describe("README example", () => {
  it("runs and prints the documented results", async () => {
    const stdout = await runReadmeExample(new URL("../README.md", import.meta.url), { workspace: new URL("../../..", import.meta.url) });
    expect(stdout.trim().split("\n")).toEqual([
      '{"fileName":"orders.csv","directory":"~/inbox","modifiedDate":"2026-03-23T12:08:56Z","fileSize":11,"isDirectory":false,"permissions":"rw-r--r--","isSymbolicLink":false}',
      "notes.txt orders.csv",
      "2026 2026/march.csv 2026/q1",
      "2026/march.csv 2026/q1/jan.csv orders.csv",
      "latest.csv true 11",
      "3",
      "100",
      "ABORTED 10",
      "NO_SUCH_FILE Remote directory does not exist: '~/outbox'",
      'INVALID_INPUT Invalid list request: count: Limit must be positive or -1 (given: 0); filter.argument: "big" is not a valid file size (expected a whole number of bytes, 0 to 9007199254740991)',
      "5000 1",
    ]);
  }, 180_000);
});
