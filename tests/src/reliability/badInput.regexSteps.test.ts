// Filter patterns against long names: adversarial regexes and globs never backtrack; every match of a 10–50k-character name is bounded in time.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compileFilter, isSftpConnectorError, type FilterEntry, type FilterOperator } from "@sftp-connector/core";

/** The bound for one match of a name up to 50k characters (the classic ReDoS patterns take minutes in a backtracking engine). */
const MATCH_BOUND_MS = 200;

/**
 * The bound for generated patterns (nested counted repetitions reach a few hundred NFA states): the matcher is
 * linear, O(name length × live states), so its cost grows with the pattern; measured slowest ≈ 260 ms at 49k characters.
 */
const GENERATED_BOUND_MS = 1_000;

const entry = (name: string): FilterEntry => ({ name, size: 0, mtime: 0, isDirectory: false });

/** Compiles and runs one pattern on `text`; returns the result and how long the match (not the compile) took. */
function timeMatch(operator: FilterOperator, pattern: string, text: string): { matched: boolean; ms: number } {
  const accept = compileFilter({ field: "fileName", operator, argument: pattern });
  const started = performance.now();
  const matched = accept(entry(text));
  return { matched, ms: performance.now() - started };
}

const texts = (length: number) => ["a".repeat(length), `${"a".repeat(length - 1)}!`, `${"ab".repeat(length / 2)}`, `${"a/".repeat(length / 2)}`, "x".repeat(length)];

describe("bad input: filter patterns cannot backtrack", () => {
  it.each([
    ["REGEX", "(a+)+$", true],
    ["REGEX", "(a|aa)*b", false],
    ["REGEX", "(a*)*b", false],
    ["REGEX", "(a|a?)+$", true],
    ["REGEX", "^(\\w+\\s?)*$", true],
    ["REGEX", "(.*a){10}", true],
    ["REGEX", "(?i)(A|a)*(A|a)*(A|a)*c", false],
    ["REGEX", "(a?){30}a{30}", false],
    ["REGEX", "((a+)*)+b", false],
    ["WILDCARD", "*a*a*a*a*a*a*b", false],
    ["WILDCARD", "**a**a**a**a**b", false],
    ["WILDCARD", "{a,aa,*}{a,aa,*}{a,aa,*}b", false],
  ] as const)("%s %s on 10k and 50k names: the right answer, each match within 200 ms", (operator, pattern, onAs) => {
    for (const length of [10_000, 50_000]) {
      const [as, ...others] = texts(length);
      const first = timeMatch(operator, pattern, as!);
      expect(first.matched).toBe(onAs);
      expect(first.ms).toBeLessThan(MATCH_BOUND_MS);
      for (const text of others) expect(timeMatch(operator, pattern, text).ms, `${pattern} on ${text.slice(0, 6)}…`).toBeLessThan(MATCH_BOUND_MS);
    }
  }, 30_000);

  it("generated nested-quantifier patterns: every match of a 10–50k-character name within 1 s, same answer as RegExp on short names", () => {
    const atom = fc.constantFrom("a", "b", ".", "[ab]", "\\w", "a?", "(?:a|aa)", "(a|b|ab)");
    const regex = fc.letrec<{ re: string }>((tie) => ({
      re: fc.oneof(
        { depthSize: "small", maxDepth: 4 },
        atom,
        tie("re").map((inner) => `(${inner})+`),
        tie("re").map((inner) => `(${inner})*`),
        tie("re").map((inner) => `(${inner}){1,3}`),
        fc.tuple(tie("re"), tie("re")).map(([x, y]) => `${x}${y}`),
        fc.tuple(tie("re"), tie("re")).map(([x, y]) => `(?:${x}|${y})`),
      ),
    })).re;
    const tail = fc.constantFrom("", "$", "b", "!", "c");
    let slowest = 0;
    fc.assert(
      fc.property(regex, tail, fc.integer({ min: 10_000, max: 50_000 }), fc.constantFrom("a", "ab", "aab"), (re, end, length, unit) => {
        const pattern = `${re}${end}`;
        let compiled: ReturnType<typeof compileFilter>;
        try {
          compiled = compileFilter({ field: "fileName", operator: "REGEX", argument: pattern });
        } catch (error) {
          if (isSftpConnectorError(error) && error.reason === "INVALID_INPUT") return; // e.g. too many states: refused up front
          throw error;
        }
        const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
        const started = performance.now();
        compiled(entry(text));
        const ms = performance.now() - started;
        slowest = Math.max(slowest, ms);
        expect(ms, `${pattern} on ${length} × ${unit}`).toBeLessThan(GENERATED_BOUND_MS);
        const short = text.slice(0, 12);
        expect(compiled(entry(short))).toBe(new RegExp(`^(?:${pattern})$`).test(short));
      }),
      { numRuns: 120 },
    );
    console.info(`slowest generated match: ${slowest.toFixed(1)} ms`);
  }, 60_000);

  it("the largest patterns a filter accepts stay linear: a PATH_MAX (4096-character) path within 5 s; a repeated empty group is refused at once", () => {
    // 5000 NFA states is the limit; every one of them is live at every character here, the matcher's true worst case.
    const worst = [".*(.?){2400}.*x", "(?i).*([^b]?){2400}x"];
    for (const pattern of worst) {
      const { matched, ms } = timeMatch("REGEX", pattern, "a".repeat(4096));
      expect(matched).toBe(false);
      expect(ms).toBeLessThan(5_000);
      console.info(`${pattern} on 4096 characters: ${ms.toFixed(0)} ms`);
    }
    const started = performance.now();
    expect(() => compileFilter({ field: "fileName", operator: "REGEX", argument: "(){999999999999}" })).toThrow(/too large once repetitions are expanded/);
    expect(performance.now() - started).toBeLessThan(1_000);
  }, 30_000);
});
