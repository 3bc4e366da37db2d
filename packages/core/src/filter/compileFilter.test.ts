// Tests of compileFilter: Boomi semantics for every field and operator, groups, and every validation problem.
import { describe, expect, it } from "vitest";
import { isSftpConnectorError } from "../SftpConnectorError.js";
import { MAX_FILTER_DEPTH, compileFilter, type CompileFilterOptions } from "./compileFilter.js";
import { QUERY_FILTER_FIELDS, type Filter, type FilterEntry } from "./Filter.js";

/** 2023-03-23T12:08:56Z */
const T0 = Date.UTC(2023, 2, 23, 12, 8, 56);

function entry(overrides: Partial<FilterEntry> = {}): FilterEntry {
  return { name: "report.csv", size: 1000, mtime: T0, isDirectory: false, ...overrides };
}

function comparison(field: string, operator: string, argument: string): Filter {
  return { field, operator, argument } as Filter;
}

/** The problems of the INVALID_INPUT error compileFilter throws (failing the test on any other outcome). */
function problemsOf(filter: unknown, options?: CompileFilterOptions): string[] {
  try {
    compileFilter(filter as Filter, options);
  } catch (error) {
    if (!isSftpConnectorError(error)) throw error;
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.operation).toBe("filter");
    expect(error.retryable).toBe(false);
    if (typeof filter !== "string") expect(error.message).toBe(`Invalid filter: ${error.problems.join("; ")}`);
    return [...error.problems];
  }
  throw new Error("expected an INVALID_INPUT error");
}

