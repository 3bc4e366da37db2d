// `sftp.cleanTemporaryFiles` and `sftp-connector clean` (a real child process) against the testbed: old orphans removed, fresh ones and user files kept, dry run, usage errors.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";
import { temporaryFileName } from "@sftp-connector/transport/upload";
import { createSftpConnector } from "./index.js";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const OLD = temporaryFileName("big.bin");
const FRESH = temporaryFileName("new.bin");
const LOOK_ALIKE = `.big.bin.${OLD.slice(".big.bin.".length, -".sftp-tmp".length).toUpperCase()}.sftp-tmp`;

let testbed: Testbed;
let dir: string;
let conn: string[];

beforeAll(async () => {
  testbed = await startTestbed();
  dir = `${testbed.users.password.home}/cleaning`;
  const flags = {
    host: testbed.host,
    port: testbed.port,
    user: testbed.users.password.username,
    "password-env": "SFTP_PW",
    fingerprint: testbed.hostKey.fingerprint,
    "remote-dir": "cleaning",
  };
  conn = Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, String(value)]);
});
afterAll(async () => {
  await testbed?.stop();
});
beforeEach(async () => {
  await testbed.exec(
    `set -e; rm -rf ${dir} && mkdir -p ${dir} && cd ${dir} && printf 12345 > '${OLD}' && touch '${FRESH}' '${LOOK_ALIKE}' big.bin && touch -d '2 hours ago' '${OLD}' '${LOOK_ALIKE}' big.bin`,
    { user: "tester" },
  );
});

const remaining = async () => (await testbed.exec(`ls -A ${dir}`, { user: "tester" })).stdout.trim().split("\n").sort();

/** The CLI as a child process: its exit code and output. */
function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? "", SFTP_PW: testbed.users.password.password };
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", TSX, CLI, ...argv], { env, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}
const clean = (argv: string[]) => run(["clean", ...argv]);
/** The sorted `fileName`s of JSON lines. */
const names = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { fileName: string }).fileName)
    .sort();

describe("sftp.cleanTemporaryFiles (the facade)", () => {
  it("cleans the connection's remote directory; olderThan is required", async () => {
    const sftp = createSftpConnector({ ...testbed.connectionConfig({ hostKey: "fingerprint" }), remoteDirectory: "cleaning" });
    try {
      await expect(sftp.cleanTemporaryFiles({} as never)).rejects.toMatchObject({ reason: "INVALID_INPUT" });
      expect((await sftp.cleanTemporaryFiles({ olderThan: "1h", dryRun: true })).map((f) => [f.path, f.removed])).toEqual([[`${dir}/${OLD}`, false]]);
      expect((await sftp.cleanTemporaryFiles({ olderThan: "1h" })).map((f) => [f.path, f.size, f.removed])).toEqual([[`${dir}/${OLD}`, 5, true]]);
      expect(await remaining()).toEqual([FRESH, LOOK_ALIKE, "big.bin"].sort());
    } finally {
      await sftp.close();
    }
  });
});

describe("sftp-connector list and query (child process)", () => {
  it("skip our temporary files unless --include-temporary-files", async () => {
    expect(names((await run(["list", ...conn, "--json"])).stdout)).toEqual([LOOK_ALIKE, "big.bin"].sort());
    expect(names((await run(["list", ...conn, "--json", "--include-temporary-files"])).stdout)).toEqual([FRESH, LOOK_ALIKE, OLD, "big.bin"].sort());
    const filter = ["--filter", 'fileName ~ "*sftp-tmp"'];
    expect(names((await run(["query", ...conn, "--json", "-o", "-", ...filter])).stderr)).toEqual([LOOK_ALIKE]);
    expect(names((await run(["query", ...conn, "--json", "-o", "-", ...filter, "--include-temporary-files"])).stderr)).toEqual([FRESH, LOOK_ALIKE, OLD].sort());
  });
});

describe("sftp-connector clean (child process)", () => {
  it("--dry-run lists what it would remove and changes nothing; then clean removes only the old orphan", async () => {
    const dry = await clean([...conn, "--older-than", "1h", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`^${dir}/${OLD.replaceAll(".", "\\.")} +5 +\\S+ +would remove$`, "mu"));
    expect(await remaining()).toEqual([FRESH, LOOK_ALIKE, OLD, "big.bin"].sort());

    const done = await clean([...conn, "--older-than", "1h", "--json"]);
    expect(done.code).toBe(0);
    expect(
      done.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([{ path: `${dir}/${OLD}`, size: 5, modifiedDate: expect.stringMatching(/Z$/u), removed: true }]);
    expect(await remaining()).toEqual([FRESH, LOOK_ALIKE, "big.bin"].sort());

    const again = await clean([...conn, "--older-than", "1h"]);
    expect([again.code, again.stdout, again.stderr]).toEqual([0, "", "no orphaned temporary files\n"]);
  });

  it("a file it may not remove: exit 1, the others still removed; with --json the error is JSON on stderr", async () => {
    await testbed.exec(`mkdir ${dir}/locked && cp -p '${dir}/${OLD}' ${dir}/locked/ && chmod 555 ${dir}/locked`, { user: "tester" });
    try {
      const result = await clean([...conn, "--older-than", "1h", "--recursive", "--json"]);
      expect(result.code).toBe(1);
      expect(
        result.stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as unknown),
      ).toEqual([
        expect.objectContaining({ path: `${dir}/${OLD}`, removed: true }),
        expect.objectContaining({ path: `${dir}/locked/${OLD}`, removed: false, reason: "PERMISSION_DENIED" }),
      ]);
      expect(JSON.parse(result.stderr.trim())).toEqual({ error: { reason: "PERMISSION_DENIED", message: expect.any(String), path: `${dir}/locked/${OLD}` } });
    } finally {
      await testbed.exec(`chmod 755 ${dir}/locked`, { user: "tester" });
    }
  });

  it("a longer --older-than keeps it; a missing or bad --older-than is a usage error (exit 2) before anything is touched", async () => {
    expect((await clean([...conn, "--older-than", "1d", "--json"])).stdout).toBe("");
    const missing = await clean(conn);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--older-than is required");
    const bad = await clean([...conn, "--older-than", "60"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--older-than: expected a duration such as 30m, 1h or 2d, got "60"');
    expect(await remaining()).toEqual([FRESH, LOOK_ALIKE, OLD, "big.bin"].sort());
  });
});
