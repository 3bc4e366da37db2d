// Unit tests of UPSERT's input checks: bad input is refused before anything touches the server.
import { describe, expect, it } from "vitest";
import { checkOptions, isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import type { SftpSession } from "@sftp-connector/transport";
import { rejectionOf } from "@sftp-connector/testkit";
import { upsertFile, MISSING_FILE_NAME_MESSAGE, type UpsertFileOptions } from "./index.js";
import { UPSERT_OPTIONS_SPEC } from "./upsertFile.js";

const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

/** A target that fails the test if anything touches it. */
const untouchable = new Proxy({} as SftpSession, {
  get(_target, property) {
    if (property === "acquire" || property === "release" || property === "then") return undefined;
    throw new Error(`the server was touched: ${String(property)}`);
  },
});

describe("upsertFile: bad input is refused before the server is touched", () => {
  it("a blank fileName gives Boomi's message", async () => {
    for (const fileName of ["", " \t ", null as unknown as string]) {
      const error = await failure(upsertFile(untouchable, { content: "x", fileName }));
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toBe(MISSING_FILE_NAME_MESSAGE);
    }
  });

  it("bad options and content name the field", async () => {
    const cases: Array<[UpsertFileOptions, string]> = [
      [{ append: "yes" as never }, "append"],
      [{ createDir: 1 as never }, "createDir"],
      [{ includeAll: "true" as never }, "includeAll"],
      [{ retry: { attempts: 1.5 } }, "retry.attempts"],
    ];
    for (const [options, field] of cases) {
      const error = await failure(upsertFile(untouchable, { content: "x", fileName: "a.txt" }, options));
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toContain(field);
    }
    const missing = await failure(upsertFile(untouchable, { content: { path: "/no/such.bin" }, fileName: "a.txt" }));
    expect(missing.message).toContain("content.path");
  });
});

describe("upsertFile: strict options, CREATE's names and Boomi's ids", () => {
  it("refuses an unknown option or input field before the server is touched, naming the closest known one", async () => {
    const unknown = await failure(upsertFile(untouchable, { content: "x", fileName: "a.txt" }, { apend: true } as never));
    expect(unknown.reason).toBe("INVALID_INPUT");
    expect(unknown.message).toBe('unknown option "apend"; did you mean "append"?');
    const field = await failure(upsertFile(untouchable, { content: "x", fileName: "a.txt", stagingDirectory: "s" } as never));
    expect(field.message).toBe('unknown input field "stagingDirectory"');
    expect((await failure(upsertFile(untouchable, { content: "x", fileName: "a.txt" }, null as never))).message).toBe("options: expected an object, got null");
  });

  it("takes createDir and includeAll (Boomi's ids) for createDirectories and includeAllMetadata", () => {
    expect(checkOptions({ createDir: true, includeAll: false, append: true }, UPSERT_OPTIONS_SPEC)).toEqual({
      createDirectories: true,
      includeAllMetadata: false,
      append: true,
    });
    const ours = { createDirectories: true, includeAllMetadata: true };
    expect(checkOptions(ours, UPSERT_OPTIONS_SPEC)).toBe(ours);
  });

  it("refuses an alias and our name with different values, naming both", async () => {
    const error = await failure(upsertFile(untouchable, { content: "x", fileName: "a.txt" }, { createDir: true, createDirectories: false }));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toBe(
      '"createDir" and "createDirectories" name the same option, "createDirectories", with different values (true and false); give one',
    );
  });

  it("checks a bad value given under an alias like one given under our name", async () => {
    const error = await failure(upsertFile(untouchable, { content: "x", fileName: "a.txt" }, { includeAll: "yes" as never }));
    expect(error.message).toBe('includeAllMetadata: expected true or false, got "yes"');
  });
});
