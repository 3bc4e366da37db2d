// Compiles a fileName pattern (REGEX or WILDCARD) into a linear-time whole-name matcher that can count its steps.
import { compileGlob } from "./globPattern.js";
import type { PatternMatcher } from "./patternMatcher.js";
import { compileRegex } from "./regexPattern.js";

export type { PatternMatcher } from "./patternMatcher.js";
export { MAX_PATTERN_LENGTH, MAX_PATTERN_STATES } from "./patternMatcher.js";

/**
 * Compiles the argument of a `REGEX` or `WILDCARD` filter on `fileName` as the filter does: a matcher of the whole
 * name that never backtracks (at most `states × (length + 1)` steps, see {@link PatternMatcher.countSteps}).
 * Throws `INVALID_INPUT` for syntax the matcher does not take or a pattern too large once repetitions are expanded.
 *
 * @example
 * const m = compilePattern("WILDCARD", "*.csv");
 * m("a.csv"); // true
 * m.countSteps("a.csv"); // { matched: true, steps: … ≤ m.states × 6 }
 */
export function compilePattern(operator: "REGEX" | "WILDCARD", pattern: string): PatternMatcher {
  return operator === "REGEX" ? compileRegex(pattern) : compileGlob(pattern);
}
