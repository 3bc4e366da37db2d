// Runs one database engine (PostgreSQL or Redis) from the engines image: host network, testbed label, a ready log line, then a real probe; exec, restart, pause, stop.
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from "testcontainers";
import { TESTBED_LABEL, prepareDockerEnvironment } from "./dockerEngine.js";
import { ensureEngineImage } from "./ensureEngineImage.js";
import type { ExecResult } from "./startTestbed.js";

/** What {@link startEngineContainer} needs to know about one engine. */
export interface EngineContainerSpec {
  /** `startPostgres` or `startRedis`: names the caller in error messages. */
  caller: string;
  /** The image to run; undefined means `ensureEngineImage()`. */
  image: string | undefined;
  /** The user the container's processes (and exec, by default) run as. */
  user: string;
  /** The start script (sh), copied into the container and run as its command. */
  script: string;
  /** A line the engine logs once it accepts connections. */
  readyLine: RegExp;
  /** A command (argv), run in the container, that exits 0 once the engine answers a real request. */
  probe: readonly string[];
  /** Environment of every exec (e.g. the password for the engine's client), kept out of command lines and error messages. */
  execEnv: Record<string, string>;
  /** How long starting (and each restart) may take. */
  startupTimeoutMs: number;
  signal: AbortSignal | undefined;
}

/** Options of {@link EngineContainer.exec}. */
export interface EngineExecOptions {
  /** The user to run as. @default the engine's user (`postgres` or `redis`) */
  user?: string;
  /** Resolve with a non-zero exit code instead of throwing. @default false */
  allowFailure?: boolean;
}

/** A started engine container, the part `startPostgres` and `startRedis` share. */
export interface EngineContainer {
  containerId: string;
  /** Runs `argv` in the container (as the engine's user unless `user` is given); throws on a non-zero exit unless `allowFailure`. */
  run(argv: readonly string[], options?: EngineExecOptions): Promise<ExecResult>;
  /** Runs `sh -c command` in the container, as {@link EngineContainer.run} does. */
  exec(command: string, options?: EngineExecOptions): Promise<ExecResult>;
  restart(): Promise<void>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  stop(): Promise<void>;
}

/** Throws when `options` holds a key `known` does not list (an unknown option is an error). */
export function rejectUnknownOptions(caller: string, options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new Error(`${caller}: unknown option(s) ${unknown.join(", ")}; known: ${known.join(", ")}`);
}

/** Starts the container and resolves once `spec.probe` succeeds in it; removes it again when that fails. */
export async function startEngineContainer(spec: EngineContainerSpec): Promise<EngineContainer> {
  spec.signal?.throwIfAborted();
  await prepareDockerEnvironment();
  const image = spec.image ?? (await ensureEngineImage());
  spec.signal?.throwIfAborted();
  const container: StartedTestContainer = await new GenericContainer(image)
    .withNetworkMode("host")
    .withUser(spec.user)
    .withLabels({ [TESTBED_LABEL]: process.env.SFTP_TESTBED_RUN_ID ?? "adhoc" })
    .withCopyContentToContainer([{ content: spec.script, target: "/etc/engine-start.sh", mode: 0o755 }])
    .withCommand(["/bin/sh", "/etc/engine-start.sh"])
    .withWaitStrategy(Wait.forLogMessage(spec.readyLine))
    .withStartupTimeout(spec.startupTimeoutMs)
    .start();

  const run: EngineContainer["run"] = async (argv, options = {}) => {
    const result = await container.exec([...argv], { user: options.user ?? spec.user, env: spec.execEnv });
    const out = { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
    if (out.exitCode !== 0 && !options.allowFailure) {
      throw new Error(`${spec.caller} exec failed (exit ${out.exitCode}): ${argv.join(" ")}\n${out.stderr || out.stdout}`);
    }
    return out;
  };
  const probe = async (signal: AbortSignal | undefined) => {
    const deadline = Date.now() + spec.startupTimeoutMs;
    let last: ExecResult | undefined;
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      last = await run(spec.probe, { allowFailure: true });
      if (last.exitCode === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `${spec.caller}: the engine did not answer within ${spec.startupTimeoutMs} ms (${(last?.stderr || last?.stdout || "").trim()}); see docker logs ${container.getId()}`,
    );
  };
  const docker = async () => (await getContainerRuntimeClient()).container.getById(container.getId());

  try {
    await probe(spec.signal);
  } catch (error) {
    await container.stop({ timeout: 0 }).catch(() => {});
    throw error;
  }
  return {
    containerId: container.getId(),
    run,
    exec: (command, options) => run(["sh", "-c", command], options),
    async restart() {
      await container.restart();
      await probe(undefined);
    },
    async pause() {
      await (await docker()).pause();
    },
    async unpause() {
      await (await docker()).unpause();
    },
    async stop() {
      const c = await docker();
      const state = await c.inspect().catch(() => undefined);
      if (state?.State.Paused) await c.unpause();
      await container.stop({ timeout: 2_000 });
    },
  };
}
