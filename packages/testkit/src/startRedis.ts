// Starts a throwaway Redis 7 server on 127.0.0.1 (Debian's package, host network) for tests of Redis coordination.
import { freePorts, type ExecResult } from "./startTestbed.js";
import { rejectUnknownOptions, startEngineContainer, type EngineExecOptions } from "./startEngineContainer.js";

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /**
   * `appendonly yes` (writes survive a restart) or `no`: with RDB snapshots off too (`save ""`),
   * `false` gives a volatile server, one a coordination store should refuse.
   * @default true
   */
  appendonly?: boolean;
  /** `requirepass`: clients must AUTH with it. @default undefined (no password) */
  password?: string;
  /** The image to run. @default the result of `ensureEngineImage()` (or SFTP_ENGINES_IMAGE) */
  image?: string;
  /** How long starting (and each restart) may take. @default 60000 */
  startupTimeoutMs?: number;
  /** Aborts starting: rejects with the signal's reason and leaves no container behind. */
  signal?: AbortSignal;
}

/** A running Redis server. It listens on 127.0.0.1 only. */
export interface RedisServer {
  /** Always `127.0.0.1`. */
  host: string;
  /** The TCP port, free when chosen. */
  port: number;
  /** The `requirepass` password, when started with one. */
  password?: string;
  /** `redis://[:password@]127.0.0.1:PORT`, for `new Redis(url)` (ioredis). */
  url: string;
  /** Whether the server runs with `appendonly yes`. */
  appendonly: boolean;
  /** The container's id. */
  containerId: string;
  /**
   * Runs one command with `redis-cli` inside the container (authenticated when there is a password)
   * and resolves with its raw reply, trimmed, e.g. `cli("SET", "k", "v")` → `"OK"`. Rejects on an error reply.
   */
  cli(...args: string[]): Promise<string>;
  /** Runs `sh -c command` in the container (as `redis` unless `user` is given); throws on a non-zero exit unless `allowFailure`. */
  exec(command: string, options?: EngineExecOptions): Promise<ExecResult>;
  /** Restarts the container (with `appendonly`, the data survives) and waits until `PING` answers `PONG`. */
  restart(): Promise<void>;
  /** Freezes every process of the container (`docker pause`): connections stall, nothing is refused. */
  pause(): Promise<void>;
  /** Thaws a paused container. */
  unpause(): Promise<void>;
  /** Stops and removes the container (unpausing it first when paused). */
  stop(): Promise<void>;
}

const KNOWN_OPTIONS = ["appendonly", "password", "image", "startupTimeoutMs", "signal"] as const;

/**
 * Starts Redis 7 (Debian bookworm's package) in a container with host networking, on a free port
 * of 127.0.0.1, with RDB snapshots off (`save ""`) and `appendonly` as asked. Resolves once
 * `redis-cli PING` answers `PONG`. Builds the engines image on first use (about a minute).
 *
 * @example
 * ```ts
 * const server = await startRedis({ password: "secret" });
 * try {
 *   const redis = new Redis(server.url); // ioredis
 *   await redis.set("greeting", "hello");
 *   console.log(await server.cli("GET", "greeting")); // hello
 *   redis.disconnect();
 * } finally {
 *   await server.stop();
 * }
 * ```
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  rejectUnknownOptions("startRedis", options, KNOWN_OPTIONS);
  const { password, appendonly = true, startupTimeoutMs = 60_000 } = options;
  if (password !== undefined && (password === "" || /[\r\n]/.test(password))) throw new Error("startRedis: password must be non-empty and one line");
  const [port] = await freePorts(1);
  const config = [
    "bind 127.0.0.1",
    `port ${port}`,
    'save ""',
    `appendonly ${appendonly ? "yes" : "no"}`,
    "dir /tmp/redis-data",
    ...(password === undefined ? [] : [`requirepass "${password.replace(/[\\"]/g, "\\$&")}"`]),
  ];
  const script = [
    "set -e",
    "mkdir -p /tmp/redis-data",
    "umask 077",
    "cat > /tmp/redis.conf <<'END_OF_REDIS_CONF'",
    ...config,
    "END_OF_REDIS_CONF",
    "exec redis-server /tmp/redis.conf",
    "",
  ].join("\n");
  const cliArgv = ["redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p", String(port)];
  const engine = await startEngineContainer({
    caller: "startRedis",
    image: options.image,
    user: "redis",
    script,
    readyLine: /Ready to accept connections/,
    probe: ["sh", "-c", `[ "$(${cliArgv.join(" ")} PING)" = PONG ]`],
    execEnv: password === undefined ? {} : { REDISCLI_AUTH: password },
    startupTimeoutMs,
    signal: options.signal,
  });
  const auth = password === undefined ? "" : `:${encodeURIComponent(password)}@`;
  return {
    host: "127.0.0.1",
    port: port!,
    ...(password === undefined ? {} : { password }),
    url: `redis://${auth}127.0.0.1:${port}`,
    appendonly,
    containerId: engine.containerId,
    async cli(...args) {
      const result = await engine.run([...cliArgv, ...args], { allowFailure: true });
      const reply = result.stdout.trim();
      if (result.exitCode !== 0 || /^(ERR|WRONGTYPE|NOAUTH|WRONGPASS|NOPERM) /.test(reply)) {
        throw new Error(`startRedis cli ${args[0] ?? ""} failed (exit ${result.exitCode}): ${reply || result.stderr.trim()}`);
      }
      return reply;
    },
    exec: engine.exec,
    restart: engine.restart,
    pause: engine.pause,
    unpause: engine.unpause,
    stop: engine.stop,
  };
}
