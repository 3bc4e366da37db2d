// The README's example runs as written (against the workspace sources and a real testbed) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@sftp-connector/testkit";

describe("README example", () => {
  it("runs and prints the documented results", async () => {
    const stdout = await runReadmeExample(new URL("../README.md", import.meta.url), { workspace: new URL("../../..", import.meta.url) });
    const lines = stdout.trim().split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "a.csv ~/out/a.csv true ",
      "2026/b.csv ~/out/2026/b.csv true ",
      "gone.csv ~/out/gone.csv false NO_SUCH_FILE",
      "FAILURE locked/c.csv:PERMISSION_DENIED archive:INVALID_INPUT false false true",
    ]);
    expect(lines[4]).toBe("2 of 3 files could not be deleted:");
    expect(lines[5]).toMatch(/^ {2}- An error occurred while removing the file at path '~\/out\/locked\/c\.csv' Cause: .*permission denied/);
    expect(lines[6]).toBe("  - ids[1]: '~/out/archive' is a directory; DELETE removes files only");
    expect(lines[7]).toBe("NO_SUCH_FILE File Not Found: '~/out/gone.csv'");
    expect(lines[8]).toMatch(
      /^INVALID_INPUT ids\[1\]: the 'File Name' input document property is required, .* \| ids\[2\]: '\.\.\/\.\.\/etc\/passwd' escapes the remote directory '~\/out'; /,
    );
    expect(lines.slice(9)).toEqual(["deleted '~/out/e.csv'", "ABORTED delete of '~/out/f.csv' aborted (1 of 2 IDs were processed before it) true false"]);
    expect(lines).toHaveLength(11);
  }, 180_000);
});
