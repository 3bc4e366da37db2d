// The README's example runs as written (against the workspace sources, on its own testbed) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const run = promisify(execFile);

/** Runs the README's ts block with tsx, resolving @sftp-connector/* to the sources through the root tsconfig's paths. */
async function runExample(): Promise<string> {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const file = join(mkdtempSync(join(tmpdir(), "readme-")), "example.mts");
  writeFileSync(file, code!);
  const tsconfig = fileURLToPath(new URL("../../../tsconfig.json", import.meta.url));
  const { stdout } = await run(process.execPath, ["--import", "tsx", file], {
    cwd: fileURLToPath(new URL("../../..", import.meta.url)),
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
    timeout: 120_000,
  });
  return stdout;
}

/** The `// comment` after each console.log in the example, in order: what it promises to print. */
function promisedLines(): string[] {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const lines: string[] = [];
  const all = code.split("\n");
  for (const [i, line] of all.entries()) {
    if (!line.includes("console.log(")) continue;
    const inline = /\);\s*\/\/ (.*)$/.exec(line)?.[1];
    const next = /^\s*\/\/ (.*)$/.exec(all[i + 1] ?? "")?.[1];
    const promised = inline ?? next;
    if (promised !== undefined) lines.push(promised);
  }
  return lines;
}

describe("README example", () => {
  it("runs and prints what its comments say", { timeout: 180_000 }, async () => {
    const out = (await runExample()).trim().split("\n");
    const promised = promisedLines();
    expect(promised.length).toBeGreaterThan(3);
    expect(out).toEqual(promised);
  });
});
