// The README's example runs as written (against the workspace sources, on its own testbed) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { promisedOutput, readmeCodeBlock, runReadmeExample } from "@sftp-connector/testkit";

describe("README example", () => {
  it("runs and prints what its comments say", { timeout: 180_000 }, async () => {
    const promised = promisedOutput(readmeCodeBlock(new URL("../README.md", import.meta.url)));
    expect(promised.length).toBeGreaterThan(3);
    const out = await runReadmeExample(new URL("../README.md", import.meta.url), { workspace: new URL("../../..", import.meta.url) });
    expect(out.trim().split("\n")).toEqual(promised);
  });
});
