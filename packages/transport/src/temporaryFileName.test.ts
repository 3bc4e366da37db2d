import { describe, expect, it } from "vitest";
import { TEMPORARY_FILE_PATTERN, isTemporaryFileName, temporaryFileName } from "./temporaryFileName.js";

const V4 = "0b9f6c1e-6a8f-4c57-9d36-2f5b0c3f8a11";

describe("isTemporaryFileName", () => {
  it("recognizes every name temporaryFileName makes", () => {
    for (const name of ["report.csv", "dir/a", ".hidden", "été ✓ .txt", "x".repeat(400), "no-extension"]) {
      expect(isTemporaryFileName(temporaryFileName(name))).toBe(true);
    }
    expect(isTemporaryFileName(`.report.csv.${V4}.sftp-tmp`)).toBe(true);
    expect(TEMPORARY_FILE_PATTERN.test(`.a.${V4}.sftp-tmp`)).toBe(true);
  });

  it.each([
    ["no leading dot", `report.csv.${V4}.sftp-tmp`],
    ["no uuid", ".report.csv.sftp-tmp"],
    ["an upper-case uuid", `.report.csv.${V4.toUpperCase()}.sftp-tmp`],
    ["a uuid that is not version 4", ".report.csv.0b9f6c1e-6a8f-1c57-9d36-2f5b0c3f8a11.sftp-tmp"],
    ["a uuid with the wrong variant", ".report.csv.0b9f6c1e-6a8f-4c57-cd36-2f5b0c3f8a11.sftp-tmp"],
    ["a short uuid", `.report.csv.${V4.slice(0, -1)}.sftp-tmp`],
    ["something after the suffix", `.report.csv.${V4}.sftp-tmp.bak`],
    ["another suffix", `.report.csv.${V4}.tmp`],
    ["a path", `dir/.report.csv.${V4}.sftp-tmp`],
    ["a line break after it", `.report.csv.${V4}.sftp-tmp\n`],
  ])("refuses a look-alike user name: %s", (_why, name) => {
    expect(isTemporaryFileName(name)).toBe(false);
  });
});
