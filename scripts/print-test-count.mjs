// Prints vitest's JSON results as the plain closing line "N passed, N failed"; exits 1 when no test ran.
import { readFileSync, existsSync } from "node:fs";

const file = process.argv[2] ?? ".vitest-results.json";
if (!existsSync(file)) {
  console.log("0 passed, 0 failed");
  process.exit(1);
}
const results = JSON.parse(readFileSync(file, "utf8"));
const passed = results.numPassedTests ?? 0;
// A file that failed to load has no failed test of its own: count it as one failure.
const failed = results.numFailedTests || results.numFailedTestSuites || 0;
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(passed > 0 && failed === 0 && results.success !== false ? 0 : 1);
