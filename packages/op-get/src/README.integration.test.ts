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
        '2026/orders.csv true "id;qty\\r\\n1;5\\r\\n"',
        'fileContent,modifiedDate "id;qty\\r\\n1;5\\r\\n" true',
        "undefined",
        "NO_SUCH_FILE File Not Found: ~/inbox/done/orders.csv",
        'INVALID_INPUT fileName: "../../etc/passwd" escapes the remote directory ~/inbox; set allowAbsolutePaths to allow it',
        "20000000 PERMISSION_DENIED true",
        "20000000 20000000",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
