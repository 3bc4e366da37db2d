// The CLI as a real child process (node running src/cli.ts through tsx) against the testbed: the --json conventions, JSON errors, config files with secrets named by variable, a failed query's directory, SIGINT/SIGTERM mid-transfer (also with --connections).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
/** tsx's loader, by absolute URL: the child runs in a temporary directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const REMOTE = "/home/tester/cli-process";
/** Sparse, so it costs no disk; far more than can move before a test's signal. */
const HUGE = 4 * 1024 ** 3;
/** Lines an interrupted, exiting process must not print. */
const CHATTER = /retr(y|ies)|resum|reconnect|re-established/i;
const TEMP = /\.sftp-tmp$/;

let testbed: Testbed;
let conn: string[];
let env: Record<string, string>;
let local: string;

beforeAll(async () => {
  testbed = await startTestbed();
  await testbed.exec(`mkdir -p ${REMOTE}/inbox`, { user: "tester" });
  env = { PATH: process.env.PATH ?? "", SFTP_PW: testbed.users.password.password };
  const flags = {
    host: testbed.host,
    port: testbed.port,
    user: testbed.users.password.username,
    "password-env": "SFTP_PW",
    fingerprint: testbed.hostKey.fingerprint,
    "remote-dir": "cli-process",
  };
  conn = Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, String(value)]);
  local = mkdtempSync(join(tmpdir(), "cli-process-"));
  writeFileSync(join(local, "huge.bin"), "");
  truncateSync(join(local, "huge.bin"), HUGE);
});
afterAll(async () => {
  await testbed?.stop();
  if (local) rmSync(local, { recursive: true, force: true });
});

