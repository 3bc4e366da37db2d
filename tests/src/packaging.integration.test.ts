// Packed tarballs: publint and are-the-types-wrong pass, every package installs with npm in a clean project and imports from ESM and CJS,
// and a custom connector made of four packages works from tarballs alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = (name: string) => join(root, "tests", "node_modules", ".bin", name);

interface Pkg {
  name: string;
  dir: string;
  tarball: string;
  bin: boolean;
}
const packages: Pkg[] = [];
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "sftp-packaging-"));
  const dirs = readdirSync(join(root, "packages")).map((d) => join(root, "packages", d));
  for (const dir of dirs) {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (manifest.private) continue;
    if (!existsSync(join(dir, "dist"))) {
      execFileSync("pnpm", ["-r", "--filter", "./packages/*", "build"], { cwd: root, stdio: "ignore" });
    }
    const out = execFileSync("pnpm", ["pack", "--pack-destination", work], { cwd: dir, encoding: "utf8" });
    const tarball = out.trim().split("\n").pop()!.trim();
    packages.push({ name: manifest.name, dir, tarball: tarball.startsWith("/") ? tarball : join(work, tarball), bin: Boolean(manifest.bin) });
  }
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("every published package", () => {
  it("has its tarball", () => {
    expect(packages.map((p) => p.name).sort()).toEqual(
      [
        "@sftp-connector/auth", "@sftp-connector/core", "@sftp-connector/create", "@sftp-connector/delete", "@sftp-connector/get",
        "@sftp-connector/list", "@sftp-connector/listen", "@sftp-connector/poller", "@sftp-connector/query", "@sftp-connector/testkit",
        "@sftp-connector/transport", "@sftp-connector/upsert", "sftp-connector",
      ].sort(),
    );
    for (const p of packages) expect(existsSync(p.tarball), p.tarball).toBe(true);
  });

  it("passes publint", async () => {
    for (const p of packages) {
      const { stdout } = await run(bin("publint"), ["run", p.dir, "--strict"]).catch((error: { stdout: string; stderr: string }) => {
        throw new Error(`publint ${p.name}:\n${error.stdout}${error.stderr}`);
      });
      expect(stdout, p.name).not.toMatch(/error/i);
    }
  }, 120_000);

  it("passes are-the-types-wrong (ESM, CJS and types resolve)", async () => {
    for (const p of packages) {
      await run(bin("attw"), [p.tarball, "--profile", "node16", "--format", "ascii"]).catch((error: { stdout: string; stderr: string }) => {
        throw new Error(`attw ${p.name}:\n${error.stdout}${error.stderr}`);
      });
    }
  }, 180_000);

  it("installs from tarballs with npm in a clean project and imports from ESM and CJS", async () => {
    const project = join(work, "all");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    await run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", ...packages.map((p) => p.tarball)], { cwd: project });
    for (const p of packages) {
      const esm = await run("node", ["--input-type=module", "-e", `const m = await import(${JSON.stringify(p.name)}); console.log(Object.keys(m).length)`], { cwd: project });
      expect(Number(esm.stdout.trim()), `${p.name} (ESM)`).toBeGreaterThan(0);
      const cjs = await run("node", ["-e", `console.log(Object.keys(require(${JSON.stringify(p.name)})).length)`], { cwd: project });
      expect(Number(cjs.stdout.trim()), `${p.name} (CJS)`).toBeGreaterThan(0);
    }
    const cli = await run(join(project, "node_modules", ".bin", "sftp-connector"), ["--help"], { cwd: project });
    expect(cli.stdout).toMatch(/sftp-connector/);
  }, 300_000);
});

describe("examples/custom-connector from tarballs", () => {
  let testbed: Testbed;
  beforeAll(async () => {
    testbed = await startTestbed();
  });
  afterAll(async () => {
    await testbed?.stop();
  });

  it("works with only core, auth, transport, get and create installed", async () => {
    const project = join(work, "custom");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "custom", version: "1.0.0", private: true, type: "module" }));
    const chosen = ["@sftp-connector/core", "@sftp-connector/auth", "@sftp-connector/transport", "@sftp-connector/get", "@sftp-connector/create"];
    const tarballs = chosen.map((name) => packages.find((p) => p.name === name)!.tarball);
    await run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", ...tarballs], { cwd: project });
    expect(readdirSync(join(project, "node_modules", "@sftp-connector")).sort()).toEqual(["auth", "core", "create", "get", "transport"]);
    copyFileSync(join(root, "examples", "custom-connector", "connector.mjs"), join(project, "connector.mjs"));
    const { stdout } = await run("node", ["connector.mjs"], {
      cwd: project,
      env: {
        ...process.env,
        SFTP_HOST: testbed.host,
        SFTP_PORT: String(testbed.port),
        SFTP_USER: testbed.users.password.username,
        SFTP_PASSWORD: testbed.users.password.password,
        SFTP_FINGERPRINT: testbed.hostKey.fingerprint,
      },
    });
    expect(stdout).toContain("Created the file successfully: /home/tester/custom.txt");
    expect(stdout).toContain('read back: "made by a custom connector\\n"');
  }, 300_000);
});
