// Compiles a filter REGEX (the common subset of Java and JavaScript regex syntax) into a linear-time whole-text matcher.
import { MAX_PATTERN_NESTING, buildMatcher, checkPatternLength, patternError, type CharTest, type PatternMatcher, type PatternNode } from "./patternMatcher.js";
import type { SftpConnectorError } from "../SftpConnectorError.js";

const isDigit: CharTest = (cp) => cp >= 0x30 && cp <= 0x39;
const isWordChar: CharTest = (cp) => isDigit(cp) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
const isSpace: CharTest = (cp) => cp >= 0 && /^\s$/u.test(String.fromCodePoint(cp));
const not =
  (test: CharTest): CharTest =>
  (cp) =>
    !test(cp);
const literal =
  (expected: number): CharTest =>
  (cp) =>
    cp === expected;

/** `\d \D \w \W \s \S`, inside and outside classes. */
const CLASS_ESCAPES: Readonly<Record<string, CharTest>> = {
  d: isDigit,
  D: not(isDigit),
  w: isWordChar,
  W: not(isWordChar),
  s: isSpace,
  S: not(isSpace),
};

/** Escapes that stand for one control character. */
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { t: 0x09, n: 0x0a, v: 0x0b, f: 0x0c, r: 0x0d };

/** What `.` does not match (JavaScript's line terminators). */
const LINE_TERMINATORS = new Set([0x0a, 0x0d, 0x2028, 0x2029]);

/** A test that also accepts the other case of a code point (simple case folding). */
function foldCase(test: CharTest): CharTest {
  const other = (cp: number, lower: boolean): number => {
    const c = String.fromCodePoint(cp);
    return (lower ? c.toLowerCase() : c.toUpperCase()).codePointAt(0) ?? cp;
  };
  return (cp) => cp >= 0 && (test(cp) || test(other(cp, true)) || test(other(cp, false)));
}

/**
 * Compiles a filter regex that must match the whole text (as Java's `PathMatcher("regex:…")`).
 *
 * Supported: literals, `.`, classes `[a-z]` `[^…]`, `\d \w \s` and negations, `\t \n \r \f \v \0 \xHH \uHHHH`,
 * escaped punctuation, groups `(…)` `(?:…)` `(?<name>…)`, `|`, quantifiers `* + ? {n} {n,} {n,m}` (lazy forms too),
 * anchors `^ $`, word boundaries `\b \B`, and a leading `(?i)` for case-insensitive matching.
 * Rejected with INVALID_INPUT: backreferences, lookaround, possessive quantifiers, other inline flags, patterns over
 * 1000 characters. Matching never backtracks: it takes O(text length × pattern size) time, whatever the pattern.
 */
export function compileRegex(source: string): PatternMatcher {
  checkPatternLength("regex", source);
  const ignoreCase = source.startsWith("(?i)");
  const parser = new RegexParser(source, ignoreCase ? 4 : 0, ignoreCase);
  return buildMatcher(parser.parse(), `regex "${source}"`);
}

/** A recursive-descent parser over the code points of a regex. */
class RegexParser {
  private readonly chars: string[];
  private pos: number;

  constructor(
    private readonly source: string,
    start: number,
    private readonly ignoreCase: boolean,
  ) {
    this.chars = Array.from(source);
    this.pos = start;
  }

  parse(): PatternNode {
    const node = this.alternation(0);
    if (this.pos < this.chars.length) throw this.error('unmatched ")"', this.pos);
    return node;
  }

