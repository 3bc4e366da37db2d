import { describe, expect, it } from "vitest";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import type { SftpSession } from "@sftp-connector/transport";
import { cleanTemporaryFiles, parseOlderThan, type CleanTemporaryFilesOptions } from "./index.js";

/** A session that fails the test if any request reaches it. */
const untouchable = new Proxy({} as SftpSession, {
  get(_target, property) {
    if (property === "then") return undefined;
    throw new Error(`unexpected request: ${String(property)}`);
  },
});

async function refusal(options: unknown): Promise<SftpConnectorError> {
  const error = await cleanTemporaryFiles(untouchable, options as CleanTemporaryFilesOptions).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSftpConnectorError(error)) throw new Error(`expected an SftpConnectorError, got ${String(error)}`);
  return error;
}

describe("parseOlderThan", () => {
  it.each([
    [1, 1],
    [3_600_000, 3_600_000],
    ["250ms", 250],
    ["90s", 90_000],
    ["1.5m", 90_000],
    ["1h", 3_600_000],
    [" 2d ", 172_800_000],
  ])("%j is %d ms", (value, ms) => {
    expect(parseOlderThan(value)).toBe(ms);
  });

  it.each([undefined, 0, -5, Number.NaN, Number.POSITIVE_INFINITY, "", "1", "0h", "1w", "1 hour", "h", true, {}])("refuses %j naming olderThan", (value) => {
    expect(() => parseOlderThan(value)).toThrow(/^olderThan: expected a number of ms or a duration/u);
  });

  it("says a missing olderThan is required, and suggests a unit for a bare number", () => {
    expect(() => parseOlderThan(undefined)).toThrow("it is required, so that uploads in progress are never removed");
    expect(() => parseOlderThan("60")).toThrow('got "60": give the unit ("60s"? "60m"?)');
  });
});

describe("cleanTemporaryFiles: options are checked before any request", () => {
  it("refuses a missing olderThan (there is no default that could remove an upload in progress)", async () => {
    const error = await refusal({});
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.problems[0]).toMatch(/^olderThan: .*it is required/u);
    expect((await refusal(undefined)).reason).toBe("INVALID_INPUT");
  });

  it("names every problem at once, and the closest known option", async () => {
    const error = await refusal({ olderThan: "soon", dryrun: true, recursive: "yes", remoteDirectory: 3, retry: { attempts: -1 }, logger: 5 });
    expect(error.problems).toEqual([
      'unknown option "dryrun"; did you mean "dryRun"?',
      'olderThan: expected a number of ms or a duration such as "30m", "1h" or "2d" (more than 0), got "soon"',
      "remoteDirectory: expected a path without NUL characters, got 3",
      'recursive: expected true or false, got "yes"',
      expect.stringMatching(/^retry\.attempts: /u),
      "logger: expected an object with debug, info, warn and error methods",
    ]);
  });

  it("refuses a bad signal, and does nothing at all with an aborted one", async () => {
    expect((await refusal({ olderThan: "1h", signal: "stop" })).message).toMatch(/signal: expected an AbortSignal/u);
    const error = await refusal({ olderThan: "1h", signal: AbortSignal.abort() });
    expect(error.reason).toBe("ABORTED");
  });
});
