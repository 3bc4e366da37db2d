// The result of CREATE and UPSERT: Boomi's response document (name, directory, optional timestamp) and status message.
import { describe, expect, it } from "vitest";
import { formatTimestamp } from "./FileDocument.js";
import { buildUploadResult, FILE_CREATED_MESSAGE } from "./buildUploadResult.js";

const modifiedAt = new Date(2024, 1, 29, 13, 5, 7);

describe("buildUploadResult", () => {
  it("names the file and its directory, with Boomi's message", () => {
    const result = buildUploadResult({ path: "/data/in/a.txt", bytesWritten: 5 });
    expect(result).toEqual({
      response: { fileName: "a.txt", remoteDirectory: "/data/in" },
      message: "Created the file successfully",
      path: "/data/in/a.txt",
      bytesWritten: 5,
    });
    expect(FILE_CREATED_MESSAGE).toBe("Created the file successfully");
  });

  it("adds the file's mtime as Boomi's timestamp when given", () => {
    const result = buildUploadResult({ path: "/a.txt", bytesWritten: 0 }, { modifiedAt });
    expect(result.response).toEqual({ fileName: "a.txt", remoteDirectory: "/", timestamp: formatTimestamp(modifiedAt) });
    expect(result.response.timestamp).toBe("2024-02-29 13:05:07.000");
  });
});
