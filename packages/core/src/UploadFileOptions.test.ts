// The option checks CREATE and UPSERT share: switches, onProgress and retry, the first problem thrown naming its field.
import { describe, expect, it } from "vitest";
import { isSftpConnectorError } from "./SftpConnectorError.js";
import { checkUploadOptions, MISSING_FILE_NAME_MESSAGE } from "./UploadFileOptions.js";

/** The message of what `check` throws, with its reason and operation. */
function thrown(check: () => unknown): { reason: string; message: string; operation: string | undefined } {
  try {
    check();
  } catch (error) {
    if (isSftpConnectorError(error)) return { reason: error.reason, message: error.message, operation: error.operation };
    throw error;
  }
  throw new Error("expected an INVALID_INPUT error");
}

describe("checkUploadOptions", () => {
  it("gives every switch as a boolean (undefined and null are false) and retry's defaults", () => {
    const checked = checkUploadOptions({ append: true, createDir: null as never }, ["append", "createDir", "allowAbsolutePaths"], "upsert");
    const { logger, ...rest } = checked;
    expect(rest).toEqual({ append: true, createDir: false, allowAbsolutePaths: false, retry: { attempts: 1, backoffMs: 1_000 }, connections: 1 });
    expect(typeof logger.warn).toBe("function");
    expect(checkUploadOptions({ retry: { attempts: 0 } }, [], "create").retry).toEqual({ attempts: 0, backoffMs: 1_000 });
  });

  it("throws the first problem, in the order switches, onProgress, retry", () => {
    const options = { append: "yes", onProgress: 5, retry: { attempts: -1 } } as never;
    expect(thrown(() => checkUploadOptions(options, ["append"], "upsert"))).toEqual({
      reason: "INVALID_INPUT",
      message: 'append: expected true or false, got "yes"',
      operation: "upsert",
    });
    expect(thrown(() => checkUploadOptions(options, [], "create")).message).toBe("onProgress: expected a function");
    expect(thrown(() => checkUploadOptions({ retry: { attempts: -1, backoffMs: -1 } }, [], "create")).message).toBe(
      "retry.attempts: expected an integer of 0 or more, got -1",
    );
    expect(thrown(() => checkUploadOptions({ retry: 3 as never }, [], "create")).message).toBe("retry: expected an object { attempts, backoffMs }, got 3");
  });

  it("takes connections from 1 to 64 and names the field otherwise", () => {
    expect(checkUploadOptions({ connections: 4 }, [], "create").connections).toBe(4);
    for (const bad of [0, 1.5, 65, "4", Number.NaN]) {
      expect(thrown(() => checkUploadOptions({ connections: bad as never }, [], "create")).message).toMatch(
        /^connections: expected an integer from 1 to 64, got /,
      );
    }
  });

  it("has Boomi's message for a blank file name", () => {
    expect(MISSING_FILE_NAME_MESSAGE).toBe(
      "the 'File Name' input document property is required, and must contain a non-blank value. This property contains the name of the file to upload.",
    );
  });
});
