// lstat that answers "nothing there" instead of failing with NO_SUCH_FILE.
import { describe, expect, it } from "vitest";
import { SftpConnectorError } from "@sftp-connector/core";
import type { FileStats } from "./SftpSession.js";
import { lstatIfExists } from "./lstatIfExists.js";

const failingWith = (error: unknown) => ({ lstat: () => Promise.reject(error) });

describe("lstatIfExists", () => {
  it("returns the stats of what is there", async () => {
    const stats = { isSymbolicLink: true } as FileStats;
    expect(await lstatIfExists({ lstat: async () => stats }, "/link")).toBe(stats);
  });

  it("returns undefined for NO_SUCH_FILE and throws anything else", async () => {
    expect(await lstatIfExists(failingWith(new SftpConnectorError("NO_SUCH_FILE", "gone")), "/x")).toBeUndefined();
    const denied = new SftpConnectorError("PERMISSION_DENIED", "no");
    await expect(lstatIfExists(failingWith(denied), "/x")).rejects.toBe(denied);
    const plain = new Error("boom");
    await expect(lstatIfExists(failingWith(plain), "/x")).rejects.toBe(plain);
  });
});
