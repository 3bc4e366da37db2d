// Security: `pnpm audit --prod` reports no high or critical advisory for the packages' production dependencies (needs the npm registry; says so when it cannot reach it).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

interface Advisory {
  module_name?: string;
  severity?: string;
  title?: string;
  url?: string;
  vulnerable_versions?: string;
  patched_versions?: string;
  findings?: Array<{ version?: string; paths?: string[] }>;
}

describe("dependency audit", () => {
  it("pnpm audit --prod --audit-level high finds no high or critical advisory", () => {
    const run = spawnSync("pnpm", ["audit", "--prod", "--audit-level", "high", "--json"], { cwd: ROOT, encoding: "utf8", timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
    const output = run.stdout ?? "";
    let report: { advisories?: Record<string, Advisory>; error?: { code?: string; message?: string }; metadata?: { vulnerabilities?: Record<string, number> } };
    try {
      report = JSON.parse(output) as typeof report;
    } catch {
      throw new Error(
        `pnpm audit gave no JSON report (exit ${run.status}${run.error ? `, ${run.error.message}` : ""}); it needs the npm registry's audit endpoint. ` +
          `stderr: ${(run.stderr ?? "").slice(0, 500)}`,
      );
    }
    if (report.error) {
      throw new Error(`pnpm audit could not query the npm registry's audit endpoint (${report.error.code}): ${report.error.message}. The audit needs network access to registry.npmjs.org.`);
    }
    const serious = Object.values(report.advisories ?? {}).filter((a) => a.severity === "high" || a.severity === "critical");
    const listed = serious.map(
      (a) =>
        `${a.severity} ${a.module_name} ${a.vulnerable_versions} (patched: ${a.patched_versions}): ${a.title} ${a.url} — found ${(a.findings ?? [])
          .map((f) => `${f.version} via ${(f.paths ?? []).slice(0, 3).join(", ")}`)
          .join("; ")}`,
    );
    expect(listed, `high/critical advisories:\n${listed.join("\n")}`).toEqual([]);
    expect(report.metadata?.vulnerabilities?.high ?? 0).toBe(0);
    expect(report.metadata?.vulnerabilities?.critical ?? 0).toBe(0);
  }, 120_000);
});
