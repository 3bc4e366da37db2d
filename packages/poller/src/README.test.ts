// The README's first example runs as written (against this package's source) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

describe("README example", () => {
  it("runs and prints the documented results", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const source = fileURLToPath(new URL("./index.ts", import.meta.url));
    // Inside the package's node_modules, so `@sftp-connector/core` resolves as it would for a user.
    const dir = mkdtempSync(fileURLToPath(new URL("../node_modules/.readme-", import.meta.url)));
    try {
      const file = join(dir, "example.mts");
      writeFileSync(file, code!.replace('"@sftp-connector/poller"', JSON.stringify(source)));
      const out = execFileSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8" });
      const expected = ["removed old.csv 10", "added new.csv 250", "[ 'new.csv' ]"];
      expect(code).toContain(expected.map((line) => `// ${line}`).join("\n")); // what the README says it prints
      expect(out.trim().split("\n")).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
