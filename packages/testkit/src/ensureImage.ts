// Makes sure an image built from a recipe exists: an existing local image first, else debootstrap + docker import (as root), else a Dockerfile build; one build at a time across processes.
import { spawn } from "node:child_process";
import { mkdtemp, writeFile, rm, mkdir, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerRequest, prepareDockerEnvironment } from "./dockerEngine.js";

/** How to build a missing image. */
export type ImageBuilder = "debootstrap" | "dockerfile";

/** Options of {@link ensureImage} (and of the functions built on it). */
export interface EnsureImageOptions {
  /** Receives progress lines (the build's output). @default silent */
  log?: (line: string) => void;
  /** How to build a missing image. @default "debootstrap" when running as root with debootstrap on PATH, else "dockerfile" */
  builder?: ImageBuilder;
}

/** What {@link ensureImage} builds: a tag keyed by the recipe, and the two ways to build it. */
export interface ImageRecipe {
  /** `REPOSITORY:HASH`, the hash taken over the recipe. */
  tag: string;
  /** A bash script taking `IMAGE:TAG` as its argument: debootstrap a root filesystem and `docker import` it. */
  debootstrapScript: string;
  /** The same image from a Dockerfile, for machines where a registry is reachable. */
  dockerfile: string;
  /** The environment variable that names an image to use instead (it must exist). */
  overrideEnv: string;
}

async function imageExists(tag: string): Promise<boolean> {
  const res = await dockerRequest("GET", `/images/${encodeURIComponent(tag)}/json`);
  return res.status === 200;
}

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      tail = (tail + text).slice(-4000);
      for (const line of text.split("\n")) if (line.trim()) log(line);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${tail}`))));
  });
}

async function onPath(command: string): Promise<boolean> {
  try {
    await run("sh", ["-c", `command -v ${command}`], () => {});
    return true;
  } catch {
    return false;
  }
}

/** A lock across processes (several test runs may want the same image): a directory created atomically. */
async function withLock<T>(name: string, work: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  const lock = join(tmpdir(), `${name}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the lock ${lock}; remove it if no build is running.`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(lock).catch(() => {});
  }
}

/**
 * Returns the recipe's image tag, building the image when the engine lacks it (once across
 * processes: a lock in the temporary directory). `recipe.overrideEnv`, when set, names an image to
 * use instead.
 */
export async function ensureImage(recipe: ImageRecipe, options: EnsureImageOptions = {}): Promise<string> {
  const log = options.log ?? (() => {});
  await prepareDockerEnvironment();
  const override = process.env[recipe.overrideEnv];
  if (override) {
    if (!(await imageExists(override))) throw new Error(`${recipe.overrideEnv} names ${override}, which the Docker engine does not have.`);
    return override;
  }
  const { tag } = recipe;
  if (await imageExists(tag)) return tag;
  const [repository, hash] = tag.split(":");
  return withLock(`${repository}-${hash}`, async () => {
    if (await imageExists(tag)) return tag;
    const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
    const builder = options.builder ?? (isRoot && (await onPath("debootstrap")) ? "debootstrap" : "dockerfile");
    const dir = await mkdtemp(join(tmpdir(), `${repository}-recipe-`));
    const started = Date.now();
    log(`building ${tag} with ${builder} (first run only; about a minute)`);
    try {
      if (builder === "debootstrap") {
        await writeFile(join(dir, "build.sh"), recipe.debootstrapScript, { mode: 0o755 });
        await run("bash", [join(dir, "build.sh"), tag], log);
      } else {
        await writeFile(join(dir, "Dockerfile"), recipe.dockerfile);
        const { GenericContainer } = await import("testcontainers");
        await GenericContainer.fromDockerfile(dir).build(tag, { deleteOnExit: false });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    if (!(await imageExists(tag))) throw new Error(`Building ${tag} finished but the engine does not list the image.`);
    log(`built ${tag} in ${Math.round((Date.now() - started) / 1000)} s`);
    return tag;
  });
}
