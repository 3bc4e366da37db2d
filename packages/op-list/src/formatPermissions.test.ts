// formatPermissions: the ls -l form of permission bits, special bits included.
import { describe, expect, it } from "vitest";
import { formatPermissions } from "./formatPermissions.js";

describe("formatPermissions", () => {
  it.each([
    [0o644, "rw-r--r--"],
    [0o100644, "rw-r--r--"],
    [0o040755, "rwxr-xr-x"],
    [0o000, "---------"],
    [0o777, "rwxrwxrwx"],
    [0o4755, "rwsr-xr-x"],
    [0o4644, "rwSr--r--"],
    [0o2750, "rwxr-s---"],
    [0o2740, "rwxr-S---"],
    [0o1777, "rwxrwxrwt"],
    [0o1776, "rwxrwxrwT"],
    [0o7000, "--S--S--T"],
  ])("%s → %s", (mode, text) => {
    expect(formatPermissions(mode)).toBe(text);
  });
});
