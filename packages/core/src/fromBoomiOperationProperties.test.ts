import { describe, expect, it } from "vitest";
import { fromBoomiOperationProperties, BOOMI_OPERATIONS, type BoomiOperation } from "./fromBoomiOperationProperties.js";
import { SftpConnectorError } from "./SftpConnectorError.js";

function failure(run: () => unknown): SftpConnectorError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SftpConnectorError);
    expect((error as SftpConnectorError).reason).toBe("INVALID_INPUT");
    expect((error as SftpConnectorError).operation).toBe("fromBoomiOperationProperties");
    return error as SftpConnectorError;
  }
  throw new Error("expected a failure");
}

describe("fromBoomiOperationProperties", () => {
  it("GET: the same names, strings or booleans", () => {
    expect(fromBoomiOperationProperties("GET", { deleteAfter: "true", failDeleteAfter: "FALSE", includeAllMetadata: true })).toEqual({
      deleteAfter: true,
      failDeleteAfter: false,
      includeAllMetadata: true,
    });
  });

  it("CREATE: the action enum (case-insensitive), the texts trimmed, blanks left out", () => {
    expect(
      fromBoomiOperationProperties("CREATE", {
        actionIfFileExists: "force_unique_names",
        stagingDirectory: " staging ",
        tempExtension: "",
        targetFileName: "$BASE_$DATE.$EXTENSION",
        tempFileName: null,
        includeAllMetadata: "true",
      }),
    ).toEqual({ actionIfFileExists: "FORCE_UNIQUE_NAMES", stagingDirectory: "staging", targetFileName: "$BASE_$DATE.$EXTENSION", includeAllMetadata: true });
  });

  it("UPSERT: createDir and includeAll become createDirectories and includeAllMetadata", () => {
    expect(fromBoomiOperationProperties("UPSERT", { append: "false", createDir: "true", includeAll: "true" })).toEqual({
      append: false,
      createDirectories: true,
      includeAllMetadata: true,
    });
  });

  it("DELETE has no property", () => {
    expect(fromBoomiOperationProperties("DELETE", {})).toEqual({});
    expect(failure(() => fromBoomiOperationProperties("DELETE", { deleteAfter: "true" })).message).toBe('unknown property "deleteAfter"');
  });

  it("LIST: count as a string, -1 meaning no limit; recursiveList becomes recursive", () => {
    expect(fromBoomiOperationProperties("LIST", { count: "-1", recursiveList: "true" })).toEqual({ count: -1, recursive: true });
    expect(fromBoomiOperationProperties("LIST", { count: 25 })).toEqual({ count: 25 });
  });

  it("QUERY: count and includeAllMetadata; recursiveList is checked and dropped (no effect in Boomi's QUERY)", () => {
    expect(fromBoomiOperationProperties("QUERY", { count: "3", includeAllMetadata: "false", recursiveList: "true" })).toEqual({
      count: 3,
      includeAllMetadata: false,
    });
    expect(failure(() => fromBoomiOperationProperties("QUERY", { recursiveList: "yes" })).message).toBe('recursiveList: expected true or false, got "yes"');
  });

  it("LISTEN: pollingInterval (ms) becomes pollingIntervalMs; isSingleton", () => {
    expect(fromBoomiOperationProperties("LISTEN", { pollingInterval: "60000", isSingleton: "true" })).toEqual({ pollingIntervalMs: 60000, isSingleton: true });
    expect(failure(() => fromBoomiOperationProperties("LISTEN", { pollingInterval: "50" })).message).toBe(
      'pollingInterval: expected a whole number of milliseconds of at least 100, got "50" (Boomi allowed it; LISTEN polls at most every 100 ms)',
    );
    expect(failure(() => fromBoomiOperationProperties("LISTEN", { pollingInterval: "-1" })).message).toBe(
      'pollingInterval: expected a whole number of milliseconds of at least 100, got "-1"',
    );
  });

  it("refuses an unknown property id, naming the closest known one", () => {
    expect(failure(() => fromBoomiOperationProperties("LIST", { recursive: "true" })).message).toBe(
      'unknown property "recursive"; did you mean "recursiveList"?',
    );
    expect(failure(() => fromBoomiOperationProperties("LISTEN", { pollingIntervalMs: "100" })).message).toBe(
      'unknown property "pollingIntervalMs"; did you mean "pollingInterval"?',
    );
    expect(failure(() => fromBoomiOperationProperties("UPSERT", { createDirectories: "true" })).message).toBe(
      'unknown property "createDirectories"; did you mean "createDir"?',
    );
  });

  it("names the field of every bad value, all at once", () => {
    const error = failure(() =>
      fromBoomiOperationProperties("CREATE", { actionIfFileExists: "SKIP", stagingDirectory: 5, includeAllMetadata: "maybe", tempExtention: ".x" }),
    );
    expect(error.problems).toEqual([
      'unknown property "tempExtention"; did you mean "tempExtension"?',
      'actionIfFileExists: expected one of ERROR, OVERWRITE, APPEND, FORCE_UNIQUE_NAMES, got "SKIP"',
      "stagingDirectory: expected a string, got 5",
      'includeAllMetadata: expected true or false, got "maybe"',
    ]);
    expect(failure(() => fromBoomiOperationProperties("LIST", { count: "0" })).message).toBe("count: Limit must be positive or -1 (given: 0)");
    expect(failure(() => fromBoomiOperationProperties("QUERY", { count: "ten" })).message).toBe('count: expected a whole number (-1 for no limit), got "ten"');
  });

  it("refuses an unknown operation and properties that are not an object", () => {
    expect(failure(() => fromBoomiOperationProperties("PUT" as BoomiOperation, {})).message).toBe(
      'operation: expected one of GET, CREATE, UPSERT, DELETE, LIST, QUERY, LISTEN, got "PUT"',
    );
    expect(failure(() => fromBoomiOperationProperties("GET", null as never)).message).toBe("properties: expected an object, got null");
    expect(BOOMI_OPERATIONS).toHaveLength(7);
  });
});
