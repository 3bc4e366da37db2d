// Unit tests of UPSERT's input checks: bad input is refused before anything touches the server.
import { describe, expect, it } from "vitest";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import type { SftpSession } from "@sftp-connector/transport";
import { rejectionOf } from "@sftp-connector/testkit";
import { upsertFile, MISSING_FILE_NAME_MESSAGE, type UpsertFileOptions } from "./index.js";

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