describe("compileFilter semantics", () => {
  type Case = [field: string, operator: string, argument: string, entry: Partial<FilterEntry>, expected: boolean];
  const cases: Case[] = [
    // fileName: UTF-16 code unit order, case-sensitive, strict
    ["fileName", "EQUALS", "report.csv", {}, true],
    ["fileName", "EQUALS", "Report.csv", {}, false],
    ["fileName", "EQUALS", "a.txt", { name: "a.txt", relativePath: "sub/a.txt" }, true],
    ["fileName", "EQUALS", "sub/a.txt", { name: "a.txt", relativePath: "sub/a.txt" }, false],
    ["fileName", "NOT_EQUALS", "report.csv", {}, false],
    ["fileName", "NOT_EQUALS", "x", {}, true],
    ["fileName", "LESS_THAN", "report.csv", {}, false],
    ["fileName", "LESS_THAN", "s", {}, true],
    ["fileName", "LESS_THAN", "Z", {}, false],
    ["fileName", "LESS_THAN", "report.csv0", {}, true],
    ["fileName", "GREATER_THAN", "report.csv", {}, false],
    ["fileName", "GREATER_THAN", "Z", {}, true],
    ["fileName", "GREATER_THAN", "z", {}, false],
    ["fileName", "GREATER_THAN", "😀", { name: "\uFB01" }, true], // code units: U+FB01 > U+D83D (code points would say less)
    // fileName REGEX: whole name, relativePath ?? name
    ["fileName", "REGEX", ".*\\.csv", {}, true],
    ["fileName", "REGEX", "report", {}, false],
    ["fileName", "REGEX", "csv", {}, false],
    ["fileName", "REGEX", "REPORT\\.CSV", {}, false],
    ["fileName", "REGEX", "(?i)REPORT\\.CSV", {}, true],
    ["fileName", "REGEX", "sub/.*", { name: "a.txt", relativePath: "sub/a.txt" }, true],
    ["fileName", "REGEX", "a\\.txt", { name: "a.txt", relativePath: "sub/a.txt" }, false],
    // fileName WILDCARD: glob over relativePath ?? name
    ["fileName", "WILDCARD", "*.csv", {}, true],
    ["fileName", "WILDCARD", "*.txt", {}, false],
    ["fileName", "WILDCARD", "report.???", {}, true],
    ["fileName", "WILDCARD", "*.CSV", {}, false],
    ["fileName", "WILDCARD", "*.txt", { name: "a.txt", relativePath: "sub/a.txt" }, false],
    ["fileName", "WILDCARD", "*/*.txt", { name: "a.txt", relativePath: "sub/a.txt" }, true],
    ["fileName", "WILDCARD", "**.txt", { name: "a.txt", relativePath: "sub/a.txt" }, true],
    ["fileName", "WILDCARD", "{sub,other}/[a-c].txt", { name: "a.txt", relativePath: "sub/a.txt" }, true],
    // fileSize
    ["fileSize", "EQUALS", "1000", {}, true],
    ["fileSize", "EQUALS", "999", {}, false],
    ["fileSize", "EQUALS", "0", { size: 0 }, true],
    ["fileSize", "EQUALS", "007", { size: 7 }, true],
    ["fileSize", "NOT_EQUALS", "999", {}, true],
    ["fileSize", "NOT_EQUALS", "1000", {}, false],
    ["fileSize", "LESS_THAN", "1000", {}, false],
    ["fileSize", "LESS_THAN", "1001", {}, true],
    ["fileSize", "GREATER_THAN", "999", {}, true],
    ["fileSize", "GREATER_THAN", "1000", {}, false],
    ["fileSize", "GREATER_THAN", "9007199254740991", { size: 2 ** 40 }, false],
    // modifiedDate: whole seconds, strict
    ["modifiedDate", "EQUALS", "2023-03-23T12:08:56Z", {}, true],
    ["modifiedDate", "EQUALS", "2023-03-23T12:08:56Z", { mtime: T0 + 999 }, true],
    ["modifiedDate", "EQUALS", "2023-03-23T12:08:56Z", { mtime: new Date(T0 + 500) }, true],
    ["modifiedDate", "EQUALS", "2023-03-23T12:08:56Z", { mtime: T0 + 1000 }, false],
    ["modifiedDate", "EQUALS", "2023-03-23T12:08:56.235", {}, true],
    ["modifiedDate", "EQUALS", "2023-03-23T12:08:56.999999999Z", {}, true],
    ["modifiedDate", "NOT_EQUALS", "2023-03-23T12:08:55Z", {}, true],
    ["modifiedDate", "NOT_EQUALS", "2023-03-23T12:08:56Z", {}, false],
    ["modifiedDate", "LESS_THAN", "2023-03-23T12:08:57Z", {}, true],
    ["modifiedDate", "LESS_THAN", "2023-03-23T12:08:56Z", {}, false],
    ["modifiedDate", "LESS_THAN", "2023-03-23T12:08:56.900Z", { mtime: T0 + 100 }, false],
    ["modifiedDate", "GREATER_THAN", "2023-03-23T12:08:55Z", {}, true],
    ["modifiedDate", "GREATER_THAN", "2023-03-23T12:08:56Z", { mtime: T0 + 999 }, false],
    ["modifiedDate", "LESS_THAN", "2023-03-24", {}, true],
    ["modifiedDate", "GREATER_THAN", "2023-03-23", {}, true],
    ["modifiedDate", "EQUALS", "1969-12-31T23:59:59Z", { mtime: -500 }, true],
    // isDirectory
    ["isDirectory", "EQUALS", "true", { isDirectory: true }, true],
    ["isDirectory", "EQUALS", "TRUE", { isDirectory: true }, true],
    ["isDirectory", "EQUALS", "true", {}, false],
    ["isDirectory", "EQUALS", "False", {}, true],
    ["isDirectory", "NOT_EQUALS", "true", {}, true],
    ["isDirectory", "NOT_EQUALS", "false", {}, false],
  ];
  it.each(cases)("%s %s %j on %j → %s", (field, operator, argument, overrides, expected) => {
    expect(compileFilter(comparison(field, operator, argument))(entry(overrides))).toBe(expected);
  });

  it.each([
    "2023-03-23T12:08:56Z",
    "2023-03-23T12:08:56z",
    "2023-03-23t12:08:56Z",
    "2023-03-23T12:08:56",
    "2023-03-23 12:08:56",
    "2023-03-23T12:08:56.235",
    "2023-03-23T12:08:56.2Z",
    "2023-03-23T12:08:56+00:00",
    "2023-03-23T17:38:56+05:30",
    "2023-03-23T17:38:56+0530",
    "2023-03-23T17:38:56.235+05:30",
    "2023-03-23T13:08:56+01",
    "2023-03-23T04:08:56-08:00",
    "2023-03-24T00:08:56+12:00",
  ])("reads the date %j as 2023-03-23T12:08:56Z (no zone = UTC)", (date) => {
    expect(compileFilter(comparison("modifiedDate", "EQUALS", date))(entry())).toBe(true);
  });

  it("accepts Boomi's arguments array holding one value", () => {
    const accept = compileFilter({ field: "fileName", operator: "EQUALS", arguments: ["report.csv"] });
    expect(accept(entry())).toBe(true);
    expect(accept(entry({ name: "x" }))).toBe(false);
  });

  it("accepts everything without a filter, and the string syntax too", () => {
    expect(compileFilter(undefined)(entry())).toBe(true);
    const accept = compileFilter('fileName ~ "*.csv" and fileSize > 999');
    expect(accept(entry())).toBe(true);
    expect(accept(entry({ size: 999 }))).toBe(false);
    expect(accept(entry({ name: "a.txt" }))).toBe(false);
  });
});

