import { describe, expect, it } from "vitest";
import { checkOptions, closestName } from "./checkOptions.js";
import { SftpConnectorError } from "./SftpConnectorError.js";

const LIST = { known: ["count", "recursive", "depth", "filter"], aliases: { recursiveList: "recursive" }, operation: "list" } as const;

function failure(run: () => unknown): SftpConnectorError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SftpConnectorError);
    return error as SftpConnectorError;
  }
  throw new Error("expected a failure");
}

describe("checkOptions", () => {
  it("returns the very object when every key is known, and {} for undefined", () => {
    const options = { count: 3, recursive: true };
    expect(checkOptions(options, LIST)).toBe(options);
    expect(checkOptions(undefined, LIST)).toEqual({});
  });

  it("refuses an unknown key, naming it and the closest known one, in exactly this form", () => {
    const error = failure(() => checkOptions({ recursiveList: true }, { known: ["count", "recursive"], operation: "list" }));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.operation).toBe("list");
    expect(error.message).toBe('unknown option "recursiveList"; did you mean "recursive"?');
    expect(error.problems).toEqual(['unknown option "recursiveList"; did you mean "recursive"?']);
  });

  it("suggests only a close name", () => {
    expect(failure(() => checkOptions({ recursiv: true }, LIST)).message).toBe('unknown option "recursiv"; did you mean "recursive"?');
    expect(failure(() => checkOptions({ Count: 1 }, LIST)).message).toBe('unknown option "Count"; did you mean "count"?');
    expect(failure(() => checkOptions({ zzz: 1 }, LIST)).message).toBe('unknown option "zzz"');
    expect(failure(() => checkOptions({ mode: 1 }, LIST)).message).toBe('unknown option "mode"');
  });

  it("counts aliases as known, also for suggestions", () => {
    expect(failure(() => checkOptions({ recursiveLst: true }, LIST)).message).toBe('unknown option "recursiveLst"; did you mean "recursiveList"?');
  });

  it("lists every unknown key at once", () => {
    const error = failure(() => checkOptions({ cont: 1, fillter: "x" }, LIST));
    expect(error.problems).toEqual(['unknown option "cont"; did you mean "count"?', 'unknown option "fillter"; did you mean "filter"?']);
    expect(error.message).toBe(
      'Invalid input to list:\n  - unknown option "cont"; did you mean "count"?\n  - unknown option "fillter"; did you mean "filter"?',
    );
  });

  it("accepts unknown keys whose value is undefined, and known keys set to undefined", () => {
    expect(checkOptions({ count: undefined, typo: undefined }, LIST)).toEqual({ count: undefined, typo: undefined });
  });

  it("maps an alias to our name, leaving the caller's object untouched", () => {
    const options = { recursiveList: true, count: 2 };
    const checked = checkOptions(options as { recursive?: boolean; count?: number }, LIST);
    expect(checked).toEqual({ recursive: true, count: 2 });
    expect(options).toEqual({ recursiveList: true, count: 2 });
  });

  it("accepts an alias and our name with the same value", () => {
    expect(checkOptions({ recursiveList: true, recursive: true }, LIST)).toEqual({ recursive: true });
    expect(checkOptions({ recursiveList: true, recursive: undefined }, LIST)).toEqual({ recursive: true });
  });

  it("refuses an alias and our name with different values, naming both", () => {
    const error = failure(() => checkOptions({ recursiveList: true, recursive: false }, LIST));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toBe('"recursiveList" and "recursive" name the same option, "recursive", with different values (true and false); give one');
  });

  it("refuses two aliases of one name with different values, naming both", () => {
    const spec = { known: ["createDirectories"], aliases: { createDir: "createDirectories", mkdirs: "createDirectories" }, operation: "upsert" };
    expect(failure(() => checkOptions({ createDir: true, mkdirs: false }, spec)).message).toBe(
      '"mkdirs" and "createDir" name the same option, "createDirectories", with different values (false and true); give one',
    );
  });

  it("refuses a non-object", () => {
    for (const [value, shown] of [
      [null, "null"],
      ["x", '"x"'],
      [[], "an array"],
      [3, "3"],
    ] as const) {
      const error = failure(() => checkOptions(value as never, LIST));
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toBe(`options: expected an object, got ${shown}`);
    }
    expect(failure(() => checkOptions(null as never, { ...LIST, field: "input", expected: "an object { remoteDirectory? }" })).message).toBe(
      "input: expected an object { remoteDirectory? }, got null",
    );
  });

  it("words problems with `what`, and throws INVALID_CONFIG when told", () => {
    const error = failure(() =>
      checkOptions({ lgger: {} }, { known: ["logger"], operation: "createSftpConnector", what: "connector option", reason: "INVALID_CONFIG" }),
    );
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.message).toBe('unknown connector option "lgger"; did you mean "logger"?');
  });

  it("pushes problems instead of throwing when given a list", () => {
    const problems: string[] = ["earlier"];
    expect(checkOptions({ cont: 1, recursiveList: true }, LIST, problems)).toEqual({ cont: 1, recursive: true });
    expect(problems).toEqual(["earlier", 'unknown option "cont"; did you mean "count"?']);
    expect(checkOptions(null as never, LIST, problems)).toEqual({});
    expect(problems).toHaveLength(3);
  });
});

describe("closestName", () => {
  it("finds the closest candidate within a reasonable distance", () => {
    expect(closestName("recursiveList", ["count", "recursive"])).toBe("recursive");
    expect(closestName("pollingInterval", ["pollingIntervalMs", "pattern"])).toBe("pollingIntervalMs");
    expect(closestName("includeAll", ["includeAllMetadata", "append"])).toBe("includeAllMetadata");
    expect(closestName("deleteAftr", ["deleteAfter", "failDeleteAfter"])).toBe("deleteAfter");
    expect(closestName("fiel", ["fileName"])).toBeUndefined();
    expect(closestName("as", ["ids"])).toBeUndefined();
    expect(closestName("abc", [])).toBeUndefined();
  });

  it("prefers the fewest edits, then the first candidate", () => {
    expect(closestName("coutn", ["count", "mount"])).toBe("count");
    expect(closestName("bat", ["cat", "hat"])).toBe("cat");
  });
});
