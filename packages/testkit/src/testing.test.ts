// The test helpers: waitFor, sha256, rejectionOf, recordCalls, gatedSource, and the README example runner.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Readable } from "node:stream";
import { gatedSource, promisedOutput, readmeCodeBlock, recordCalls, rejectionOf, runReadmeExample, sha256, waitFor } from "./index.js";

/** Writes a Markdown file in a fresh directory and returns its path. */
function markdown(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "testkit-md-")), "README.md");
  writeFileSync(path, text);
  return path;
}

describe("waitFor", () => {
  it("resolves once a sync or an async condition holds", async () => {
    let polls = 0;
    await waitFor(() => ++polls >= 3, "three polls", 5_000, 1);
    expect(polls).toBe(3);
    let asyncPolls = 0;
    await waitFor(async () => ++asyncPolls >= 2, "two polls", 5_000, 1);
    expect(asyncPolls).toBe(2);
  });

  it("rejects naming what it waited for once the time is up", async () => {
    await expect(waitFor(() => false, "Godot", 50, 5)).rejects.toThrow("timed out after 50 ms waiting for Godot");
  });
});

describe("sha256", () => {
  it("is the hex digest sha256sum prints, of bytes or of a string's UTF-8", () => {
    const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect(sha256("abc")).toBe(abc);
    expect(sha256(Buffer.from("abc"))).toBe(abc);
    expect(sha256(new Uint8Array([0x61, 0x62, 0x63]))).toBe(abc);
    expect(sha256("✓")).toBe(sha256(Buffer.from("✓", "utf8")));
  });
});

describe("rejectionOf", () => {
  const isRangeError = (error: unknown): error is RangeError => error instanceof RangeError;

  it("returns what a promise rejected with, or what a function threw or rejected with", async () => {
    const error = new RangeError("out");
    expect(await rejectionOf(Promise.reject(error))).toBe(error);
    expect(
      await rejectionOf(() => {
        throw error;
      }),
    ).toBe(error);
    expect(await rejectionOf(async () => Promise.reject(error), isRangeError)).toBe(error);
    expect(await rejectionOf(Promise.reject(undefined))).toBeUndefined();
  });

  it("throws when the work fulfils", async () => {
    await expect(rejectionOf(Promise.resolve(1))).rejects.toThrow("expected a rejection, but it fulfilled");
    await expect(rejectionOf(() => 1)).rejects.toThrow("expected a rejection, but it fulfilled");
  });

  it("throws, keeping the rejection as the cause, when the rejection fails the guard", async () => {
    const other = new TypeError("wrong kind");
    const thrown = await rejectionOf(rejectionOf(Promise.reject(other), isRangeError));
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe("expected a rejection passing isRangeError, got TypeError: wrong kind");
    expect((thrown as Error).cause).toBe(other);
  });
});

describe("recordCalls", () => {
  it("records each method called through the proxy, in order, and calls it on the target", () => {
    const target = {
      count: 2,
      add(n: number) {
        this.count += n;
        return this.count;
      },
      reset() {
        this.count = 0;
      },
    };
    const { proxy, calls } = recordCalls(target);
    expect(calls).toEqual([]);
    expect(proxy.count).toBe(2);
    expect(proxy.add(3)).toBe(5);
    proxy.reset();
    expect(proxy.add(1)).toBe(1);
    expect(target.count).toBe(1);
    expect(calls).toEqual(["add", "reset", "add"]);
  });
});

describe("gatedSource", () => {
  it("sends the first part, holds until opened, then sends the rest in chunks", async () => {
    const rest = Buffer.alloc(2_500, 7);
    const { stream, open } = gatedSource(Buffer.from("head"), rest, 1_000);
    const chunks: Buffer[] = [];
    const done = (async () => {
      for await (const chunk of stream as Readable) chunks.push(chunk as Buffer);
    })();
    await waitFor(() => chunks.length === 1, "the first part", 5_000, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(chunks.map((c) => c.toString())).toEqual(["head"]);
    open();
    await done;
    expect(chunks.map((c) => c.length)).toEqual([4, 1_000, 1_000, 500]);
    expect(Buffer.concat(chunks.slice(1))).toEqual(rest);
  });
});

describe("README examples", () => {
  const readme = markdown(
    [
      "# lib",
      "```sh",
      "npm i lib",
      "```",
      "```ts",
      'import { twice } from "my-lib";',
      "console.log(twice(2)); // 4",
      'console.log(process.env.GREETING ?? "none");',
      "// hello",
      'console.log("unpromised");',
      "```",
      "```ts",
      "import { twice } from 'my-lib';",
      'console.error("broken on purpose");',
      "process.exit(twice(1) + 1);",
      "```",
      "",
    ].join("\n"),
  );
  const lib = join(mkdtempSync(join(tmpdir(), "testkit-lib-")), "index.ts");
  writeFileSync(lib, "export const twice = (n: number): number => n * 2;\n");

  it("readmeCodeBlock takes the n-th ts block, and throws when there is none", () => {
    expect(readmeCodeBlock(readme)).toMatch(/^import \{ twice \} from "my-lib";\n/);
    expect(readmeCodeBlock(pathToFileURL(readme), 1)).toContain("broken on purpose");
    expect(() => readmeCodeBlock(readme, 2)).toThrow(/has no ```ts block number 3/);
  });

  it("promisedOutput reads the comment ending a console.log line or on the line after it", () => {
    expect(promisedOutput(readmeCodeBlock(readme))).toEqual(["4", "hello"]);
  });

  it("runReadmeExample runs the block with its imports rewritten and the given env, and cleans up", async () => {
    const dir = mkdtempSync(join(tmpdir(), "testkit-run-"));
    const out = await runReadmeExample(pathToFileURL(readme), {
      replaceImports: { "my-lib": lib },
      env: { ...process.env, GREETING: "hello" },
      dir,
    });
    expect(out.trim().split("\n")).toEqual(["4", "hello", "unpromised"]);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it("runReadmeExample rejects with the example's stderr when it fails", async () => {
    await expect(runReadmeExample(readme, { block: 1, replaceImports: { "my-lib": lib } })).rejects.toThrow(/broken on purpose/);
  }, 60_000);
});
