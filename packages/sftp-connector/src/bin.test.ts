// The `sftp-connector` bin is a committed shim, so `pnpm install` can link it before `dist/` is built (no "Failed to create bin" warning).
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as cli from "./cli.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { bin: Record<string, string>; files: string[] };

describe("the sftp-connector bin", () => {
  it("points at a committed, executable file outside dist/ that is published", () => {
    const bin = pkg.bin["sftp-connector"]!;
    expect(bin).not.toMatch(/^(\.\/)?dist\//);
    const path = `${root}${bin}`;
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o111).not.toBe(0);
    expect(pkg.files).toContain(bin.replace(/^\.\//, "").split("/")[0]);
  });

  it("runs the built CLI's runProcess", () => {
    const text = readFileSync(`${root}${pkg.bin["sftp-connector"]}`, "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(text).toContain('import { runProcess } from "../dist/cli.js";');
    expect(typeof cli.runProcess).toBe("function");
  });
});
