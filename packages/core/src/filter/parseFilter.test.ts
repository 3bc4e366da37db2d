// Tests of the compact filter syntax: parseFilter, its error columns, and the formatFilter round trip.
import { describe, expect, it } from "vitest";
import { isSftpConnectorError, type SftpConnectorError } from "../SftpConnectorError.js";
import { compileFilter } from "./compileFilter.js";
import { FILTER_OPERATORS, type Filter, type FilterField, type FilterOperator } from "./Filter.js";
import { formatFilter } from "./formatFilter.js";
import { MAX_PARENTHESIS_DEPTH, parseFilter } from "./parseFilter.js";

const c = (field: FilterField, operator: FilterOperator, argument: string): Filter => ({ field, operator, argument });
const a = c("fileName", "EQUALS", "a");
const b = c("fileName", "EQUALS", "b");
const d = c("fileName", "EQUALS", "d");

function errorOf(run: () => unknown): SftpConnectorError {
  try {
    run();
  } catch (error) {
    if (!isSftpConnectorError(error)) throw error;
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.operation).toBe("filter");
    return error;
  }
  throw new Error("expected an INVALID_INPUT error");
}

describe("parseFilter", () => {
  it.each<[string, Filter]>([
    // every operator, as a symbol and as a word
    ['fileName = "a.txt"', c("fileName", "EQUALS", "a.txt")],
    ['fileName != "a.txt"', c("fileName", "NOT_EQUALS", "a.txt")],
    ['fileName < "m"', c("fileName", "LESS_THAN", "m")],
    ['fileName > "m"', c("fileName", "GREATER_THAN", "m")],
    ['fileName ~ "*.csv"', c("fileName", "WILDCARD", "*.csv")],
    ['fileName =~ "^b.*"', c("fileName", "REGEX", "^b.*")],
    ['fileName equals "a"', c("fileName", "EQUALS", "a")],
    ['fileName notEquals "a"', c("fileName", "NOT_EQUALS", "a")],
    ['fileName NOT_EQUALS "a"', c("fileName", "NOT_EQUALS", "a")],
    ['fileName not_equals "a"', c("fileName", "NOT_EQUALS", "a")],
    ["fileSize lessThan 10", c("fileSize", "LESS_THAN", "10")],
    ["fileSize GREATERTHAN 10", c("fileSize", "GREATER_THAN", "10")],
    ['fileName Regex ".*"', c("fileName", "REGEX", ".*")],
    ['fileName wildcard "*"', c("fileName", "WILDCARD", "*")],
    // fields, case-insensitively
    ["FILESIZE > 5", c("fileSize", "GREATER_THAN", "5")],
    ["modifieddate < 2023-03-23", c("modifiedDate", "LESS_THAN", "2023-03-23")],
    ["isDirectory = TRUE", c("isDirectory", "EQUALS", "TRUE")],
    // bare values
    ["fileName ~ *.csv", c("fileName", "WILDCARD", "*.csv")],
    ["fileName=a", a],
    ["fileSize>1000", c("fileSize", "GREATER_THAN", "1000")],
    ["modifiedDate > 2023-03-23T12:08:56+05:30", c("modifiedDate", "GREATER_THAN", "2023-03-23T12:08:56+05:30")],
    ["modifiedDate > 2023-03-23T12:08:56.235Z", c("modifiedDate", "GREATER_THAN", "2023-03-23T12:08:56.235Z")],
    ["fileName = ä.txt", c("fileName", "EQUALS", "ä.txt")],
    // quoted values and escapes
    ['fileName = "a b"', c("fileName", "EQUALS", "a b")],
    ["fileName = 'a b'", c("fileName", "EQUALS", "a b")],
    ['fileName = ""', c("fileName", "EQUALS", "")],
    ['fileName = "and"', c("fileName", "EQUALS", "and")],
    ['fileName = "say \\"hi\\""', c("fileName", "EQUALS", 'say "hi"')],
    ["fileName = 'it\\'s'", c("fileName", "EQUALS", "it's")],
    ["fileName = 'a\"b'", c("fileName", "EQUALS", 'a"b')],
    ['fileName = "a\\\\b"', c("fileName", "EQUALS", "a\\b")],
    ['fileName =~ "^a\\.csv$"', c("fileName", "REGEX", "^a\\.csv$")],
    ['fileName = "(x) = y"', c("fileName", "EQUALS", "(x) = y")],
    // groups and precedence
    ["fileName = a and fileName = b", { and: [a, b] }],
    ["fileName = a AND fileName = b Or fileName = d", { or: [{ and: [a, b] }, d] }],
    ["fileName = a or fileName = b and fileName = d", { or: [a, { and: [b, d] }] }],
    ["(fileName = a or fileName = b) and fileName = d", { and: [{ or: [a, b] }, d] }],
    ["fileName = a and fileName = b and fileName = d", { and: [a, b, d] }],
    ["fileName = a or fileName = b or fileName = d", { or: [a, b, d] }],
    ["(fileName = a and fileName = b) and fileName = d", { and: [{ and: [a, b] }, d] }],
    ["((fileName = a))", a],
    ["  \tfileName\n=\ra  ", a],
  ])("%j", (text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });

  it.each<[string, string]>([
    ["", "expected a field name at column 1, found end of input"],
    ["   ", "expected a field name at column 4, found end of input"],
    ["fileName", "expected an operator (=, !=, <, >, ~, =~ or equals, notEquals, lessThan, greaterThan, wildcard, regex) at column 9, found end of input"],
    ['fileName like "a"', "expected an operator (=, !=, <, >, ~, =~ or equals, notEquals, lessThan, greaterThan, wildcard, regex) at column 10, found like"],
    ['fileName "a"', 'expected an operator (=, !=, <, >, ~, =~ or equals, notEquals, lessThan, greaterThan, wildcard, regex) at column 10, found "a"'],
    ["fileName =", "expected a value at column 11, found end of input"],
    ['fileName ~ "*.csv" and', "expected a field name at column 23, found end of input"],
    ["fileName = and", "expected a value at column 12, found and"],
    ["fileName = (a)", "expected a value at column 12, found ("],
    ["fileName = = a", "expected a value at column 12, found ="],
    ["size > 5", "Unknown property: size at column 1"],
    ["fileName = a and name = b", "Unknown property: name at column 18"],
    ['"fileName" = a', 'expected a field name at column 1, found "fileName"'],
    ["and = a", "expected a field name at column 1, found and"],
    ["= a", "expected a field name at column 1, found ="],
    ["()", "expected a field name at column 2, found )"],
    ['fileName = "abc', "unterminated string at column 12"],
    ["fileName = 'abc\\'", "unterminated string at column 12"],
    ['fileName ! "a"', 'unexpected character "!" at column 10'],
    ["fileName = a!", 'unexpected character "!" at column 13'],
    ["(fileName = a", 'expected "and", "or" or ")" at column 14, found end of input'],
    ["(fileName = a fileSize > 1)", 'expected "and", "or" or ")" at column 15, found fileSize'],
    ["fileName = a)", 'expected "and" or "or" at column 13, found )'],
    ["fileName = a fileSize > 1", 'expected "and" or "or" at column 14, found fileSize'],
    ["fileName = a and or fileName = b", "expected a field name at column 18, found or"],
    ["not isDirectory", "Unknown property: not at column 1"],
  ])("rejects %j: %s", (text, message) => {
    expect(errorOf(() => parseFilter(text)).message).toBe(`filter: ${message}`);
  });

  it("puts the input and a caret under the column in problems", () => {
    expect(errorOf(() => parseFilter("fileName = a and\tfileSize >")).problems).toEqual([
      "filter: expected a value at column 28, found end of input",
      "  fileName = a and fileSize >",
      `  ${" ".repeat(27)}^`,
    ]);
  });

  it(`allows ${MAX_PARENTHESIS_DEPTH} nested parentheses and rejects deeper ones without a stack overflow`, () => {
    const nested = (n: number): string => `${"(".repeat(n)}fileName = a${")".repeat(n)}`;
    expect(parseFilter(nested(MAX_PARENTHESIS_DEPTH))).toEqual(a);
    const message = "filter: parentheses nested more than 64 deep at column 65";
    expect(errorOf(() => parseFilter(nested(MAX_PARENTHESIS_DEPTH + 1))).message).toBe(message);
    expect(errorOf(() => parseFilter("(".repeat(100_000))).message).toBe(message);
    expect(errorOf(() => parseFilter("(((((")).message).toBe("filter: expected a field name at column 6, found end of input");
  });

  it("leaves value checks to compileFilter", () => {
    expect(parseFilter("fileSize > big")).toEqual(c("fileSize", "GREATER_THAN", "big"));
    expect(parseFilter("fileSize ~ '*'")).toEqual(c("fileSize", "WILDCARD", "*"));
  });
});

