// Packed tarballs: publint and are-the-types-wrong pass, every package installs with npm in a clean project and imports from ESM and CJS,
// a custom connector made of four packages works from tarballs alone, and each package installed alone type-checks in a strict consumer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";
import { createConsumerTypeChecker } from "./createConsumerTypeChecker.js";

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
        "@sftp-connector/auth",
        "@sftp-connector/coordination-postgres",
        "@sftp-connector/coordination-redis",
        "@sftp-connector/core",
        "@sftp-connector/create",
        "@sftp-connector/delete",
        "@sftp-connector/get",
        "@sftp-connector/list",
        "@sftp-connector/listen",
        "@sftp-connector/poller",
        "@sftp-connector/query",
        "@sftp-connector/testkit",
        "@sftp-connector/transport",
        "@sftp-connector/upsert",
        "sftp-connector",
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
      const esm = await run("node", ["--input-type=module", "-e", `const m = await import(${JSON.stringify(p.name)}); console.log(Object.keys(m).length)`], {
        cwd: project,
      });
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

/**
 * A consumer file per package: a few real names of its public API, used so their types matter. `Object.keys(api)` pulls the
 * whole entry point in; with `skipLibCheck: false` every declaration file it reaches (ours, ssh2's, …) is checked too.
 */
const CONSUMERS: Record<string, string> = {
  "@sftp-connector/core": `import { validateConfig, SftpConnectorError, type NormalizedConnectionConfig, type FileDocument } from "@sftp-connector/core";
export const check = (input: unknown): NormalizedConnectionConfig => validateConfig(input);
export const reasonOf = (error: unknown): string | undefined => (error instanceof SftpConnectorError ? error.reason : undefined);
export type Doc = FileDocument;`,
  "@sftp-connector/auth": `import { password, privateKeyFile, createAuthHandler, type AuthStrategy } from "@sftp-connector/auth";
export const strategies: AuthStrategy[] = [password("secret"), privateKeyFile("/keys/id_ed25519")];
export const handler: typeof createAuthHandler = createAuthHandler;`,
  "@sftp-connector/transport": `import { openSession, SessionPool, defineConnector, type SftpSession, type SessionTarget } from "@sftp-connector/transport";
import { temporaryFileName, uploadViaTemp } from "@sftp-connector/transport/upload";
import { walkDirectory, type WalkEntry } from "@sftp-connector/transport/scan";
export const open: (config: Parameters<typeof openSession>[0]) => Promise<SftpSession> = openSession;
export const close = (pool: SessionPool): Promise<void> => pool.close();
export const define: typeof defineConnector = defineConnector;
export const tempName: string = temporaryFileName("a.txt");
export const upload: typeof uploadViaTemp = uploadViaTemp;
export type Walked = WalkEntry;
export const walk: typeof walkDirectory = walkDirectory;
export type Target = SessionTarget;`,
  "@sftp-connector/get": `import { getFile } from "@sftp-connector/get";
import type { SessionTarget } from "@sftp-connector/transport";
import type { Readable } from "node:stream";
export async function read(target: SessionTarget): Promise<Buffer> {
  const doc = await getFile(target, { fileName: "in/a.txt" }, { failIfNotFound: true, as: "buffer" });
  return doc.content;
}
export async function stream(target: SessionTarget): Promise<Readable | undefined> {
  return (await getFile(target, { fileName: "in/a.txt" }))?.content;
}`,
  "@sftp-connector/create": `import { createFile } from "@sftp-connector/create";
export type Created = Awaited<ReturnType<typeof createFile>>;
export const create: typeof createFile = createFile;`,
  "@sftp-connector/upsert": `import { upsertFile } from "@sftp-connector/upsert";
export type Upserted = Awaited<ReturnType<typeof upsertFile>>;`,
  "@sftp-connector/delete": `import { deleteFile, deleteFiles } from "@sftp-connector/delete";
export const remove: typeof deleteFile = deleteFile;
export type Deleted = Awaited<ReturnType<typeof deleteFiles>>;`,
  "@sftp-connector/list": `import { listFiles } from "@sftp-connector/list";
import type { SessionTarget } from "@sftp-connector/transport";
export async function names(target: SessionTarget): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of listFiles(target, { remoteDirectory: "in" })) out.push(String(entry.fileName));
  return out;
}`,
  "@sftp-connector/query": `import { queryFiles } from "@sftp-connector/query";
export type Queried = ReturnType<typeof queryFiles>;`,
  "@sftp-connector/listen": `import { listen } from "@sftp-connector/listen";
export type Listening = ReturnType<typeof listen>;`,
  "@sftp-connector/poller": `import { createDirectoryPoller, createMemoryStore } from "@sftp-connector/poller";
export const store = createMemoryStore();
export const makePoller: typeof createDirectoryPoller = createDirectoryPoller;`,
  "sftp-connector": `import { createSftpConnector, type SftpConnector } from "sftp-connector";
export const make: typeof createSftpConnector = createSftpConnector;
export async function read(connector: SftpConnector): Promise<Buffer> {
  return (await connector.get({ fileName: "in/a.txt" }, { failIfNotFound: true, as: "buffer" })).content;
}`,
  "@sftp-connector/coordination-postgres": `import { createPostgresCoordination, coordinationDdl, migrate, type PostgresCoordination } from "@sftp-connector/coordination-postgres";
export const make: typeof createPostgresCoordination = createPostgresCoordination;
export const ddl: typeof coordinationDdl = coordinationDdl;
export const up: typeof migrate = migrate;
export type Coordination = PostgresCoordination;`,
  "@sftp-connector/coordination-redis": `import { createRedisCoordination, redisKeysFor, type RedisCoordination } from "@sftp-connector/coordination-redis";
export const make: typeof createRedisCoordination = createRedisCoordination;
export const keys: typeof redisKeysFor = redisKeysFor;
export type Coordination = RedisCoordination;`,
  "@sftp-connector/testkit": `import { startTestbed, type Testbed } from "@sftp-connector/testkit";
export async function port(): Promise<number> {
  const testbed: Testbed = await startTestbed();
  return testbed.port;
}`,
};

