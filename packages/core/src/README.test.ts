// The README's example runs as written (against this package's source) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { runReadmeExample } from "@sftp-connector/testkit";

describe("README example", () => {
  it("runs and prints the documented results", async () => {
    const { SFTP_PASSWORD: _unused, ...env } = process.env;
    const out = await runReadmeExample(new URL("../README.md", import.meta.url), {
      replaceImports: { "@sftp-connector/core": fileURLToPath(new URL("./index.ts", import.meta.url)) },
      env,
    });
    expect(out).toContain("INVALID_CONFIG");
    expect(out).toContain("port: expected an integer from 1 to 65535, got 0");
    expect(out).toContain('22 { connectMs: 120000, readMs: 120000 } [{"type":"password","password":"[redacted]"}]');
    expect(out).toContain("/home/etl/inbox/2026/orders.csv");
    expect(out.trim().endsWith("true")).toBe(true);
  });
});