describe("formatFilter", () => {
  it.each<[Filter, string]>([
    [c("fileSize", "GREATER_THAN", "1000"), "fileSize > 1000"],
    [c("fileName", "WILDCARD", "*.csv"), 'fileName ~ "*.csv"'],
    [c("fileName", "REGEX", "^a\\.csv$"), 'fileName =~ "^a\\\\.csv$"'],
    [c("fileName", "NOT_EQUALS", 'a"b\\c'), 'fileName != "a\\"b\\\\c"'],
    [c("modifiedDate", "LESS_THAN", "2023-03-23T12:08:56+05:30"), "modifiedDate < 2023-03-23T12:08:56+05:30"],
    [c("modifiedDate", "LESS_THAN", "2023-03-23 12:08:56"), 'modifiedDate < "2023-03-23 12:08:56"'],
    [c("isDirectory", "EQUALS", "true"), "isDirectory = true"],
    [{ field: "fileName", operator: "EQUALS", arguments: ["x"] }, 'fileName = "x"'],
    [{ or: [{ and: [a, b] }, d] }, '(fileName = "a" and fileName = "b") or fileName = "d"'],
    [{ and: [{ or: [a, b] }, { or: [b, d] }] }, '(fileName = "a" or fileName = "b") and (fileName = "b" or fileName = "d")'],
    [{ and: [a] }, 'fileName = "a"'],
  ])("%j → %s", (filter, text) => {
    expect(formatFilter(filter)).toBe(text);
  });

  it.each([
    'fileName ~ "*.csv" and fileSize > 1000',
    '(fileName = "a.txt" or fileName =~ "^b.*") and isDirectory = false',
    'fileName = "a" or (fileName = "b" or fileName = "d")',
    '((fileName = "a" and fileName = "b") and fileName = "d") or modifiedDate > 2023-03-23T12:08:56Z',
  ])("round-trips %j", (text) => {
    expect(formatFilter(parseFilter(text))).toBe(text);
  });

  it("rejects invalid trees and empty groups", () => {
    expect(errorOf(() => formatFilter({ or: [] })).message).toBe('filter: an empty "or" group has no string form');
    expect(errorOf(() => formatFilter({ and: [a, { and: [] }] })).message).toBe('filter: an empty "and" group has no string form');
    expect(errorOf(() => formatFilter(c("fileSize", "EQUALS", "x"))).problems).toHaveLength(1);
  });

  it("round-trips random trees: parseFilter(formatFilter(tree)) equals tree", () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(values: readonly T[]): T => values[random(values.length)] as T;
    const nameChars = ["a", "Z", "0", " ", '"', "'", "\\", "(", ")", "=", "~", "!", "*", "?", "é", "😀", "\t", "and", "or"];
    const comparisonOf = (): Filter => {
      switch (pick(["fileName", "fileSize", "modifiedDate", "isDirectory"] as const)) {
        case "fileName": {
          const operator = pick(FILTER_OPERATORS.filter((o) => o !== "REGEX" && o !== "WILDCARD"));
          return c("fileName", operator, Array.from({ length: random(6) }, () => pick(nameChars)).join(""));
        }
        case "fileSize":
          return c("fileSize", pick(["EQUALS", "NOT_EQUALS", "LESS_THAN", "GREATER_THAN"]), String(random(1e6)));
        case "modifiedDate":
          return c(
            "modifiedDate",
            pick(["LESS_THAN", "GREATER_THAN"]),
            pick(["2023-03-23T12:08:56Z", "2023-03-23 12:08:56", "2023-03-23T12:08:56.5+05:30", "2023-03-23"]),
          );
        case "isDirectory":
          return c("isDirectory", pick(["EQUALS", "NOT_EQUALS"]), pick(["true", "FALSE"]));
      }
    };
    const treeOf = (depth: number): Filter => {
      if (depth === 0 || random(3) === 0) return comparisonOf();
      const members = Array.from({ length: 2 + random(3) }, () => treeOf(depth - 1));
      return random(2) === 0 ? { and: members } : { or: members };
    };
    for (let i = 0; i < 300; i++) {
      const tree = treeOf(4);
      const text = formatFilter(tree);
      expect(parseFilter(text), text).toEqual(tree);
      expect(() => compileFilter(text)).not.toThrow();
    }
  });
});
