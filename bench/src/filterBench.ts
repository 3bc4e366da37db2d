// The filter matcher's timings (moved here from the test suite, which counts steps instead): ours vs V8's RegExp where V8 can answer at all.
import { compilePattern } from "@sftp-connector/core";

/** One timing, in milliseconds per match (median of `reps`). */
export interface FilterTiming {
  name: string;
  ms: number;
  /** V8's backtracking RegExp on the same pattern and name, when it finishes (the hostile patterns would run for minutes). */
  v8Ms?: number;
}

function medianMs(reps: number, run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** Times benign patterns side by side with RegExp, and hostile ones (catastrophic for RegExp) alone. */
export function benchFilters(reps: number): FilterTiming[] {
  const long = "a".repeat(50_000);
  const cases: Array<{ pattern: string; text: string; v8: boolean }> = [
    { pattern: "[a-z]+\\.csv", text: `${long}.csv`, v8: true },
    { pattern: ".*report.*", text: `${long}report`, v8: true },
    { pattern: "(a+)+$", text: `${long}!`, v8: false },
    { pattern: "(a|aa)*b", text: long, v8: false },
    { pattern: ".*(.?){2400}.*x", text: "a".repeat(4096), v8: false },
  ];
  return cases.map(({ pattern, text, v8 }) => {
    const matcher = compilePattern("REGEX", pattern);
    const ms = medianMs(reps, () => matcher(text));
    const name = `FILTER regex ${pattern} on ${text.length} characters`;
    if (!v8) return { name, ms };
    const regex = new RegExp(`^(?:${pattern})$`);
    return { name, ms, v8Ms: medianMs(reps, () => regex.test(text)) };
  });
}