describe("compileFilter groups", () => {
  const isCsv = comparison("fileName", "WILDCARD", "*.csv");
  const isTxt = comparison("fileName", "WILDCARD", "*.txt");
  const big = comparison("fileSize", "GREATER_THAN", "100");

  it.each<[string, Filter, Partial<FilterEntry>, boolean]>([
    ["empty and", { and: [] }, {}, true],
    ["empty or", { or: [] }, {}, false],
    ["and, all true", { and: [isCsv, big] }, {}, true],
    ["and, one false", { and: [isCsv, big] }, { size: 5 }, false],
    ["or, one true", { or: [isTxt, big] }, {}, true],
    ["or, none true", { or: [isTxt, big] }, { size: 5 }, false],
    ["nested (csv or txt) and big: txt", { and: [{ or: [isCsv, isTxt] }, big] }, { name: "a.txt" }, true],
    ["nested (csv or txt) and big: log", { and: [{ or: [isCsv, isTxt] }, big] }, { name: "a.log" }, false],
    ["nested (csv or txt) and big: small", { and: [{ or: [isCsv, isTxt] }, big] }, { size: 1 }, false],
    ["and inside or inside and", { and: [{ or: [{ and: [isTxt, big] }, isCsv] }] }, {}, true],
  ])("%s", (_, filter, overrides, expected) => {
    expect(compileFilter(filter)(entry(overrides))).toBe(expected);
  });

  it.each<[string, Filter, boolean]>([
    ["and stops at the first false", { and: [comparison("fileName", "EQUALS", "other"), big] }, false],
    ["or stops at the first true", { or: [isCsv, big] }, true],
  ])("%s", (_, filter, expected) => {
    let sizeReads = 0;
    const probe = entry();
    Object.defineProperty(probe, "size", {
      get: () => {
        sizeReads++;
        return 1000;
      },
    });
    expect(compileFilter(filter)(probe)).toBe(expected);
    expect(sizeReads).toBe(0);
  });

  it(`allows ${MAX_FILTER_DEPTH} nested groups and rejects one more, without a stack overflow even when absurdly deep`, () => {
    const nest = (levels: number): Filter => {
      let filter: Filter = isCsv;
      for (let i = 0; i < levels; i++) filter = { and: [filter] };
      return filter;
    };
    expect(compileFilter(nest(MAX_FILTER_DEPTH))(entry())).toBe(true);
    const [problem, ...more] = problemsOf(nest(MAX_FILTER_DEPTH + 1));
    expect(more).toEqual([]);
    expect(problem).toBe(`${"and[0].".repeat(MAX_FILTER_DEPTH).slice(0, -1)}: groups nested more than 64 deep`);
    expect(problemsOf(nest(200_000))).toHaveLength(1);
    const cyclic: { or: unknown[] } = { or: [] };
    cyclic.or.push(cyclic);
    expect(problemsOf(cyclic)[0]).toMatch(/groups nested more than 64 deep$/);
  });
});

