// Parses the compact filter syntax of the CLI and config files (`fileName ~ "*.csv" and fileSize > 1000`) into a Filter tree.
import { SftpConnectorError } from "../SftpConnectorError.js";
import { FILTER_FIELDS, type Filter, type FilterOperator } from "./Filter.js";

/** The deepest parenthesis nesting {@link parseFilter} accepts. */
export const MAX_PARENTHESIS_DEPTH = 64;

/** The operator symbols of the string syntax, and the Boomi operator each stands for. */
export const OPERATOR_SYMBOLS: Readonly<Record<string, FilterOperator>> = {
  "=": "EQUALS",
  "!=": "NOT_EQUALS",
  "<": "LESS_THAN",
  ">": "GREATER_THAN",
  "~": "WILDCARD",
  "=~": "REGEX",
};

/** Operator words, by their lower-case form without underscores (`notEquals`, `NOT_EQUALS`, `not_equals` all work). */
const OPERATOR_WORDS: Readonly<Record<string, FilterOperator>> = {
  equals: "EQUALS",
  notequals: "NOT_EQUALS",
  lessthan: "LESS_THAN",
  greaterthan: "GREATER_THAN",
  regex: "REGEX",
  wildcard: "WILDCARD",
};

const SYMBOLS_LONGEST_FIRST = Object.keys(OPERATOR_SYMBOLS).sort((a, b) => b.length - a.length);
const SYMBOL_START = /[=!<>~]/;
const BARE_END = /[\s()"'=!<>~]/;

interface Token {
  kind: "word" | "string" | "operator" | "(" | ")" | "end";
  /** The source text (for messages). */
  text: string;
  /** The value: a string's unescaped content, otherwise the text. */
  value: string;
  /** 1-based column of the first character. */
  column: number;
}

/**
 * Parses the compact filter syntax into a {@link Filter} tree (validate and compile it with `compileFilter`).
 *
 * Grammar: comparisons `field operator value`, combined with `and` / `or` (case-insensitive; `and` binds tighter)
 * and parentheses. Fields: `fileName`, `fileSize`, `modifiedDate`, `isDirectory` (case-insensitive). Operators:
 * `=` `!=` `<` `>` `~` (wildcard) `=~` (regex), or the Boomi names as words: `equals`, `notEquals`, `lessThan`,
 * `greaterThan`, `regex`, `wildcard` (case-insensitive, `NOT_EQUALS` too). Values: a `"…"` or `'…'` string, in
 * which `\\`, `\"` and `\'` stand for the character and any other backslash is kept (so `"^a\.csv$"` is a regex
 * as written); or a bare token (`1000`, `true`, `2023-03-23T12:08:56Z`, `*.csv`) that ends at a space, a
 * parenthesis, a quote or an operator character. A bare `and` / `or` is not a value: quote it.
 *
 * @throws SftpConnectorError INVALID_INPUT such as `filter: expected a value at column 17, found end of input`,
 * whose `problems` add the input and a caret under the column.
 *
 * @example `parseFilter('fileName ~ "*.csv" and fileSize > 1000')`
 */
export function parseFilter(text: string): Filter {
  return new FilterParser(text).parse();
}

/** A recursive-descent parser over the tokens of one filter string. */
class FilterParser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly text: string) {
    this.tokens = this.tokenize();
  }

  parse(): Filter {
    const filter = this.or(0);
    const token = this.peek();
    if (token.kind !== "end") throw this.expected('"and" or "or"', token);
    return filter;
  }

  private or(depth: number): Filter {
    const members = [this.and(depth)];
    while (isKeyword(this.peek(), "or")) {
      this.index++;
      members.push(this.and(depth));
    }
    return members.length === 1 && members[0] !== undefined ? members[0] : { or: members };
  }

  private and(depth: number): Filter {
    const members = [this.term(depth)];
    while (isKeyword(this.peek(), "and")) {
      this.index++;
      members.push(this.term(depth));
    }
    return members.length === 1 && members[0] !== undefined ? members[0] : { and: members };
  }

  private term(depth: number): Filter {
    const open = this.peek();
    if (open.kind !== "(") return this.comparison();
    if (depth >= MAX_PARENTHESIS_DEPTH) throw this.error(`parentheses nested more than ${MAX_PARENTHESIS_DEPTH} deep`, open.column);
    this.index++;
    const inner = this.or(depth + 1);
    const close = this.next();
    if (close.kind !== ")") throw this.expected('"and", "or" or ")"', close);
    return inner;
  }

  private comparison(): Filter {
    const name = this.next();
    if (name.kind !== "word" || isKeyword(name, "and") || isKeyword(name, "or")) throw this.expected("a field name", name);
    const field = FILTER_FIELDS.find((f) => f.toLowerCase() === name.value.toLowerCase());
    if (field === undefined) throw this.error(`Unknown property: ${name.value}`, name.column);
    const op = this.next();
    const operator =
      op.kind === "operator" ? OPERATOR_SYMBOLS[op.value] : op.kind === "word" ? OPERATOR_WORDS[op.value.toLowerCase().replaceAll("_", "")] : undefined;
    if (operator === undefined) throw this.expected("an operator (=, !=, <, >, ~, =~ or equals, notEquals, lessThan, greaterThan, wildcard, regex)", op);
    const value = this.next();
    if (value.kind !== "string" && (value.kind !== "word" || isKeyword(value, "and") || isKeyword(value, "or"))) {
      throw this.expected("a value", value);
    }
    return { field, operator, argument: value.value };
  }

  private peek(): Token {
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.index++;
    return token;
  }

  private expected(what: string, token: Token): SftpConnectorError {
    return this.error(`expected ${what}`, token.column, token.kind === "end" ? "end of input" : token.text);
  }

  private error(message: string, column: number, found?: string): SftpConnectorError {
    const head = `filter: ${message} at column ${column}${found === undefined ? "" : `, found ${found}`}`;
    const shown = this.text.replace(/[\t\r\n]/g, " ");
    return new SftpConnectorError("INVALID_INPUT", head, {
      operation: "filter",
      problems: [head, `  ${shown}`, `  ${" ".repeat(column - 1)}^`],
    });
  }

  private tokenize(): Token[] {
    const { text } = this;
    const tokens: Token[] = [];
    let i = 0;
    const push = (kind: Token["kind"], end: number, value = text.slice(i, end)): void => {
      tokens.push({ kind, text: text.slice(i, end), value, column: i + 1 });
      i = end;
    };
    while (i < text.length) {
      const c = text.charAt(i);
      if (/\s/.test(c)) i++;
      else if (c === "(" || c === ")") push(c, i + 1);
      else if (c === '"' || c === "'") this.readString(i, push);
      else if (SYMBOL_START.test(c)) {
        const symbol = SYMBOLS_LONGEST_FIRST.find((s) => text.startsWith(s, i));
        if (symbol === undefined) throw this.error(`unexpected character "${c}"`, i + 1);
        push("operator", i + symbol.length);
      } else {
        let end = i + 1;
        while (end < text.length && !BARE_END.test(text.charAt(end))) end++;
        push("word", end);
      }
    }
    tokens.push({ kind: "end", text: "", value: "", column: text.length + 1 });
    return tokens;
  }

  /** Reads a quoted string starting at `start`: `\\`, `\"` and `\'` are the character; other backslashes are kept. */
  private readString(start: number, push: (kind: Token["kind"], end: number, value: string) => void): void {
    const quote = this.text.charAt(start);
    let value = "";
    for (let i = start + 1; i < this.text.length; i++) {
      const c = this.text.charAt(i);
      if (c === quote) {
        push("string", i + 1, value);
        return;
      }
      const escaped = this.text.charAt(i + 1);
      if (c === "\\" && (escaped === "\\" || escaped === '"' || escaped === "'")) {
        value += escaped;
        i++;
      } else value += c;
    }
    throw this.error("unterminated string", start + 1);
  }
}

function isKeyword(token: Token, keyword: "and" | "or"): boolean {
  return token.kind === "word" && token.value.toLowerCase() === keyword;
}
