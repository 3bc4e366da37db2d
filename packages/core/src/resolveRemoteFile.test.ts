import { describe, expect, it } from "vitest";
import { resolveRemoteDirectory, resolveRemoteFile, splitRemotePath, isSafeRemoteName, isInsideDirectory } from "./resolveRemoteFile.js";
import { isSftpConnectorError } from "./SftpConnectorError.js";

describe("resolveRemoteDirectory", () => {
  it.each([
    [{ perCall: "/data/in", connection: "/conn", home: "/home/u" }, "/data/in"],
    [{ perCall: "  ", connection: "/conn", home: "/home/u" }, "/conn"],
    [{ perCall: undefined, connection: "", home: "/home/u" }, "/home/u"],
    [{ connection: "inbox", home: "/home/u" }, "/home/u/inbox"],
    [{ perCall: "inbox/", home: "/home/u" }, "/home/u/inbox"],
    [{ perCall: "../shared", home: "/home/u" }, "/home/shared"],
    [{ perCall: "/a//b/./c/", home: "/home/u" }, "/a/b/c"],
    [{ home: "/" }, "/"],
  ])("%j → %s", (sources, expected) => {
    expect(resolveRemoteDirectory(sources)).toBe(expected);
  });

  it("refuses a relative home and a NUL", () => {
    expect(() => resolveRemoteDirectory({ home: "home" })).toThrow(/^home: expected an absolute path, got 'home'$/);
    expect(() => resolveRemoteDirectory({ perCall: "a\0b", home: "/h" })).toThrow(/remoteDirectory: must not contain a NUL/);
  });
});

describe("splitRemotePath", () => {
  it.each([
    ["/a/b.txt", "/a", "b.txt"],
    ["/x", "/", "x"],
    ["x", "", "x"],
    ["sub/a.txt", "sub", "a.txt"],
    ["/a/b/", "/a", "b"],
    ["/", "/", ""],
  ])("%s → (%s, %s)", (path, directory, name) => {
    expect(splitRemotePath(path)).toEqual({ directory, name });
  });
});

describe("resolveRemoteFile", () => {
  it.each([
    ["a.txt", "/home/u/in/a.txt", "/home/u/in", "a.txt"],
    ["  a.txt ", "/home/u/in/a.txt", "/home/u/in", "a.txt"],
    ["sub/a.txt", "/home/u/in/sub/a.txt", "/home/u/in/sub", "a.txt"],
    ["sub/../a.txt", "/home/u/in/a.txt", "/home/u/in", "a.txt"],
    ["with space ü.txt", "/home/u/in/with space ü.txt", "/home/u/in", "with space ü.txt"],
    ["./a.txt", "/home/u/in/a.txt", "/home/u/in", "a.txt"],
  ])("%j inside /home/u/in → %s", (name, path, directory, base) => {
    expect(resolveRemoteFile("/home/u/in", name)).toEqual({ path, directory, name: base });
  });

  it.each([
    ["", /fileName: must be a non-blank file name/],
    ["   ", /fileName: must be a non-blank file name/],
    ["/etc/passwd", /^fileName: '\/etc\/passwd' is absolute; set allowAbsolutePaths: true to allow it, or give a name relative to '\/home\/u\/in'$/],
    ["../a.txt", /^fileName: '..\/a.txt' escapes the remote directory '\/home\/u\/in'; set allowAbsolutePaths: true to allow it$/],
    ["../it's\nx", /^fileName: '..\/it\\'s\\nx' escapes the remote directory/],
    ["sub/../../a.txt", /escapes the remote directory/],
    ["../in2/a.txt", /escapes the remote directory/],
    [".", /^fileName: '.' names a directory, not a file$/],
    ["sub/..", /names a directory, not a file/],
    ["a\0b", /must not contain a NUL/],
  ])("refuses %j", (name, message) => {
    let caught: unknown;
    try {
      resolveRemoteFile("/home/u/in", name, { operation: "create" });
    } catch (error) {
      caught = error;
    }
    expect(isSftpConnectorError(caught) && caught.reason).toBe("INVALID_INPUT");
    expect((caught as Error).message).toMatch(message);
    expect((caught as { operation: string }).operation).toBe("create");
  });

  it("allows absolute names and escapes only with allowAbsolutePaths", () => {
    expect(resolveRemoteFile("/home/u/in", "/tmp/x.txt", { allowAbsolutePaths: true }).path).toBe("/tmp/x.txt");
    expect(resolveRemoteFile("/home/u/in", "../x.txt", { allowAbsolutePaths: true }).path).toBe("/home/u/x.txt");
    expect(() => resolveRemoteFile("/home/u/in", "/", { allowAbsolutePaths: true })).toThrow(/names a directory/);
  });

  it("names the field it was given", () => {
    expect(() => resolveRemoteFile("/d", "", { field: "id" })).toThrow(/^id: /);
  });

  it("works in the root directory", () => {
    expect(resolveRemoteFile("/", "a.txt").path).toBe("/a.txt");
  });
});

describe("isInsideDirectory", () => {
  it.each([
    ["/data", "/data/a.txt", true],
    ["/data", "/data/in/2026/a.txt", true],
    ["/", "/a", true],
    ["/data", "/data", false],
    ["/data", "/", false],
    ["/data", "/other/a.txt", false],
    ["/data", "/data2/a.txt", false],
    ["/data/in", "/data/a.txt", false],
  ])("%s contains %s: %s", (directory, path, inside) => {
    expect(isInsideDirectory(directory, path)).toBe(inside);
  });
});

describe("isSafeRemoteName", () => {
  it.each([
    ["a.txt", true],
    ["with space", true],
    ["ünïcødé", true],
    ["", false],
    [".", false],
    ["..", false],
    ["a/b", false],
    ["../x", false],
    ["a\0b", false],
    ["a\nb", false],
    ["a\u007fb", false],
    ["a\u009b2Jb", false],
    ["a\u0085b", false],
    ["a\u00a0b", true],
  ])("%j → %s", (name, safe) => {
    expect(isSafeRemoteName(name)).toBe(safe);
  });
});
