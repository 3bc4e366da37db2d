// The README's example runs as written (against the workspace sources and a real testbed) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("README example", () => {
  it("runs and prints the documented results", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    // Inside the package, so tsx maps the workspace packages to their sources (the root tsconfig's paths).
    const dir = mkdtempSync(fileURLToPath(new URL("../.readme-", import.meta.url)));
    try {
      const file = join(dir, "example.mts");
      writeFileSync(file, code!);
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8", timeout: 120_000 });
      expect(stdout.trim().split("\n")).toEqual([
        '{"fileName":"orders.csv","directory":"~/inbox","modifiedDate":"2026-03-23T12:08:56Z","fileSize":11,"isDirectory":false,"permissions":"rw-r--r--","isSymbolicLink":false}',
        "notes.txt orders.csv",
        "2026 2026/march.csv 2026/q1",
        "2026/march.csv 2026/q1/jan.csv orders.csv",
        "latest.csv true 11",
        "3",
        "100",
        "NO_SUCH_FILE Remote directory does not exist: ~/outbox",
        'INVALID_INPUT Invalid list request: count: Limit must be positive or -1 (given: 0); filter.argument: "big" is not a valid file size (expected a whole number of bytes, 0 to 9007199254740991)',
        "5000 1",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
