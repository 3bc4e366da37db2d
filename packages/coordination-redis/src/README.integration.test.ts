// The README's example runs as written (against the workspace sources and a real Redis) and prints what its comments say.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { promisedOutput, readmeCodeBlock, runReadmeExample } from "@sftp-connector/testkit";

const readme = new URL("../README.md", import.meta.url);

describe("README example", () => {
  it("runs and prints the documented results", async () => {
    const stdout = await runReadmeExample(readme, {
      // The workspace's tsconfig maps @sftp-connector/* to their sources; ioredis is this package's devDependency.
      workspace: new URL("../../..", import.meta.url),
      replaceImports: { ioredis: createRequire(import.meta.url).resolve("ioredis") },
    });
    const expected = promisedOutput(readmeCodeBlock(readme));
    expect(expected).toEqual(["1 false", "undefined", "2", "LOCK_LOST", "[ 'a.csv' ]", "added 1 undefined", "modified 9", "0"]);
    expect(stdout.trim().split("\n")).toEqual(expected);
  }, 180_000);
});