/** Runs the CLI as a child process; resolves to its exit code and output. */
function cli(argv: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ["--import", TSX, CLI, ...argv],
      { cwd: local, env: options.env ?? env, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : undefined;
        if (code === undefined) reject(error ?? new Error("no exit code"));
        else resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.stdin ?? "");
  });
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("sftp-connector CLI as a child process", () => {
  it("create, upsert, get and query --json share GET's convention: fileName with its sub-path, remoteDirectory the directory it is relative to; uploads show bytes", async () => {
    writeFileSync(join(local, "hello.txt"), "hello, world\n");
    const created = await cli(["create", ...conn, "hello.txt", "--name", "inbox/hello.txt", "--json"]);
    expect(created.code).toBe(0);
    expect(jsonLines(created.stdout)).toEqual([{ fileName: "inbox/hello.txt", remoteDirectory: REMOTE, bytes: 13 }]);

    const upserted = await cli(["upsert", ...conn, "--name", "inbox/up.txt", "--json"], { stdin: "12345" });
    expect(upserted.code).toBe(0);
    expect(jsonLines(upserted.stdout)).toEqual([{ fileName: "inbox/up.txt", remoteDirectory: REMOTE, bytes: 5 }]);

    const table = await cli(["create", ...conn, "--name", "inbox/t.txt"], { stdin: "abc" });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^inbox/t\\.txt +${REMOTE} +3$`, "m"));

    const got = await cli(["get", ...conn, "inbox/hello.txt", "-o", "got.txt", "--json"]);
    expect(got.code).toBe(0);
    expect(jsonLines(got.stdout)[0]).toMatchObject({ fileName: "inbox/hello.txt", remoteDirectory: REMOTE });

    const queried = await cli(["query", ...conn, "--recursive", "--filter", 'fileName ~ "**hello.txt"', "-o", "q", "--json"]);
    expect(queried.code).toBe(0);
    expect(jsonLines(queried.stdout)).toEqual([expect.objectContaining({ fileName: "inbox/hello.txt", remoteDirectory: REMOTE })]);
  });

  it("--json: an operation failure is a JSON error on stderr with its path, exit 1; usage errors are exit 2", async () => {
    const missing = await cli(["get", ...conn, "inbox/nope.txt", "-o", "-", "--json"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    const record = JSON.parse(missing.stderr.trim()) as { error: Record<string, unknown> };
    expect(record.error).toMatchObject({ reason: "NO_SUCH_FILE", message: expect.any(String), path: expect.stringContaining("nope.txt") });
    expect(missing.stderr).not.toContain(testbed.users.password.password);

    const flag = await cli(["list", ...conn, "--remote-directory", "x"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("did you mean --remote-dir?");

    const usageFirst = await cli(["query", "--count", "abc", "-o", "never"], { env: { PATH: env.PATH! } });
    expect(usageFirst.code).toBe(2);
    expect(usageFirst.stderr).toContain("--count: expected an integer");
    expect(existsSync(join(local, "never"))).toBe(false);
  });

  it("a config file names the secrets by environment variable; the values never show, even with --verbose", async () => {
    writeFileSync(
      join(local, "sftp.yaml"),
      [
        `host: ${testbed.host}`,
        `port: ${testbed.port}`,
        `username: ${testbed.users.password.username}`,
        "auth:",
        "  type: password",
        "  passwordEnv: MY_SFTP_PASSWORD",
        "hostKey:",
        `  fingerprints: ["${testbed.hostKey.fingerprint}"]`,
        "remoteDirectory: cli-process",
        "",
      ].join("\n"),
    );
    const password = testbed.users.password.password;
    const listed = await cli(["list", "--config", "sftp.yaml", "--remote-dir", "cli-process/inbox", "--json", "--verbose"], {
      env: { PATH: env.PATH!, MY_SFTP_PASSWORD: password },
    });
    expect(listed.code).toBe(0);
    expect(jsonLines(listed.stdout).map((entry) => entry.fileName)).toContain("hello.txt");
    expect(listed.stdout + listed.stderr).not.toContain(password);

    const unset = await cli(["list", "--config", "sftp.yaml", "--json"], { env: { PATH: env.PATH! } });
    expect(unset.code).toBe(2);
    expect(JSON.parse(unset.stderr.trim())).toMatchObject({ error: { reason: "INVALID_CONFIG", fields: ["auth.passwordEnv"] } });
    expect(unset.stderr).toContain("MY_SFTP_PASSWORD is not set");
  });

  it("a failed query -o DIR leaves no directory it created behind, and keeps one that was there", async () => {
    const failed = await cli(["query", ...conn, "--remote-dir", "cli-process/missing", "-o", "new/deeper"]);
    expect(failed.code).toBe(1);
    expect(existsSync(join(local, "new"))).toBe(false);

    const badConfig = await cli(["query", "--host", "127.0.0.1", "-o", "fresh"], { env: { PATH: env.PATH! } });
    expect(badConfig.code).toBe(2);
    expect(existsSync(join(local, "fresh"))).toBe(false);

    mkdirSync(join(local, "existing"));
    const kept = await cli(["query", ...conn, "--remote-dir", "cli-process/missing", "-o", "existing/sub"]);
    expect(kept.code).toBe(1);
    expect(readdirSync(join(local, "existing"))).toEqual([]);
    expect(existsSync(join(local, "existing"))).toBe(true);
  });
});

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI as a child process with stdin closed; `ended` resolves to how it ended. */
function start(argv: string[], cwd: string): { child: ChildProcess; ended: Promise<Ended> } {
  const child = spawn(process.execPath, ["--import", TSX, CLI, ...argv], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin!.end();
  const ended = new Promise<Ended>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, ended };
}

/** The names in a remote directory (hidden ones too). */
async function remoteNames(directory: string): Promise<string[]> {
  const { stdout } = await testbed.exec(`ls -A ${directory}`, { user: "tester" });
  return stdout.split("\n").filter(Boolean).sort();
}

/** Whether `signal` waits to be taken by a thread of process `pid` (in its shared or main thread's pending set, /proc/PID/status). */
function signalPending(pid: number, signal: NodeJS.Signals): boolean {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const bit = 1n << BigInt(constants.signals[signal] - 1);
  return ["ShdPnd", "SigPnd"].some((field) => (BigInt(`0x${new RegExp(`^${field}:\\s*([0-9a-f]+)$`, "m").exec(status)?.[1] ?? "0"}`) & bit) !== 0n);
}

/** Polls `check` until it holds; fails when the child ends first. */
async function until(check: () => Promise<boolean> | boolean, what: string, ended: Promise<Ended>): Promise<void> {
  let finished: Ended | undefined;
  void ended.then((result) => (finished = result));
  for (;;) {
    if (await check()) return;
    if (finished) throw new Error(`the CLI ended (code ${finished.code}) before ${what}:\n${finished.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts an upload of huge.bin as `name` in `dir` (under REMOTE), sends `signals` once its temporary file exists there, and resolves to how the CLI ended. */
async function interruptUpload(argv: string[], dir: string, ...signals: NodeJS.Signals[]): Promise<Ended> {
  const run = start(argv, local);
  await until(async () => (await remoteNames(dir)).some((name) => TEMP.test(name)), "the temporary file appeared", run.ended);
  for (const signal of signals) run.child.kill(signal);
  return run.ended;
}

describe("the CLI interrupted mid-transfer (a real child process)", () => {
  it("create of a huge file, SIGINT once the temporary file exists: exit 130, one line 'interrupted', neither temporary file nor target left", async () => {
    const dir = `${REMOTE}/int-create`;
    await testbed.exec(`mkdir -p ${dir}`, { user: "tester" });
    const ended = await interruptUpload(["create", ...conn, "huge.bin", "--name", "int-create/int.bin"], dir, "SIGINT");
    expect(ended.code).toBe(130);
    expect(ended.stderr).not.toMatch(CHATTER);
    expect(ended.stderr.trim()).toBe("interrupted");
    expect(await remoteNames(dir)).toEqual([]);
  });

  it("upsert over an existing file, SIGTERM mid-transfer: exit 143, the old file byte-identical, no temporary file; --json reports ABORTED", async () => {
    const dir = `${REMOTE}/int-upsert`;
    await testbed.exec(`mkdir -p ${dir} && printf 'the old content\\n' > ${dir}/keep.bin`, { user: "tester" });
    const before = await testbed.sha256(`${dir}/keep.bin`);
    const ended = await interruptUpload(["upsert", ...conn, "huge.bin", "--name", "int-upsert/keep.bin", "--json"], dir, "SIGTERM");
    expect(ended.code).toBe(143);
    expect(ended.stderr).not.toMatch(CHATTER);
    const lines = ended.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ error: { reason: "ABORTED" } });
    expect(ended.stdout).toBe("");
    expect(await remoteNames(dir)).toEqual(["keep.bin"]);
    expect(await testbed.sha256(`${dir}/keep.bin`)).toBe(before);
  });

  it("get to a local file, SIGINT mid-transfer: exit 130, no partial local file", async () => {
    const dir = `${REMOTE}/int-get`;
    await testbed.exec(`mkdir -p ${dir} && truncate -s ${HUGE} ${dir}/huge.bin`, { user: "tester" });
    const out = mkdtempSync(join(local, "get-"));
    const run = start(["get", ...conn, "int-get/huge.bin", "-o", "copy.bin"], out);
    await until(() => readdirSync(out).some((name) => name.endsWith(".part")), "the local temporary file appeared", run.ended);
    run.child.kill("SIGINT");
    const ended = await run.ended;
    expect(ended.code).toBe(130);
    expect(ended.stderr).not.toMatch(CHATTER);
    expect(ended.stderr.trim()).toBe("interrupted");
    expect(readdirSync(out)).toEqual([]);
    await testbed.exec(`rm -f ${dir}/huge.bin`, { user: "tester" });
  });

  it("with --connections 4, SIGINT mid-transfer: create leaves neither temporary file nor target, get no partial local file; exit 130", async () => {
    const dir = `${REMOTE}/int-parallel`;
    await testbed.exec(`mkdir -p ${dir} && truncate -s ${HUGE} ${dir}/huge.bin`, { user: "tester" });
    const created = await interruptUpload(["create", ...conn, "huge.bin", "--name", "int-parallel/up.bin", "--connections", "4"], dir, "SIGINT");
    expect(created.code).toBe(130);
    expect(created.stderr).not.toMatch(CHATTER);
    expect(created.stderr.trim()).toBe("interrupted");
    expect(await remoteNames(dir)).toEqual(["huge.bin"]);

    const out = mkdtempSync(join(local, "get-parallel-"));
    const run = start(["get", ...conn, "int-parallel/huge.bin", "-o", "copy.bin", "--connections", "4"], out);
    await until(() => readdirSync(out).some((name) => name.endsWith(".part")), "the local temporary file appeared", run.ended);
    run.child.kill("SIGINT");
    const got = await run.ended;
    expect(got.code).toBe(130);
    expect(got.stderr).not.toMatch(CHATTER);
    expect(got.stderr.trim()).toBe("interrupted");
    expect(readdirSync(out)).toEqual([]);
    await testbed.exec(`rm -f ${dir}/huge.bin`, { user: "tester" });
  });

  it("a second signal while the first one's clean-up runs: exit 130, the first one's code (a SIGTERM second would otherwise make it 143)", async () => {
    const dir = `${REMOTE}/int-twice`;
    await testbed.exec(`mkdir -p ${dir}`, { user: "tester" });
    const run = start(["create", ...conn, "huge.bin", "--name", "int-twice/int.bin"], local);
    await until(async () => (await remoteNames(dir)).some((name) => TEMP.test(name)), "the temporary file appeared", run.ended);
    // The server frozen, the abort's clean-up (removing the temporary file) cannot finish: the second signal lands in
    // it, not in the process's last moments (where Node's handlers are gone and a signal kills it by default).
    await testbed.pause();
    let ended: Ended;
    try {
      run.child.kill("SIGINT");
      // Two signals sent back to back may reach Node in either order (any thread may take a process signal), so
      // the second goes once a thread has taken the first (it left the kernel's pending sets: Node has it queued).
      await until(() => !signalPending(run.child.pid!, "SIGINT"), "SIGINT taken", run.ended);
      run.child.kill("SIGTERM");
      ended = await run.ended;
    } finally {
      await testbed.unpause();
    }
    expect(ended.code).toBe(130);
    expect(ended.signal).toBeNull();
    expect(ended.stderr).not.toMatch(CHATTER);
  });
});
