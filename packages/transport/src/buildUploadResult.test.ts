// The result of CREATE and UPSERT: Boomi's response document (name, directory, optional timestamp) and status message.
import { describe, expect, it } from "vitest";
import { formatTimestamp } from "@sftp-connector/core";
import type { FileStats, SftpSession } from "./SftpSession.js";
import { buildUploadResult, FILE_CREATED_MESSAGE } from "./buildUploadResult.js";

const modifiedAt = new Date(2024, 1, 29, 13, 5, 7);

/** A session whose lstat answers with `modifiedAt` and records the paths asked about. */
function lstatSession(): { session: SftpSession; asked: string[] } {
  const asked: string[] = [];
  const session = {
    lstat: async (path: string) => {
      asked.push(path);
      return { modifiedAt } as FileStats;
    },
  } as unknown as SftpSession;
  return { session, asked };
}

const retry = { attempts: 1, backoffMs: 0 };

describe("buildUploadResult", () => {
  it("names the file and its directory, with Boomi's message, without asking the server", async () => {
    const { session, asked } = lstatSession();
    const result = await buildUploadResult(session, { path: "/data/in/a.txt", bytesWritten: 5 }, { includeTimestamp: false, retry, operation: "create" });
    expect(result).toEqual({ response: { fileName: "a.txt", remoteDirectory: "/data/in" }, message: "Created the file successfully", path: "/data/in/a.txt", bytesWritten: 5 });
    expect(FILE_CREATED_MESSAGE).toBe("Created the file successfully");
    expect(asked).toEqual([]);
  });

  it("adds the file's mtime as Boomi's timestamp when asked", async () => {
    const { session, asked } = lstatSession();
    const result = await buildUploadResult(session, { path: "/a.txt", bytesWritten: 0 }, { includeTimestamp: true, retry, operation: "upsert" });
    expect(result.response).toEqual({ fileName: "a.txt", remoteDirectory: "/", timestamp: formatTimestamp(modifiedAt) });
    expect(result.response.timestamp).toBe("2024-02-29 13:05:07.000");
    expect(asked).toEqual(["/a.txt"]);
  });
});
