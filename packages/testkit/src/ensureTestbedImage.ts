// Makes sure the testbed image exists: an existing local image first, else debootstrap + docker import (as root), else a Dockerfile build.
import { spawn } from "node:child_process";
import { mkdtemp, writeFile, rm, mkdir, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEBOOTSTRAP_BUILD_SCRIPT, TESTBED_DOCKERFILE, testbedImageTag } from "./imageRecipe.js";
import { dockerRequest, prepareDockerEnvironment } from "./dockerEngine.js";

/** Options of {@link ensureTestbedImage}. */
export interface EnsureTestbedImageOptions {
  /** Receives progress lines (the build's output). @default silent */
  log?: (line: string) => void;
  /** How to build a missing image. @default "debootstrap" when running as root with debootstrap on PATH, else "dockerfile" */
  builder?: "debootstrap" | "dockerfile";
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
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${tail}`)),
    );
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
 * Returns the tag of the testbed image, building it when missing. The tag is keyed by a hash of the
 * recipe, so a changed recipe builds a new image. `SFTP_TESTBED_IMAGE` names an image to use instead.
 */
export async function ensureTestbedImage(options: EnsureTestbedImageOptions = {}): Promise<string> {
  const log = options.log ?? (() => {});
  await prepareDockerEnvironment();
  const override = process.env.SFTP_TESTBED_IMAGE;
  if (override) {
    if (!(await imageExists(override))) throw new Error(`SFTP_TESTBED_IMAGE names ${override}, which the Docker engine does not have.`);
    return override;
  }
  const tag = testbedImageTag();
  if (await imageExists(tag)) return tag;
  return withLock(`sftp-connector-testbed-${tag.split(":")[1]}`, async () => {
    if (await imageExists(tag)) return tag;
    const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
    const builder = options.builder ?? (isRoot && (await onPath("debootstrap")) ? "debootstrap" : "dockerfile");
    const dir = await mkdtemp(join(tmpdir(), "sftp-testbed-recipe-"));
    const started = Date.now();
    log(`building ${tag} with ${builder} (first run only; about a minute)`);
    try {
      if (builder === "debootstrap") {
        await writeFile(join(dir, "build.sh"), DEBOOTSTRAP_BUILD_SCRIPT, { mode: 0o755 });
        await run("bash", [join(dir, "build.sh"), tag], log);
      } else {
        await writeFile(join(dir, "Dockerfile"), TESTBED_DOCKERFILE);
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
