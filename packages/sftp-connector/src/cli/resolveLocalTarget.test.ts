import { describe, expect, it } from "vitest";
import { isSftpConnectorError } from "@sftp-connector/core";
import { resolveLocalTarget } from "./resolveLocalTarget.js";

const refused = (dir: string, name: string, platform: "posix" | "win32" = "posix") => {
  try {
    resolveLocalTarget(dir, name, { platform });
  } catch (error) {
    expect(isSftpConnectorError(error) && error.reason).toBe("INVALID_INPUT");
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(name)} to be refused`);
};

describe("resolveLocalTarget (posix)", () => {
  it("puts plain names and sub-paths inside the directory", () => {
    expect(resolveLocalTarget("/tmp/out", "a.txt", { platform: "posix" })).toBe("/tmp/out/a.txt");
    expect(resolveLocalTarget("/tmp/out", "in/2026/a.csv", { platform: "posix" })).toBe("/tmp/out/in/2026/a.csv");
    expect(resolveLocalTarget("/tmp/out/", "a.txt", { platform: "posix" })).toBe("/tmp/out/a.txt");
  });

  it("resolves a relative directory to an absolute path", () => {
    expect(resolveLocalTarget("out", "a.txt", { platform: "posix" })).toBe(`${process.cwd()}/out/a.txt`);
  });

  it("accepts names that merely start with dots", () => {
    expect(resolveLocalTarget("/d", "..x", { platform: "posix" })).toBe("/d/..x");
    expect(resolveLocalTarget("/d", ".hidden", { platform: "posix" })).toBe("/d/.hidden");
    expect(resolveLocalTarget("/d", "a/...", { platform: "posix" })).toBe("/d/a/...");
    expect(resolveLocalTarget("/d", "x..", { platform: "posix" })).toBe("/d/x..");
  });

  it("drops empty and '.' components", () => {
    expect(resolveLocalTarget("/d", "a//./b", { platform: "posix" })).toBe("/d/a/b");
    expect(resolveLocalTarget("/d", "./a", { platform: "posix" })).toBe("/d/a");
  });

  it("refuses any '..' component, wherever it is", () => {
    for (const name of ["..", "../x", "a/../../x", "a/../b", "a/b/..", "./../x", "a//../../../etc/passwd"]) {
      expect(refused("/d", name)).toMatch(/"\.\." component/);
    }
  });

  it("refuses absolute names, empty names, NUL and names that are no file", () => {
    expect(refused("/d", "/etc/passwd")).toMatch(/absolute/);
    expect(refused("/d", "")).toMatch(/empty/);
    expect(refused("/d", "a\0b")).toMatch(/NUL/);
    expect(refused("/d", ".")).toMatch(/not a file name/);
    expect(refused("/d", "./")).toMatch(/not a file name/);
  });

  it("treats a backslash as an ordinary character on posix", () => {
    expect(resolveLocalTarget("/d", "a\\..\\..\\x", { platform: "posix" })).toBe("/d/a\\..\\..\\x");
  });

  it("names the refused file with control characters escaped", () => {
    expect(refused("/d", "../\u001b[2Jx")).toContain("'../\\x1b[2Jx'");
    expect(refused("/d", "../\u001b[2Jx")).not.toContain("\u001b");
  });
});

describe("resolveLocalTarget (win32)", () => {
  it("joins with backslashes inside the directory", () => {
    expect(resolveLocalTarget("C:\\out", "in/a.csv", { platform: "win32" })).toBe("C:\\out\\in\\a.csv");
  });

  it("refuses backslashes, drive letters and reserved characters", () => {
    expect(refused("C:\\out", "..\\x", "win32")).toMatch(/backslash/);
    expect(refused("C:\\out", "C:x", "win32")).toMatch(/drive letter/);
    expect(refused("C:\\out", "ab:c", "win32")).toMatch(/Windows/);
    expect(refused("C:\\out", "../x", "win32")).toMatch(/"\.\." component/);
  });
});
