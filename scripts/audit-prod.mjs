// `pnpm audit:prod`: fails when a production dependency of the published packages has a high or critical advisory; says so plainly when the registry's audit endpoint cannot be asked.
import { spawnSync } from "node:child_process";

const run = spawnSync("pnpm", ["audit", "--prod", "--audit-level", "high", "--json"], { encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
let report;
try {
  report = JSON.parse(run.stdout ?? "");
} catch {
  report = { error: { code: `exit ${run.status}`, message: (run.stderr || run.stdout || String(run.error ?? "")).trim().slice(0, 300) } };
}
if (report.error) {
  // Not a pass: the advisories were not read. CI prints this line; the closing note says what it means.
  console.error(`[audit] NOT CHECKED: the npm registry's audit endpoint could not be asked (${report.error.code}): ${report.error.message}`);
  process.exit(process.env.AUDIT_REQUIRED === "1" ? 1 : 0);
}
const serious = Object.values(report.advisories ?? {}).filter((a) => a.severity === "high" || a.severity === "critical");
for (const a of serious) {
  const found = (a.findings ?? []).map((f) => `${f.version} via ${(f.paths ?? []).slice(0, 3).join(", ")}`).join("; ");
  console.error(`[audit] ${a.severity} ${a.module_name} ${a.vulnerable_versions} (patched: ${a.patched_versions}): ${a.title} ${a.url}; found ${found}`);
}
const counts = report.metadata?.vulnerabilities ?? {};
console.error(
  `[audit] production dependencies: ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low`,
);
process.exit(serious.length > 0 || (counts.high ?? 0) > 0 || (counts.critical ?? 0) > 0 ? 1 : 0);
