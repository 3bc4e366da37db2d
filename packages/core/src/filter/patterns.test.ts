// Tests of the filter REGEX and WILDCARD front ends and of their linear-time matcher.
import { describe, expect, it } from "vitest";
import { isSftpConnectorError } from "../SftpConnectorError.js";
import { compileGlob } from "./globPattern.js";
import { compileRegex } from "./regexPattern.js";

function errorOf(compile: () => unknown): string {
  try {
    compile();
  } catch (error) {
    if (!isSftpConnectorError(error)) throw error;
    expect(error.reason).toBe("INVALID_INPUT");
    return error.message;
  }
  throw new Error("expected an INVALID_INPUT error");
}

describe("compileRegex", () => {
  it.each([
    ["abc", "abc", true],
    ["abc", "abcd", false],
    ["bc", "abc", false],
    ["a|b", "b", true],
    ["a|b", "ab", false],
    ["a.c", "abc", true],
    ["a.c", "a\nc", false],
    ["[a-c]+", "abcba", true],
    ["[^a-c]", "d", true],
    ["[^a-c]", "a", false],
    ["[.]", "a", false],
    ["[-a]", "-", true],
    ["[a-]", "-", true],
    ["[\\d_]+", "1_2", true],
    ["[\\]]", "]", true],
    ["\\d{3}", "123", true],
    ["\\d{3}", "12", false],
    ["\\d{2,}", "12345", true],
    ["\\d{2,3}", "1234", false],
    ["\\d{0}x", "x", true],
    ["\\w+\\s\\S", "ab c", true],
    ["\\W", "_", false],
    ["\\D\\S", "a!", true],
    ["colou?r", "color", true],
    ["colou?r", "colouur", false],
    ["(?:ab)+", "ababab", true],
    ["(ab)*", "", true],
    ["(ab)+", "", false],
    ["(?<year>\\d{4})-\\d\\d", "2023-03", true],
    ["a{", "a{", true],
    ["a{,2}", "a{,2}", true],
    ["a}", "a}", true],
    ["^abc$", "abc", true],
    ["a^b", "ab", false],
    ["a$b", "ab", false],
    ["\\bfoo\\b", "foo", true],
    ["a\\Bb", "ab", true],
    ["a\\bb", "ab", false],
    ["\\x41\\u0042", "AB", true],
    ["\\t\\0", "\t\0", true],
    ["\\.", ".", true],
    ["\\.", "a", false],
    ["\\/\\-\\_", "/-_", true],
    ["(?i)abc", "ABC", true],
    ["(?i)[a-c]+", "ABC", true],
    ["(?i)[^a]", "A", false],
    ["(?i)\\.CSV", ".csv", true],
    ["ABC", "abc", false],
    [".", "😀", true],
    ["..", "😀", false],
    ["[😀-😂]", "😁", true],
    ["a*?b", "aab", true],
    ["a??", "", true],
    ["(a|)+b", "aab", true],
    ["(a*)*", "aaaa", true],
    [".*\\.csv", "report.csv", true],
    [".*\\.csv", "report.csv.bak", false],
  ])("%j matches %j: %s", (pattern, text, expected) => {
    expect(compileRegex(pattern)(text)).toBe(expected);
  });

  it.each([
    ["(", 'missing ")" at position 1'],
    ["a(b", 'missing ")" at position 2'],
    [")", 'unmatched ")" at position 1'],
    ["*a", "nothing to repeat at position 1"],
    ["a**", "nothing to repeat at position 3"],
    ["a{2}{3}", "nothing to repeat at position 5"],
    ["{2}", "nothing to repeat at position 1"],
    ["^*", "nothing to repeat at position 2"],
    ["[abc", 'missing "]" at position 1'],
    ["[z-a]", "range out of order in character class at position 2"],
    ["[\\d-z]", "invalid range in character class at position 2"],
    ["a{3,1}", "numbers out of order in {} quantifier at position 2"],
    ["(a)\\1", "backreferences are not supported at position 4"],
    ["(?<n>a)\\k<n>", "backreferences are not supported at position 8"],
    ["(?=a)", "lookahead and lookbehind are not supported at position 1"],
    ["(?!a)", "lookahead and lookbehind are not supported at position 1"],
    ["(?<=a)b", "lookahead and lookbehind are not supported at position 1"],
    ["(?<!a)b", "lookahead and lookbehind are not supported at position 1"],
    ["a*+", "possessive quantifiers are not supported at position 3"],
    ["(?s)a", 'unsupported group (inline flags are supported only as a leading "(?i)") at position 1'],
    ["a(?i)", 'unsupported group (inline flags are supported only as a leading "(?i)") at position 2'],
    ["(?<1a>x)", "invalid group name at position 1"],
    ["\\q", 'unsupported escape "\\q" at position 1'],
    ["\\p{L}", 'unsupported escape "\\p" at position 1'],
    ["abc\\", "trailing backslash at position 4"],
    ["\\x4", "invalid \\x escape at position 1"],
    ["\\u12G4", "invalid \\u escape at position 1"],
    ["😀(", 'missing ")" at position 2'],
    ["(?i)(", 'missing ")" at position 5'],
  ])("rejects %j: %s", (pattern, what) => {
    expect(errorOf(() => compileRegex(pattern))).toBe(`Invalid regex "${pattern}": ${what}`);
  });

  it("rejects patterns longer than 1000 characters", () => {
    expect(compileRegex("a".repeat(1000))("a".repeat(1000))).toBe(true);
    expect(errorOf(() => compileRegex("a".repeat(1001)))).toBe("Invalid regex: longer than 1000 characters (1001)");
  });

  it("rejects repetitions that expand past the state limit", () => {
    expect(errorOf(() => compileRegex("(a{100}){200}"))).toMatch(/too large once repetitions are expanded \(limit 5000 states\)$/);
    expect(errorOf(() => compileRegex("a{0,99999999999}"))).toMatch(/too large/);
  });

  it("counts a repeated empty group as a state per copy, so (){999999999} is refused before anything is built instead of looping", () => {
    expect(errorOf(() => compileRegex("(){999999999}"))).toMatch(/too large/);
    expect(errorOf(() => compileRegex("x(?:()){99999999999999}"))).toMatch(/too large/);
    expect(compileRegex("a(){3}b")("ab")).toBe(true);
  });

  it("bounds group nesting at 64", () => {
    expect(compileRegex(`${"(".repeat(64)}a${")".repeat(64)}`)("a")).toBe(true);
    expect(errorOf(() => compileRegex(`${"(".repeat(65)}a${")".repeat(65)}`))).toMatch(/groups nested more than 64 deep at position 65$/);
  });

  it.each([
    ["(a+)+$", `${"a".repeat(20_000)}b`],
    ["(a|a)*b", "a".repeat(20_000)],
    ["(a|aa)+c", "a".repeat(20_000)],
    ["(\\w+\\s?)*$", `${"word ".repeat(4_000)}!`],
    ["(.*a){12}", "a".repeat(2_000)],
    [".*.*.*.*.*.*.*x", "a".repeat(5_000)],
    ["(?:.*){2499}x", "a".repeat(1_000)], // the most states allowed, all live at every step
    ["(?i)(?:[a-z]*){2499}x", "A".repeat(1_000)],
  ])("matches %j against a hostile name in at most states × (length + 1) steps", (pattern, text) => {
    const matches = compileRegex(pattern);
    // (A backtracking engine would take minutes on several of these; V8's RegExp is one, so it is not asked for the answer.)
    const { steps } = matches.countSteps(text);
    expect(steps).toBeLessThanOrEqual(matches.states * (text.length + 1));
  });
});

