// The README's example runs as written (against the workspace sources and a real testbed) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@sftp-connector/testkit";

describe("README example", () => {
  it("runs and prints the documented results", async () => {
    const stdout = await runReadmeExample(new URL("../README.md", import.meta.url), { workspace: new URL("../../..", import.meta.url) });
    expect(stdout.trim().split("\n")).toEqual([
      '2026/orders.csv true "id;qty\\r\\n1;5\\r\\n"',
      'fileContent,modifiedDate "id;qty\\r\\n1;5\\r\\n" true',
      "undefined",
      "NO_SUCH_FILE File Not Found: '~/inbox/done/orders.csv'",
      "INVALID_INPUT fileName: '../../etc/passwd' escapes the remote directory '~/inbox'; set allowAbsolutePaths: true to allow it",
      "20000000 PERMISSION_DENIED true",
      "20000000 20000000",
      "true true",
    ]);
  }, 180_000);
});