/**
 * The compiler options every variant shares: what a careful Node consumer sets. `lib` without the DOM and
 * `skipDefaultLibCheck` (TypeScript's own lib files only); every other declaration file is checked.
 */
const STRICT = { strict: true, skipLibCheck: false, skipDefaultLibCheck: true, noEmit: true, target: "es2022", lib: ["es2022"], types: ["node"] };
const TSC_VARIANTS = [
  { name: "node16", options: { module: "node16", moduleResolution: "node16" }, files: ["consumer.ts", "consumer.cts"] },
  { name: "bundler", options: { module: "esnext", moduleResolution: "bundler" }, files: ["consumer.ts"] },
];

/** At most `limit` of the returned function's calls run at once. */
function limiter(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
/**
 * npm installs run in child processes, as many at once as there are cores (two in CI): an install mostly waits on the disk and the
 * cache (about a quarter of a core each). The type checks run in this worker, one at a time and synchronously, so this file never
 * has more than one compiler busy (the old way ran up to three `tsc` processes at once on two cores shared with the suite).
 */
const installing = limiter(Math.max(1, availableParallelism()));
const checkTypes = createConsumerTypeChecker();

/** The project's packages `name` needs installed beside it (dependencies and peers, transitively): they are not on the registry. */
function projectClosure(name: string, seen = new Set<string>()): Set<string> {
  const pkg = packages.find((p) => p.name === name)!;
  const manifest = JSON.parse(readFileSync(join(pkg.dir, "package.json"), "utf8"));
  for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]) {
    if (seen.has(dep) || !packages.some((p) => p.name === dep)) continue;
    seen.add(dep);
    projectClosure(dep, seen);
  }
  return seen;
}

describe.concurrent("each package installed alone with npm type-checks in a consumer (node16 and bundler, skipLibCheck: false, strict)", () => {
  it("has a consumer file for every published package", () => {
    expect(Object.keys(CONSUMERS).sort()).toEqual(packages.map((p) => p.name).sort());
  });

  for (const name of Object.keys(CONSUMERS)) {
    it(name, async () => {
      // Each consumer in its own folder with its own node_modules, installed nested (each package's dependencies in its own
      // node_modules, none hoisted): a dependency the package forgot is missing there even when a sibling package declares it
      // (transport without @types/ssh2 would still find auth's hoisted copy in a default, hoisted install).
      const project = join(work, "types", name.replace("/", "+"));
      execFileSync("mkdir", ["-p", project]);
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "types-consumer", version: "1.0.0", private: true, type: "module" }));
      const tarballs = [name, ...projectClosure(name)].map((n) => packages.find((p) => p.name === n)!.tarball);
      // The default npm cache is shared by every install; --prefer-offline skips registry round trips for what it holds.
      await installing(() =>
        run(
          "npm",
          [
            "install",
            "--install-strategy=nested",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--prefer-offline",
            "--loglevel=error",
            ...tarballs,
            "@types/node@^20",
          ],
          { cwd: project },
        ),
      ).catch((error: { stdout: string; stderr: string }) => {
        throw new Error(`npm install of ${name} with its project dependencies failed:\n${error.stdout}${error.stderr}`);
      });
      writeFileSync(join(project, "consumer.ts"), CONSUMERS[name]! + "\n");
      writeFileSync(join(project, "consumer.cts"), CONSUMERS[name]! + "\n");
      for (const variant of TSC_VARIANTS) {
        // The program is the one `tsc -p tsconfig` builds there.
        const tsconfig = join(project, `tsconfig.${variant.name}.json`);
        writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { ...STRICT, ...variant.options }, files: variant.files }));
        const result = checkTypes(tsconfig, variant.name);
        if (result.errors) {
          throw new Error(
            `${name}: its published types do not compile in a consumer installed with npm (moduleResolution ${variant.name}, skipLibCheck: false, strict):\n${result.errors}`,
          );
        }
        const own = join(project, "node_modules", ...name.split("/"), "dist") + "/";
        expect(result.checked.filter((file) => file.startsWith(own)).length, `${name} (${variant.name}): its declaration files were checked`).toBeGreaterThan(
          0,
        );
      }
    }, 300_000);
  }
});