describe("compileFilter validation", () => {
  const ok = comparison("fileName", "EQUALS", "a");
  const dateProblem = (date: string) => [`argument: Unable to parse date: "${date}"`];
  const sizeProblem = (size: string) => [`argument: "${size}" is not a valid file size (expected a whole number of bytes, 0 to 9007199254740991)`];
  const pattern = "Pattern type operators (regex and wildcard) are currently only supported for filenames";

  it.each<[string, unknown, string[]]>([
    // shape
    ["null", null, ['filter: expected a filter object with "field", "and" or "or", got null']],
    ["a number", 42, ['filter: expected a filter object with "field", "and" or "or", got number']],
    ["an array", [ok], ['filter: expected a filter object with "field", "and" or "or", got an array']],
    ["a function", () => true, ['filter: expected a filter object with "field", "and" or "or", got function']],
    ["an empty object", {}, ['filter: expected exactly one of "field", "and" or "or", got keys none']],
    ["a Date", new Date(0), ['filter: expected exactly one of "field", "and" or "or", got keys none']],
    ["unrelated keys", { name: "a" }, ['filter: expected exactly one of "field", "and" or "or", got keys "name"']],
    ["two shapes", { and: [], or: [] }, ['filter: expected exactly one of "field", "and" or "or", got "and" and "or"']],
    ["field and group", { field: "fileName", and: [] }, ['filter: expected exactly one of "field", "and" or "or", got "field" and "and"']],
    ["and of a string", { and: "x" }, ["and: expected an array of filters, got string"]],
    ["or of null", { or: null }, ["or: expected an array of filters, got null"]],
    ["and of an object", { and: { length: 1, 0: ok } }, ["and: expected an array of filters, got object"]],
    ["a null member", { and: [ok, null] }, ['and[1]: expected a filter object with "field", "and" or "or", got null']],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the input under test.
    ["a hole", { or: [, ok] }, ['or[0]: expected a filter object with "field", "and" or "or", got undefined']],
    ["an extra group key", { and: [], note: "x" }, ['note: unknown key (a group has only "and")']],
    ["an extra comparison key", { ...ok, argumnet: "a" }, ['argumnet: unknown key (a comparison has "field", "operator" and "argument")']],
    // field
    ["an unknown field", comparison("name", "EQUALS", "a"), ["field: Unknown property: name"]],
    ["a field in the wrong case", comparison("filename", "EQUALS", "a"), ["field: Unknown property: filename"]],
    ["a field that is no string", { field: 1, operator: "EQUALS", argument: "a" }, ["field: expected a field name, got number"]],
    ["no field value", { field: undefined, operator: "EQUALS", argument: "a" }, ["field: expected a field name, got undefined"]],
    // operator
    [
      "an unknown operator",
      comparison("fileName", "LIKE", "a"),
      ['operator: expected one of EQUALS, NOT_EQUALS, LESS_THAN, GREATER_THAN, REGEX, WILDCARD, got "LIKE"'],
    ],
    [
      "a lower-case operator",
      comparison("fileName", "equals", "a"),
      ['operator: expected one of EQUALS, NOT_EQUALS, LESS_THAN, GREATER_THAN, REGEX, WILDCARD, got "equals"'],
    ],
    [
      "no operator",
      { field: "fileName", argument: "a" },
      ["operator: expected one of EQUALS, NOT_EQUALS, LESS_THAN, GREATER_THAN, REGEX, WILDCARD, got undefined"],
    ],
    ["REGEX on fileSize", comparison("fileSize", "REGEX", "1.*"), [`operator: ${pattern}`]],
    ["WILDCARD on fileSize", comparison("fileSize", "WILDCARD", "1*"), [`operator: ${pattern}`]],
    ["REGEX on modifiedDate", comparison("modifiedDate", "REGEX", "2023.*"), [`operator: ${pattern}`]],
    ["WILDCARD on modifiedDate", comparison("modifiedDate", "WILDCARD", "2023*"), [`operator: ${pattern}`]],
    ["REGEX on isDirectory", comparison("isDirectory", "REGEX", "true"), [`operator: ${pattern}`]],
    ["WILDCARD on isDirectory", comparison("isDirectory", "WILDCARD", "t*"), [`operator: ${pattern}`]],
    ["LESS_THAN on isDirectory", comparison("isDirectory", "LESS_THAN", "true"), ["operator: isDirectory supports only EQUALS and NOT_EQUALS"]],
    ["GREATER_THAN on isDirectory", comparison("isDirectory", "GREATER_THAN", "false"), ["operator: isDirectory supports only EQUALS and NOT_EQUALS"]],
    // argument count and type (Boomi: exactly one argument)
    ["no argument", { field: "fileName", operator: "EQUALS" }, ["argument: There should be exactly one argument. '0' given."]],
    ["two arguments", { field: "fileName", operator: "EQUALS", arguments: ["a", "b"] }, ["arguments: There should be exactly one argument. '2' given."]],
    ["an empty arguments list", { field: "fileName", operator: "EQUALS", arguments: [] }, ["arguments: There should be exactly one argument. '0' given."]],
    [
      "argument and arguments",
      { field: "fileName", operator: "EQUALS", argument: "a", arguments: ["a"] },
      ['arguments: give "argument" or "arguments", not both'],
    ],
    ["arguments that is no array", { field: "fileName", operator: "EQUALS", arguments: "a" }, ["arguments: expected an array holding one string, got string"]],
    ["arguments holding a number", { field: "fileSize", operator: "EQUALS", arguments: [5] }, ["arguments[0]: expected a string, got number"]],
    ["a number argument", { field: "fileSize", operator: "EQUALS", argument: 5 }, ["argument: expected a string, got number"]],
    ["a null argument", { field: "fileName", operator: "EQUALS", argument: null }, ["argument: expected a string, got null"]],
    // argument values
    ["a word for isDirectory", comparison("isDirectory", "EQUALS", "yes"), ['argument: "yes" is not a valid boolean value']],
    ["1 for isDirectory", comparison("isDirectory", "NOT_EQUALS", "1"), ['argument: "1" is not a valid boolean value']],
    ["an empty isDirectory", comparison("isDirectory", "EQUALS", ""), ['argument: "" is not a valid boolean value']],
    ["a bad value in arguments", { field: "isDirectory", operator: "EQUALS", arguments: ["no"] }, ['arguments[0]: "no" is not a valid boolean value']],
    ["a negative size", comparison("fileSize", "LESS_THAN", "-1"), sizeProblem("-1")],
    ["a fractional size", comparison("fileSize", "EQUALS", "1.5"), sizeProblem("1.5")],
    ["a word size", comparison("fileSize", "EQUALS", "abc"), sizeProblem("abc")],
    ["an empty size", comparison("fileSize", "EQUALS", ""), sizeProblem("")],
    ["a padded size", comparison("fileSize", "EQUALS", " 1"), sizeProblem(" 1")],
    ["an exponent size", comparison("fileSize", "EQUALS", "1e3"), sizeProblem("1e3")],
    ["a size past 2^53", comparison("fileSize", "EQUALS", "9007199254740992"), sizeProblem("9007199254740992")],
    ["February 30", comparison("modifiedDate", "EQUALS", "2023-02-30T00:00:00Z"), dateProblem("2023-02-30T00:00:00Z")],
    ["month 13", comparison("modifiedDate", "EQUALS", "2023-13-01T00:00:00Z"), dateProblem("2023-13-01T00:00:00Z")],
    ["hour 24", comparison("modifiedDate", "EQUALS", "2023-03-23T24:00:00Z"), dateProblem("2023-03-23T24:00:00Z")],
    ["minute 60", comparison("modifiedDate", "EQUALS", "2023-03-23T12:60:00Z"), dateProblem("2023-03-23T12:60:00Z")],
    ["second 60", comparison("modifiedDate", "EQUALS", "2023-03-23T12:08:60Z"), dateProblem("2023-03-23T12:08:60Z")],
    ["no seconds", comparison("modifiedDate", "EQUALS", "2023-03-23T12:08"), dateProblem("2023-03-23T12:08")],
    ["a zone hour of 24", comparison("modifiedDate", "EQUALS", "2023-03-23T12:08:56+24:00"), dateProblem("2023-03-23T12:08:56+24:00")],
    ["a zone minute of 60", comparison("modifiedDate", "EQUALS", "2023-03-23T12:08:56+05:60"), dateProblem("2023-03-23T12:08:56+05:60")],
    ["a named zone", comparison("modifiedDate", "EQUALS", "2023-03-23T12:08:56 UTC"), dateProblem("2023-03-23T12:08:56 UTC")],
    ["a zone on a date alone", comparison("modifiedDate", "EQUALS", "2023-03-23Z"), dateProblem("2023-03-23Z")],
    ["a day-first date", comparison("modifiedDate", "EQUALS", "23/03/2023"), dateProblem("23/03/2023")],
    ["epoch seconds", comparison("modifiedDate", "EQUALS", "1679573336"), dateProblem("1679573336")],
    ["an empty date", comparison("modifiedDate", "EQUALS", ""), dateProblem("")],
    ["an invalid regex", comparison("fileName", "REGEX", "(a"), ['argument: Invalid regex "(a": missing ")" at position 1']],
    ["a backreference", comparison("fileName", "REGEX", "(a)\\1"), ['argument: Invalid regex "(a)\\1": backreferences are not supported at position 4']],
    ["a long regex", comparison("fileName", "REGEX", "a".repeat(1001)), ["argument: Invalid regex: longer than 1000 characters (1001)"]],
    ["an invalid wildcard", comparison("fileName", "WILDCARD", "[abc"), ['argument: Invalid wildcard "[abc": missing "]" at position 1']],
    ["a long wildcard", comparison("fileName", "WILDCARD", "*".repeat(1001)), ["argument: Invalid wildcard: longer than 1000 characters (1001)"]],
  ])("rejects %s", (_, filter, problems) => {
    expect(problemsOf(filter)).toEqual(problems);
  });

  it("names the path of a problem deep in the tree", () => {
    const filter = { and: [ok, { or: [ok, { field: "fileName", operator: "BAD", argument: "x" }] }] };
    expect(problemsOf(filter)).toEqual(['and[1].or[1].operator: expected one of EQUALS, NOT_EQUALS, LESS_THAN, GREATER_THAN, REGEX, WILDCARD, got "BAD"']);
  });

  it("collects every problem into one error", () => {
    const filter = {
      or: [
        comparison("size", "EQUALS", "1"),
        { and: [comparison("fileSize", "REGEX", "x"), comparison("modifiedDate", "EQUALS", "soon")] },
        { field: 1, operator: 2 },
      ],
    };
    expect(problemsOf(filter)).toEqual([
      "or[0].field: Unknown property: size",
      `or[1].and[0].operator: ${pattern}`,
      'or[1].and[1].argument: Unable to parse date: "soon"',
      "or[2].field: expected a field name, got number",
      "or[2].operator: expected one of EQUALS, NOT_EQUALS, LESS_THAN, GREATER_THAN, REGEX, WILDCARD, got number",
      "or[2].argument: There should be exactly one argument. '0' given.",
    ]);
  });

  it("reports a bad argument and a bad operator together", () => {
    expect(problemsOf(comparison("isDirectory", "LESS_THAN", "maybe"))).toEqual([
      "operator: isDirectory supports only EQUALS and NOT_EQUALS",
      'argument: "maybe" is not a valid boolean value',
    ]);
  });

  it("restricts fields with allowedFields (QUERY has no isDirectory)", () => {
    const isDirectory = comparison("isDirectory", "EQUALS", "true");
    expect(compileFilter(isDirectory)(entry({ isDirectory: true }))).toBe(true);
    expect(problemsOf({ or: [ok, isDirectory] }, { allowedFields: QUERY_FILTER_FIELDS })).toEqual([
      "or[1].field: Unknown property: isDirectory (not available here; use fileName, fileSize, modifiedDate)",
    ]);
    expect(compileFilter(ok, { allowedFields: QUERY_FILTER_FIELDS })(entry({ name: "a" }))).toBe(true);
  });

  it("passes the string syntax's own errors through", () => {
    expect(problemsOf("fileName ~")[0]).toBe("filter: expected a value at column 11, found end of input");
    expect(problemsOf("fileSize > abc")).toEqual(['argument: "abc" is not a valid file size (expected a whole number of bytes, 0 to 9007199254740991)']);
  });
});
