// Compiles a filter WILDCARD (a Java NIO-style glob) into a linear-time whole-text matcher.
import type { SftpConnectorError } from "../SftpConnectorError.js";
import { MAX_PATTERN_NESTING, buildMatcher, checkPatternLength, patternError, type CharTest, type PatternMatcher, type PatternNode } from "./patternMatcher.js";

const SLASH = 0x2f;
const notSlash: CharTest = (cp) => cp !== SLASH;
const anyChar: CharTest = () => true;

/**
 * Compiles a glob that must match the whole text (as Java's `PathMatcher("glob:…")`), case-sensitively:
 * `*` any run of characters except `/`; `**` any run including `/`; `?` one character except `/`;
 * `[abc]`, `[a-z]`, `[!a]` one character of (or not of) a set, never `/`; `{a,b}` alternatives (nestable);
 * `\x` the character x. A leading dot is not special. Throws INVALID_INPUT for an unclosed `[` or `{`,
 * an empty `[]`, a `/` inside brackets, a trailing backslash, or more than 1000 characters.
 * Matching never backtracks: it takes O(text length × pattern size) time, whatever the pattern.
 */
export function compileGlob(source: string): PatternMatcher {
  checkPatternLength("wildcard", source);
  return buildMatcher(new GlobParser(source).parse(), `wildcard "${source}"`);
}

/** A recursive-descent parser over the code points of a glob. */
class GlobParser {
  private readonly chars: string[];
  private pos = 0;

  constructor(private readonly source: string) {
    this.chars = Array.from(source);
  }

  parse(): PatternNode {
    return this.sequence(0, false);
  }

  private error(what: string, at: number): SftpConnectorError {
    return patternError(`Invalid wildcard "${this.source}": ${what} at position ${at + 1}`);
  }

  /** Reads up to the end, or inside braces up to the next top-level `,` or `}`. */
  private sequence(depth: number, inBraces: boolean): PatternNode {
    const items: PatternNode[] = [];
    for (let c = this.chars[this.pos]; c !== undefined; c = this.chars[this.pos]) {
      if (inBraces && (c === "," || c === "}")) break;
      const at = this.pos++;
      if (c === "*") {
        const crossesSlash = this.chars[this.pos] === "*";
        while (this.chars[this.pos] === "*") this.pos++; // "***" is "**"
        items.push({ kind: "repeat", item: { kind: "char", test: crossesSlash ? anyChar : notSlash }, min: 0, max: Infinity });
      } else if (c === "?") items.push({ kind: "char", test: notSlash });
      else if (c === "[") items.push(this.bracket(at));
      else if (c === "{") items.push(this.braces(depth, at));
      else items.push(literal(c === "\\" ? this.escaped(at) : c));
    }
    return { kind: "seq", items };
  }

  private escaped(at: number): string {
    const c = this.chars[this.pos++];
    if (c === undefined) throw this.error("trailing backslash", at);
    return c;
  }

  private braces(depth: number, at: number): PatternNode {
    if (depth >= MAX_PATTERN_NESTING) throw this.error(`braces nested more than ${MAX_PATTERN_NESTING} deep`, at);
    const items: PatternNode[] = [];
    for (;;) {
      items.push(this.sequence(depth + 1, true));
      const c = this.chars[this.pos++];
      if (c === "}") return { kind: "alt", items };
      if (c !== ",") throw this.error('missing "}"', at);
    }
  }

  private bracket(at: number): PatternNode {
    const negate = this.chars[this.pos] === "!";
    if (negate) this.pos++;
    const tests: CharTest[] = [];
    for (;;) {
      const c = this.chars[this.pos++];
      if (c === undefined) throw this.error('missing "]"', at);
      if (c === "]") break;
      if (c === "/") throw this.error('"/" cannot appear in a bracket expression', this.pos - 1);
      const low = codePoint(c === "\\" ? this.escaped(this.pos - 1) : c);
      if (this.chars[this.pos] === "-" && this.chars[this.pos + 1] !== "]" && this.chars[this.pos + 1] !== undefined) {
        const high = codePoint(this.chars[this.pos + 1] ?? "");
        if (high < low) throw this.error("range out of order in bracket expression", this.pos - 1);
        this.pos += 2;
        tests.push((cp) => cp >= low && cp <= high);
      } else {
        tests.push((cp) => cp === low);
      }
    }
    if (tests.length === 0) throw this.error("empty bracket expression", at);
    return { kind: "char", test: (cp) => cp !== SLASH && tests.some((test) => test(cp)) !== negate };
  }
}

function codePoint(c: string): number {
  return c.codePointAt(0) ?? 0;
}

function literal(c: string): PatternNode {
  const expected = codePoint(c);
  return { kind: "char", test: (cp) => cp === expected };
}