describe("compileGlob", () => {
  it.each([
    ["*.csv", "a.csv", true],
    ["*.csv", "a.csv.bak", false],
    ["*.csv", "dir/a.csv", false],
    ["**.csv", "dir/a.csv", true],
    ["**/*.csv", "dir/sub/a.csv", true],
    ["**/*.csv", "a.csv", false],
    ["*/*.txt", "sub/a.txt", true],
    ["***", "a/b", true],
    ["a*b*c", "a/b/c", false],
    ["a*b*c", "aXbYc", true],
    ["?.txt", "a.txt", true],
    ["?.txt", "ab.txt", false],
    ["?", "/", false],
    ["[abc].txt", "b.txt", true],
    ["[abc].txt", "d.txt", false],
    ["[a-c]x", "bx", true],
    ["[!a]x", "bx", true],
    ["[!a]x", "ax", false],
    ["[!a]", "/", false],
    ["[-a]", "-", true],
    ["[a-]", "-", true],
    ["[*?]", "?", true],
    ["[\\]]", "]", true],
    ["{a,b}.txt", "b.txt", true],
    ["{a,b}.txt", "c.txt", false],
    ["*.{csv,txt}", "x.txt", true],
    ["{a,{b,c}d}", "cd", true],
    ["{a,}x", "x", true],
    ["{*.csv,sub/*}", "sub/x", true],
    ["\\*", "*", true],
    ["\\*", "a", false],
    ["a\\?", "a?", true],
    [".*", ".hidden", true],
    ["*", ".hidden", true],
    ["*", "", true],
    ["", "", true],
    ["", "a", false],
    ["*", "😀", true],
    ["?", "😀", true],
    ["A*", "abc", false],
    ["(x)+.txt", "(x)+.txt", true],
    ["a,b}", "a,b}", true],
  ])("%j matches %j: %s", (pattern, text, expected) => {
    expect(compileGlob(pattern)(text)).toBe(expected);
  });

  it.each([
    ["[abc", 'missing "]" at position 1'],
    ["[!", 'missing "]" at position 1'],
    ["{a,b", 'missing "}" at position 1'],
    ["x{a,{b}", 'missing "}" at position 2'],
    ["[]", "empty bracket expression at position 1"],
    ["[a/b]", '"/" cannot appear in a bracket expression at position 3'],
    ["[z-a]", "range out of order in bracket expression at position 2"],
    ["a\\", "trailing backslash at position 2"],
  ])("rejects %j: %s", (pattern, what) => {
    expect(errorOf(() => compileGlob(pattern))).toBe(`Invalid wildcard "${pattern}": ${what}`);
  });

  it("rejects patterns longer than 1000 characters and braces nested deeper than 64", () => {
    expect(errorOf(() => compileGlob("*".repeat(1001)))).toBe("Invalid wildcard: longer than 1000 characters (1001)");
    expect(compileGlob(`${"{".repeat(64)}a${"}".repeat(64)}`)("a")).toBe(true);
    expect(errorOf(() => compileGlob(`${"{".repeat(65)}a${"}".repeat(65)}`))).toMatch(/braces nested more than 64 deep at position 65$/);
  });

  it.each([
    ["*a*a*a*a*a*a*a*b", "a".repeat(20_000)],
    ["**a**a**a**a**b", "a/".repeat(10_000)],
    [`${"{a,a}".repeat(100)}b`, "a".repeat(100)],
  ])("matches %j against a hostile name in at most states × (length + 1) steps", (pattern, text) => {
    const matches = compileGlob(pattern);
    const { matched, steps } = matches.countSteps(text);
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual(matches.states * (text.length + 1));
  });
});
