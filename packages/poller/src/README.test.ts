// The README's first example runs as written (against this package's source) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { readmeCodeBlock, runReadmeExample } from "@sftp-connector/testkit";

const readme = new URL("../README.md", import.meta.url);

describe("README example", () => {
  it("runs and prints the documented results", async () => {
    const out = await runReadmeExample(readme, {
      replaceImports: { "@sftp-connector/poller": fileURLToPath(new URL("./index.ts", import.meta.url)) },
      // Inside the package's node_modules, so `@sftp-connector/core` resolves as it would for a user.
      dir: new URL("../node_modules/", import.meta.url),
    });
    const expected = ["removed old.csv 10", "added new.csv 250", "[ 'new.csv' ]"];
    expect(readmeCodeBlock(readme)).toContain(expected.map((line) => `// ${line}`).join("\n")); // what the README says it prints
    expect(out.trim().split("\n")).toEqual(expected);
  });
});
