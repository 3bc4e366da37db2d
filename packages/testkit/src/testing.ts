// Small helpers for tests of SFTP code: waiting for a condition, hashing, expecting a rejection, a source that holds back, and running a README's example.
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A file system path, or a `file:` URL such as `new URL("../README.md", import.meta.url)`. */
export type PathLike = string | URL;

const toPath = (path: PathLike): string => (typeof path === "string" ? path : fileURLToPath(path));

/**
 * Polls `condition` until it returns (or resolves to) `true`, checking first and then every
 * `intervalMs`. A bound for "eventually", not a timing assertion: rejects with
 * `timed out after <timeoutMs> ms waiting for <what>` once the time is up.
 *
 * @param condition - checked until it holds; may be async (e.g. a command run on the testbed).
 * @param what - what is awaited, for the error message.
 * @param timeoutMs - how long to keep trying. @default 30000
 * @param intervalMs - the pause between checks. @default 25
 *
 * @example
 * ```ts
 * await waitFor(async () => (await testbed.exec("ls /home/tester")).stdout.includes("a.txt"), "a.txt to appear");
 * ```
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The SHA-256 of bytes or of a string's UTF-8 encoding, as lowercase hex: the form `sha256sum`
 * prints, so it compares with `testbed.sha256(path)` of a remote file.
 */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Awaits `work` and returns what it rejected with; throws when it fulfils instead. With a `guard`
 * (a type guard such as `isSftpConnectorError`), also throws when the rejection does not pass it
 * (the rejection is the thrown error's `cause`), and the result has the guarded type.
 *
 * @param work - a promise, or a function whose call (sync or async) must fail.
 * @param guard - a check the rejection must pass.
 *
 * @example
 * ```ts
 * const error = await rejectionOf(openSession(badConfig), isSftpConnectorError);
 * expect(error.reason).toBe("AUTH_FAILED");
 * ```
 */
export async function rejectionOf<T = unknown>(work: Promise<unknown> | (() => unknown), guard?: (error: unknown) => error is T): Promise<T> {
  let rejected = false;
  let error: unknown;
  try {
    await (typeof work === "function" ? work() : work);
  } catch (e) {
    rejected = true;
    error = e;
  }
  if (!rejected) throw new Error("expected a rejection, but it fulfilled");
  if (guard && !guard(error)) throw new Error(`expected a rejection passing ${guard.name || "the guard"}, got ${String(error)}`, { cause: error });
  return error as T;
}

/**
 * A proxy of `target` that records the name of every method called through it, in order, then
 * calls the method on `target` (with `target` as `this`). Other properties read through. For
 * checks such as "bad input is refused before the session is touched": `expect(calls).toEqual([])`.
 *
 * @example
 * ```ts
 * const { proxy, calls } = recordCalls(session);
 * expect(() => listFiles(proxy, { remoteDirectory: "in" }, { count: 0 })).toThrow();
 * expect(calls).toEqual([]);
 * ```
 */
export function recordCalls<T extends object>(target: T): { proxy: T; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(target, {
    get(object, key, receiver) {
      const value: unknown = Reflect.get(object, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
  return { proxy, calls };
}

/**
 * A byte stream that sends `first`, then holds (neither ending nor failing) until `open()` is
 * called, then sends `rest` in chunks of `chunkSize`. Lets a test act in the middle of an upload,
 * e.g. drop the server's sessions once the first part has arrived.
 */
export function gatedSource(first: Uint8Array, rest: Uint8Array = new Uint8Array(0), chunkSize = 1 << 20): { stream: Readable; open: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  async function* parts() {
    yield first;
    await gate;
    for (let offset = 0; offset < rest.length; offset += chunkSize) yield rest.subarray(offset, offset + chunkSize);
  }
  return { stream: Readable.from(parts(), { objectMode: false }), open: () => release() };
}

/**
 * The code of the `index`-th (0 = first) ```` ```ts ```` block of a Markdown file. Throws when the
 * file has no such block.
 */
export function readmeCodeBlock(readmePath: PathLike, index = 0): string {
  const path = toPath(readmePath);
  const code = [...readFileSync(path, "utf8").matchAll(/```ts\n([\s\S]*?)```/g)][index]?.[1];
  if (code === undefined) throw new Error(`${path} has no \`\`\`ts block number ${index + 1}`);
  return code;
}

/**
 * What an example promises to print: for each `console.log(…)` line, in order, the text of the
 * `// comment` that ends the line or, failing that, stands alone on the next line. Lines without
 * such a comment promise nothing.
 *
 * @example
 * ```ts
 * promisedOutput('console.log(1 + 1); // 2\nconsole.log("a");\n// a'); // ["2", "a"]
 * ```
 */
export function promisedOutput(code: string): string[] {
  const lines = code.split("\n");
  const promised: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.includes("console.log(")) continue;
    const text = /\);\s*\/\/ (.*)$/.exec(line)?.[1] ?? /^\s*\/\/ (.*)$/.exec(lines[i + 1] ?? "")?.[1];
    if (text !== undefined) promised.push(text);
  }
  return promised;
}

/** Options of {@link runReadmeExample}. */
export interface RunReadmeExampleOptions {
  /** Which ```` ```ts ```` block to run, 0 for the first. @default 0 */
  block?: number;
  /**
   * Module specifiers to rewrite before running: each key, quoted (`"…"` or `'…'`) anywhere in the
   * code, becomes its value, e.g. `{ "@my/pkg": "/repo/packages/pkg/src/index.ts" }` to run the
   * example against the package's source rather than its build.
   */
  replaceImports?: Record<string, string>;
  /** The example's environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * Where the example file is written (in a fresh `.readme-*` directory, removed afterwards). Bare
   * imports in the example resolve from here: a package's `node_modules` makes them resolve as they
   * would for a user of the package. @default os.tmpdir()
   */
  dir?: PathLike;
  /** The example's working directory. @default process.cwd(), or `workspace` when given */
  cwd?: PathLike;
  /**
   * The root of a TypeScript monorepo whose `tsconfig.json` maps its package names to their
   * sources (`compilerOptions.paths`): the example runs there with that tsconfig (as
   * `TSX_TSCONFIG_PATH`), so its imports of the workspace's packages run from source.
   */
  workspace?: PathLike;
  /** How long the example may run. @default 120000 */
  timeoutMs?: number;
}

/**
 * Runs a README's ```` ```ts ```` example as written and returns what it printed (stdout): takes
 * the block ({@link readmeCodeBlock}), rewrites `replaceImports`, writes it to an `example.mts`
 * file and runs `node --import tsx example.mts`. Rejects with the example's stderr when it exits
 * non-zero or runs past `timeoutMs`. Needs `tsx` installed where `cwd` resolves it.
 *
 * @example
 * ```ts
 * const out = await runReadmeExample(new URL("../README.md", import.meta.url), {
 *   replaceImports: { "@my/pkg": fileURLToPath(new URL("./index.ts", import.meta.url)) },
 * });
 * expect(out.trim().split("\n")).toEqual(promisedOutput(readmeCodeBlock(new URL("../README.md", import.meta.url))));
 * ```
 */
export async function runReadmeExample(readmePath: PathLike, options: RunReadmeExampleOptions = {}): Promise<string> {
  let code = readmeCodeBlock(readmePath, options.block ?? 0);
  for (const [specifier, target] of Object.entries(options.replaceImports ?? {})) {
    for (const quote of ['"', "'"]) code = code.split(`${quote}${specifier}${quote}`).join(JSON.stringify(target));
  }
  const dir = await mkdtemp(join(options.dir === undefined ? tmpdir() : toPath(options.dir), ".readme-"));
  try {
    const file = join(dir, "example.mts");
    await writeFile(file, code);
    const env = { ...(options.env ?? process.env) };
    const workspace = options.workspace === undefined ? undefined : toPath(options.workspace);
    if (workspace !== undefined) env.TSX_TSCONFIG_PATH = join(workspace, "tsconfig.json");
    const { stdout } = await run(process.execPath, ["--import", "tsx", file], {
      cwd: options.cwd !== undefined ? toPath(options.cwd) : (workspace ?? process.cwd()),
      env,
      encoding: "utf8",
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