  private error(what: string, at: number): SftpConnectorError {
    return patternError(`Invalid regex "${this.source}": ${what} at position ${at + 1}`);
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  private charNode(test: CharTest): PatternNode {
    return { kind: "char", test: this.ignoreCase ? foldCase(test) : test };
  }

  private alternation(depth: number): PatternNode {
    const items = [this.sequence(depth)];
    while (this.peek() === "|") {
      this.pos++;
      items.push(this.sequence(depth));
    }
    return items.length === 1 && items[0] !== undefined ? items[0] : { kind: "alt", items };
  }

  private sequence(depth: number): PatternNode {
    const items: PatternNode[] = [];
    for (let c = this.peek(); c !== undefined && c !== "|" && c !== ")"; c = this.peek()) {
      items.push(this.quantified(this.atom(depth)));
    }
    return { kind: "seq", items };
  }

  private atom(depth: number): PatternNode {
    const at = this.pos;
    const c = this.chars[this.pos++] ?? "";
    switch (c) {
      case "(":
        return this.group(depth, at);
      case "[":
        return this.characterClass(at);
      case ".":
        return { kind: "char", test: (cp) => !LINE_TERMINATORS.has(cp) };
      case "^":
        return { kind: "assert", test: (before) => before === -1 };
      case "$":
        return { kind: "assert", test: (_, after) => after === -1 };
      case "*":
      case "+":
      case "?":
        throw this.error("nothing to repeat", at);
      case "{":
        if (this.bounds(at) !== undefined) throw this.error("nothing to repeat", at);
        return this.charNode(literal(0x7b));
      case "\\": {
        const next = this.peek();
        if (next === "b" || next === "B") {
          this.pos++;
          return { kind: "assert", test: (before, after) => (isWordChar(before) !== isWordChar(after)) === (next === "b") };
        }
        const escaped = this.escape(false);
        return this.charNode(typeof escaped === "number" ? literal(escaped) : escaped);
      }
      default:
        return this.charNode(literal(c.codePointAt(0) ?? 0));
    }
  }

  private group(depth: number, at: number): PatternNode {
    if (depth >= MAX_PATTERN_NESTING) throw this.error(`groups nested more than ${MAX_PATTERN_NESTING} deep`, at);
    if (this.peek() === "?") {
      const kind = this.peek(1);
      const lookbehind = kind === "<" && (this.peek(2) === "=" || this.peek(2) === "!");
      if (kind === "=" || kind === "!" || lookbehind) throw this.error("lookahead and lookbehind are not supported", at);
      if (kind === ":") this.pos += 2;
      else if (kind === "<") this.groupName(at);
      else throw this.error('unsupported group (inline flags are supported only as a leading "(?i)")', at);
    }
    const inner = this.alternation(depth + 1);
    if (this.peek() !== ")") throw this.error('missing ")"', at);
    this.pos++;
    return inner;
  }

  /** Skips `?<name>`; the name is not used (groups do not capture). */
  private groupName(at: number): void {
    const end = this.chars.indexOf(">", this.pos);
    const name = this.chars.slice(this.pos + 2, end).join("");
    if (end < 0 || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw this.error("invalid group name", at);
    this.pos = end + 1;
  }

  /** Applies a following quantifier, if any, to `atom`. */
  private quantified(atom: PatternNode): PatternNode {
    const at = this.pos;
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === "*" || c === "+" || c === "?") {
      [min, max] = c === "*" ? [0, Infinity] : c === "+" ? [1, Infinity] : [0, 1];
      this.pos++;
    } else {
      const bounds = c === "{" ? this.bounds(at) : undefined;
      if (bounds === undefined) return atom;
      [min, max, this.pos] = bounds;
      if (min > max) throw this.error("numbers out of order in {} quantifier", at);
    }
    if (atom.kind === "assert") throw this.error("nothing to repeat", at);
    if (this.peek() === "+") throw this.error("possessive quantifiers are not supported", this.pos);
    if (this.peek() === "?") this.pos++; // lazy: the same whole-text result
    return { kind: "repeat", item: atom, min, max };
  }

  /** Reads `{n}`, `{n,}` or `{n,m}` at `at` as [min, max, position after], or undefined when it is not one (then `{` is a literal). */
  private bounds(at: number): [number, number, number] | undefined {
    const rest = this.chars.slice(at, at + 24).join("");
    const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    if (m === null) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
    return [min, max, at + m[0].length];
  }

  /** Reads an escape after `\`: a code point, or a test for a class escape. */
  private escape(inClass: boolean): number | CharTest {
    const at = this.pos - 1;
    const c = this.chars[this.pos++];
    if (c === undefined) throw this.error("trailing backslash", at);
    const classTest = CLASS_ESCAPES[c];
    if (classTest !== undefined) return classTest;
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return control;
    if (inClass && c === "b") return 0x08;
    if (c === "0" && !isDigit(this.peek()?.codePointAt(0) ?? -1)) return 0;
    if (c === "x" || c === "u") {
      const digits = this.chars.slice(this.pos, this.pos + (c === "x" ? 2 : 4)).join("");
      if (!/^[0-9A-Fa-f]+$/.test(digits) || digits.length !== (c === "x" ? 2 : 4)) throw this.error(`invalid \\${c} escape`, at);
      this.pos += digits.length;
      return Number.parseInt(digits, 16);
    }
    if (/[1-9k]/.test(c)) throw this.error("backreferences are not supported", at);
    if (/[A-Za-z0-9]/.test(c)) throw this.error(`unsupported escape "\\${c}"`, at);
    return c.codePointAt(0) ?? 0;
  }

  /** Reads a class after `[`. Case folding applies before negation, as in JavaScript. */
  private characterClass(at: number): PatternNode {
    const negate = this.peek() === "^";
    if (negate) this.pos++;
    const tests: CharTest[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw this.error('missing "]"', at);
      if (c === "]") break;
      const lowAt = this.pos;
      const low = this.classAtom();
      if (this.peek() === "-" && this.peek(1) !== undefined && this.peek(1) !== "]") {
        this.pos++;
        const high = this.classAtom();
        if (typeof low !== "number" || typeof high !== "number") throw this.error("invalid range in character class", lowAt);
        if (low > high) throw this.error("range out of order in character class", lowAt);
        tests.push((cp) => cp >= low && cp <= high);
      } else {
        tests.push(typeof low === "number" ? literal(low) : low);
      }
    }
    this.pos++;
    const inSet: CharTest = (cp) => tests.some((test) => test(cp));
    const folded = this.ignoreCase ? foldCase(inSet) : inSet;
    return { kind: "char", test: negate ? (cp) => cp >= 0 && !folded(cp) : folded };
  }

  private classAtom(): number | CharTest {
    const c = this.chars[this.pos++] ?? "";
    return c === "\\" ? this.escape(true) : (c.codePointAt(0) ?? 0);
  }
}
