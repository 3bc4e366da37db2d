// The README's example runs as written (against this package's source) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

describe("README example", () => {
  it("runs and prints the documented results", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const source = fileURLToPath(new URL("./index.ts", import.meta.url));
    const file = join(mkdtempSync(join(tmpdir(), "core-readme-")), "example.mts");
    writeFileSync(file, code!.replace('"@sftp-connector/core"', JSON.stringify(source)));
    const { SFTP_PASSWORD: _unused, ...env } = process.env;
    const out = execFileSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8", env });
    expect(out).toContain("INVALID_CONFIG");
    expect(out).toContain("port: expected an integer from 1 to 65535, got 0");
    expect(out).toContain('22 { connectMs: 120000, readMs: 120000 } [{"type":"password","password":"[redacted]"}]');
    expect(out).toContain("/home/etl/inbox/2026/orders.csv");
    expect(out.trim().endsWith("true")).toBe(true);
  });
});
