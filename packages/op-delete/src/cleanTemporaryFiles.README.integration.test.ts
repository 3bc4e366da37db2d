// The README's cleanTemporaryFiles example runs as written (against the workspace sources and a real testbed) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@sftp-connector/testkit";

describe("README cleanTemporaryFiles example", () => {
  it("runs and prints the documented results", async () => {
    const stdout = await runReadmeExample(new URL("../README.md", import.meta.url), { block: 2, workspace: new URL("../../..", import.meta.url) });
    expect(stdout.trim().split("\n")).toEqual([
      "~/inbox/.big.bin.<uuid>.sftp-tmp 5 false",
      "~/inbox/.big.bin.<uuid>.sftp-tmp true",
      ".looks.like.sftp-tmp .new.bin.<uuid>.sftp-tmp",
      'olderThan: expected a number of ms or a duration such as "30m", "1h" or "2d" (more than 0)',
    ]);
  }, 180_000);
});
