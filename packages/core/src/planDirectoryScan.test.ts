// The options LIST and QUERY share: defaults, every problem named at once in a fixed order, the operation's own checks in between.
import { describe, expect, it } from "vitest";
import { LIST_FILTER_FIELDS, QUERY_FILTER_FIELDS } from "./filter/Filter.js";
import { isSftpConnectorError } from "./SftpConnectorError.js";
import { silentLogger } from "./Logger.js";
import { planDirectoryScan, type DirectoryScanOptions } from "./planDirectoryScan.js";

interface ScanOptions extends DirectoryScanOptions {
  mode?: "fast" | "slow";
  onEntry?: () => void;
}

/** A scan with one option of its own (`mode`, checked between depth and retry) and one callback. */
function plan(input: unknown, options: unknown) {
  return planDirectoryScan(input as { remoteDirectory?: string }, options as ScanOptions, {
    operation: "scan",
    allowedFields: QUERY_FILTER_FIELDS,
    switches: ["recursive", "followSymlinks"],
    callbacks: ["onEntry"],
    ownOptions: ["mode"],
    aliases: { recursiveList: "recursive" },
    checkOwn: (opts, report) => {
      const mode = opts.mode ?? "fast";
      if (mode !== "fast" && mode !== "slow") report("mode", '"fast" or "slow"', mode);
      return { mode };
    },
  });
}

function refusal(input: unknown, options: unknown): { message: string; problems: readonly string[] } {
  try {
    plan(input, options);
  } catch (error) {
    if (isSftpConnectorError(error) && error.reason === "INVALID_INPUT" && error.operation === "scan") return error;
    throw error;
  }
  throw new Error("expected INVALID_INPUT");
}

describe("planDirectoryScan", () => {
  it("fills in the defaults, and the operation's own options", () => {
    const scan = plan(undefined, undefined);
    expect(scan).toMatchObject({ remoteDirectory: undefined, count: -1, depth: 0, followSymlinks: false, attempts: 1, backoffMs: 1_000, mode: "fast" });
    expect(scan.logger).toBe(silentLogger);
    expect(scan.accept({ name: "a", size: 1, mtime: 0, isDirectory: false })).toBe(true);
  });

  it("keeps given values; recursive is depth 1 unless depth says otherwise", () => {
    expect(plan({ remoteDirectory: "in" }, { recursive: true, count: 3, retry: { attempts: 0, backoffMs: 5 }, mode: "slow" })).toMatchObject({
      remoteDirectory: "in",
      depth: 1,
      count: 3,
      attempts: 0,
      backoffMs: 5,
      mode: "slow",
    });
    expect(plan({}, { recursive: true, depth: Infinity }).depth).toBe(Infinity);
  });

  it("compiles the filter over the allowed fields", () => {
    const { accept } = plan({}, { filter: 'fileName ~ "*.csv"' });
    expect(accept({ name: "a.csv", size: 1, mtime: 0, isDirectory: false })).toBe(true);
    expect(accept({ name: "a.txt", size: 1, mtime: 0, isDirectory: false })).toBe(false);
    expect(refusal({}, { filter: "isDirectory = true" }).message).toContain("Unknown property: isDirectory");
    expect(() =>
      planDirectoryScan({}, { filter: "isDirectory = true" }, { operation: "list", allowedFields: LIST_FILTER_FIELDS, switches: [], checkOwn: () => ({}) }),
    ).not.toThrow();
  });

  it("names every problem at once: shared ones, then the operation's own before retry, callbacks after", () => {
    const { message, problems } = refusal(
      { remoteDirectory: "a\0b" },
      {
        count: 0,
        recursive: "yes",
        depth: -1,
        mode: "warp",
        retry: { attempts: 1.5, backoffMs: -1 },
        onEntry: 3,
        filter: { field: "fileSize", operator: "EQUALS" },
      },
    );
    expect(problems.slice(0, 8)).toEqual([
      'remoteDirectory: expected a path without NUL characters, got "a\\u0000b"',
      "count: Limit must be positive or -1 (given: 0)",
      'recursive: expected true or false, got "yes"',
      "depth: expected a whole number of at least 0 or Infinity, got -1",
      'mode: expected "fast" or "slow", got "warp"',
      "retry.attempts: expected a whole number of at least 0, got 1.5",
      "retry.backoffMs: expected a number of ms of at least 0, got -1",
      "onEntry: expected a function, got 3",
    ]);
    expect(problems[8]).toMatch(/^filter/);
    expect(message).toBe(`Invalid scan request: ${problems.join("; ")}`);
  });

  it("shows objects by kind and refuses a count that is no whole number", () => {
    expect(refusal({}, { count: "5", followSymlinks: {} }).problems).toEqual([
      'count: expected a whole number, got "5"',
      "followSymlinks: expected true or false, got an object",
    ]);
  });

  it("refuses unknown keys of input and options first, naming the closest known one", () => {
    const { message, problems } = refusal({ remoteDir: "in" }, { recursivly: true, mode: "slow", onEntry: () => {}, count: 0 });
    expect(problems).toEqual([
      'unknown input field "remoteDir"; did you mean "remoteDirectory"?',
      'unknown option "recursivly"; did you mean "recursive"?',
      "count: Limit must be positive or -1 (given: 0)",
    ]);
    expect(message).toBe(`Invalid scan request: ${problems.join("; ")}`);
    expect(refusal({}, { recursiveLst: true }).problems).toEqual(['unknown option "recursiveLst"; did you mean "recursiveList"?']);
  });

  it("refuses input and options that are not objects", () => {
    expect(refusal(null, "all").problems).toEqual(["input: expected an object, got null", 'options: expected an object, got "all"']);
  });

  it("maps an alias to our name, and refuses both with different values", () => {
    expect(plan({}, { recursiveList: true }).depth).toBe(1);
    expect(plan({}, { recursiveList: true, recursive: true }).depth).toBe(1);
    expect(refusal({}, { recursiveList: true, recursive: false }).problems).toEqual([
      '"recursiveList" and "recursive" name the same option, "recursive", with different values (true and false); give one',
    ]);
  });

  it("an operation without ownOptions accepts only the shared options, its switches and callbacks", () => {
    const scan = (options: object) =>
      planDirectoryScan({}, options as DirectoryScanOptions, {
        operation: "list",
        allowedFields: LIST_FILTER_FIELDS,
        switches: ["recursive"],
        checkOwn: () => ({}),
      });
    expect(() => scan({ count: 1, recursive: true, depth: 2, filter: undefined, followSymlinks: false, retry: {}, logger: undefined })).not.toThrow();
    expect(() => scan({ mode: "slow" })).toThrow('Invalid list request: unknown option "mode"');
  });
});
