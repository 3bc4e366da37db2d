// `sftp-connector listen [--exec CMD]`: hands each new, changed or removed remote file to a command (or prints it) until stopped.
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { isSftpConnectorError, quotePath } from "@sftp-connector/core";
import type { AfterProcessing, ListenDocument, ListenHandler, ListenOptions, Listener } from "@sftp-connector/listen";
import type { CommandSpec } from "./CommandSpec.js";
import { TableWriter, type Column } from "./formatTable.js";
import { parseDuration, type ParsedArgv } from "./parseArgv.js";
import { execEnvironment, runExec } from "./runExec.js";
import { openCoordination, type OpenedCoordination } from "./openCoordination.js";
import { UsageError } from "./UsageError.js";

/** `--after delete|move:DIR|none` → `afterProcessing`. */
export function parseAfter(text: string): AfterProcessing {
  if (text === "none" || text === "delete") return text;
  if (text.startsWith("move:") && text.slice(5).trim() !== "") return { moveTo: text.slice(5).trim() };
  throw new UsageError(`--after: expected delete, move:DIR or none, got ${JSON.stringify(text)}`, "listen");
}

/** `--stable-after N` (polls) or a duration (`3s`, `500ms`) → `stableAfter`. */
export function parseStableAfter(text: string): { polls: number } | { ms: number } {
  if (/^\s*\d+\s*$/.test(text)) return { polls: Number(text) };
  return { ms: parseDuration(text, "--stable-after", "listen") };
}

/** The listener's options from the command line. */
function listenOptions(args: ParsedArgv, remoteDirectory: string, cwd: string): ListenOptions {
  const string = (name: string) => args.string(name);
  const interval = string("interval");
  const stable = string("stable-after");
  const after = string("after");
  const state = string("state");
  const depthText = string("depth");
  const concurrency = args.integer("concurrency", 1, 64);
  const backoff = string("retry-backoff");
  const filter = string("filter");
  const pattern = string("pattern");
  const ignore = args.strings("ignore");
  return {
    remoteDirectory,
    ...(interval === undefined ? {} : { pollingIntervalMs: parseDuration(interval, "--interval", "listen") }),
    ...(filter === undefined ? {} : { filter }),
    ...(pattern === undefined ? {} : { pattern }),
    recursive: args.flag("recursive"),
    ...(depthText === undefined ? {} : { depth: depthText === "all" ? Number.POSITIVE_INFINITY : (args.integer("depth", 0) as number) }),
    ...(stable === undefined ? {} : { stableAfter: parseStableAfter(stable) }),
    ...(state === undefined ? {} : { stateFile: resolve(cwd, state) }),
    emitInitial: args.flag("emit-initial"),
    ...(after === undefined ? {} : { afterProcessing: parseAfter(after) }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(args.flag("singleton") ? { isSingleton: true } : {}),
    ...(ignore.length === 0 ? {} : { ignore }),
    ...(backoff === undefined ? {} : { retryBackoffMs: parseDuration(backoff, "--retry-backoff", "listen") }),
    allowAbsolutePaths: args.flag("allow-absolute-paths"),
  };
}

/** `--coordination URL` and its companions → the coordination options of the listener (and the engine client to close), or none. */
async function coordinationOptions(args: ParsedArgv, env: NodeJS.ProcessEnv): Promise<{ options: Partial<ListenOptions>; opened?: OpenedCoordination }> {
  const url = args.string("coordination");
  const mode = args.string("mode");
  const key = args.string("coordination-key");
  const passwordEnv = args.string("coordination-password-env");
  const visibility = args.string("visibility");
  const leaseTtl = args.string("lease-ttl");
  if (mode !== undefined && mode !== "failover" && mode !== "shared")
    throw new UsageError(`--mode: expected failover or shared, got ${JSON.stringify(mode)}`, "listen", "--mode");
  if (url === undefined) {
    for (const [flag, value] of [
      ["--mode", mode],
      ["--coordination-key", key],
      ["--coordination-password-env", passwordEnv],
      ["--visibility", visibility],
      ["--lease-ttl", leaseTtl],
    ] as const) {
      if (value !== undefined) throw new UsageError(`${flag} needs --coordination postgres://… or redis://…`, "listen", flag);
    }
    return { options: {} };
  }
  for (const flag of ["state", "singleton"] as const) {
    if (flag === "state" ? args.string(flag) !== undefined : args.flag(flag)) {
      throw new UsageError(`--${flag} does not go with --coordination, which keeps the state and the lock in its engine`, "listen", `--${flag}`);
    }
  }
  if (visibility !== undefined && mode !== "shared") throw new UsageError("--visibility is for --mode shared", "listen", "--visibility");
  let password: string | undefined;
  if (passwordEnv !== undefined) {
    password = env[passwordEnv];
    if (password === undefined)
      throw new UsageError(`--coordination-password-env: the environment variable ${passwordEnv} is not set`, "listen", "--coordination-password-env");
  }
  const ttlMs = leaseTtl === undefined ? undefined : parseDuration(leaseTtl, "--lease-ttl", "listen");
  if (ttlMs !== undefined && ttlMs < 1_000) throw new UsageError(`--lease-ttl: expected at least 1s, got ${JSON.stringify(leaseTtl)}`, "listen", "--lease-ttl");
  const visibilityMs = visibility === undefined ? undefined : parseDuration(visibility, "--visibility", "listen");
  // Every flag is checked before the engine client is made: a usage error leaves no connection open.
  const opened = await openCoordination(url, { ...(password === undefined ? {} : { password }), ...(ttlMs === undefined ? {} : { ttlMs }) });
  return {
    opened,
    options: {
      coordination: opened.coordination,
      ...(mode === undefined ? {} : { mode }),
      ...(key === undefined ? {} : { key }),
      ...(visibilityMs === undefined ? {} : { visibilityMs }),
    },
  };
}

/** An event as printed. */
interface EventRecord {
  event: ListenDocument["event"];
  fileName: string;
  remoteDirectory: string;
  timestamp?: string;
  size?: number;
  attempt: number;
  /** The lease's fencing token, with --coordination. */
  fencingToken?: string;
}

const EVENT_COLUMNS: readonly Column<EventRecord>[] = [
  { header: "EVENT", value: (e) => e.event, minWidth: 8 },
  { header: "SIZE", value: (e) => e.size, align: "right", minWidth: 10 },
  { header: "MODIFIED", value: (e) => e.timestamp, minWidth: 23 },
  { header: "NAME", value: (e) => e.fileName },
];

/** Resolves when `signal` is aborted. */
const stopped = (signal: AbortSignal) =>
  new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));

/** `listen`. */
export const listenCommand: CommandSpec = {
  name: "listen",
  summary: "Watch a remote directory; run a command per new, changed or removed file (LISTEN)",
  usage: "listen [--exec CMD] [options]",
  description: [
    "Polls the remote directory (--remote-dir, or the config's) and hands each change to CMD, once per change:",
    "CMD runs through the shell with the file's content on stdin and its properties in the environment",
    "(SFTP_FILE_NAME, SFTP_REMOTE_DIRECTORY, SFTP_PATH, SFTP_EVENT, SFTP_TIMESTAMP, SFTP_SIZE, SFTP_ATTEMPT, SFTP_FENCING_TOKEN with --coordination).",
    "A non-zero exit fails the event: it is retried, and the file is not marked processed. Without --exec",
    "each event is printed. With --state FILE a restart delivers exactly what changed while stopped.",
    "Runs until SIGINT or SIGTERM, then finishes the command in flight, saves the state and exits 0.",
    "A changed server host key stops it with exit code 1 (error [HOST_KEY_MISMATCH]).",
  ],
  options: {
    exec: { type: "string" },
    interval: { type: "string" },
    filter: { type: "string" },
    pattern: { type: "string" },
    recursive: { type: "boolean" },
    depth: { type: "string" },
    "stable-after": { type: "string" },
    state: { type: "string" },
    "emit-initial": { type: "boolean" },
    after: { type: "string" },
    concurrency: { type: "string" },
    singleton: { type: "boolean" },
    ignore: { type: "string", multiple: true },
    "retry-backoff": { type: "string" },
    "allow-absolute-paths": { type: "boolean" },
    coordination: { type: "string" },
    "coordination-key": { type: "string" },
    "coordination-password-env": { type: "string" },
    mode: { type: "string" },
    visibility: { type: "string" },
    "lease-ttl": { type: "string" },
  },
  optionHelp: [
    ["--exec CMD", "the command to run per event (through the shell)"],
    ["--interval DURATION", "pause between polls: 500 (ms), 500ms, 5s, 1m (default 5s, least 100ms)"],
    ["--filter EXPR", `which files: e.g. 'fileName ~ "*.csv" and fileSize > 0'`],
    ["--pattern GLOB", "shorthand for a fileName wildcard, e.g. '*.csv'"],
    ["--recursive", "one level of sub-directories too"],
    ["--depth N|all", "levels of sub-directories to watch"],
    ["--stable-after N|DURATION", "deliver a file only once unchanged for N polls or for DURATION (default 1 poll)"],
    ["--state FILE", "keep the snapshot of processed files in FILE across restarts"],
    ["--emit-initial", "deliver the files present at the first start as added"],
    ["--after delete|move:DIR|none", "after CMD succeeded: delete the remote file, or move it into DIR"],
    ["--concurrency N", "events handled at once (default 1)"],
    ["--singleton", "only one listener per remote directory on this machine"],
    ["--ignore GLOB", "never deliver matching names (repeatable)"],
    ["--retry-backoff DURATION", "wait before a failed event is tried again (default 1s)"],
    ["--allow-absolute-paths", "let --after move:DIR be absolute or outside the remote directory"],
    [
      "--coordination URL",
      "run as one of a group of listeners on several machines: postgres://user@host:port/db or redis://host:port (needs pg or ioredis installed)",
    ],
    ["--coordination-key NAME", "the group's name: every listener of the group gives the same (default sftp://host:port/dir)"],
    ["--coordination-password-env VAR", "the engine's password, read from the environment variable VAR"],
    [
      "--mode failover|shared",
      "failover: one listener handles everything, another takes over when it dies; shared: all handle changes from a queue (default failover)",
    ],
    ["--lease-ttl DURATION", "--coordination: how long the lease outlives a member that stopped renewing it, e.g. one that was killed (default 30s, least 1s)"],
    ["--visibility DURATION", "--mode shared: how long a claimed change is hidden from the others before it is redelivered (default 60s)"],
  ],
  maxPositionals: 0,
  handlesStop: true,
  examples: [
    "sftp-connector listen --remote-dir inbox --pattern '*.csv' --state inbox.state.json --after move:done \\\n      --exec 'import-orders --name \"$SFTP_FILE_NAME\"'",
    "sftp-connector listen --remote-dir inbox --coordination postgres://etl@db:5432/etl --coordination-password-env PGPASSWORD \\\n      --coordination-key inbox --mode shared --exec 'import-orders'",
  ],
  async run({ args, connector, out, io, cwd, signal }) {
    const remoteDirectory = connector.config.remoteDirectory;
    if (remoteDirectory === undefined) throw new UsageError("listen needs the directory to watch: --remote-dir DIR (or remoteDirectory in --config)", "listen");
    const local = listenOptions(args, remoteDirectory, cwd);
    const command = args.string("exec");
    if (command !== undefined && command.trim() === "") throw new UsageError("--exec: expected a command", "listen");
    // Last of the checks: it opens the engine's client, which the finally below closes.
    const coordinated = await coordinationOptions(args, io.env);
    const options = { ...local, ...coordinated.options };
    // The command inherits the environment, but not the variables that hold our secrets.
    const secretVariables = new Set(
      [args.string("password-env"), args.string("key-passphrase-env"), args.string("coordination-password-env")].filter((name) => name !== undefined),
    );
    const baseEnv = Object.fromEntries(Object.entries(io.env).filter(([key]) => !secretVariables.has(key)));
    const table = out.json || command !== undefined ? undefined : new TableWriter(EVENT_COLUMNS, (line) => out.line(line), { bufferRows: 0 });

    const handler: ListenHandler = async (document) => {
      const { properties } = document;
      if (command === undefined) {
        const record: EventRecord = {
          event: document.event,
          fileName: properties.fileName,
          remoteDirectory: properties.remoteDirectory,
          ...(properties.timestamp === undefined ? {} : { timestamp: properties.timestamp }),
          ...(properties.size === undefined ? {} : { size: properties.size }),
          attempt: document.attempt,
          ...(document.fencingToken === undefined ? {} : { fencingToken: document.fencingToken }),
        };
        if (table) await table.add(record);
        else await out.record(record);
        return;
      }
      const outcome = await runExec(command, document.content as Readable | Buffer | undefined, execEnvironment(baseEnv, document), {
        stdout: io.stdout,
        stderr: io.stderr,
      });
      const what = `${document.event} ${quotePath(properties.fileName)} (attempt ${document.attempt})`;
      if (outcome.inputError !== undefined) {
        const message = outcome.inputError instanceof Error ? outcome.inputError.message : String(outcome.inputError);
        out.warn(`reading ${what} failed: ${message}; it will be retried`);
        throw new Error(`reading ${quotePath(properties.fileName)} failed`);
      }
      if (outcome.code !== 0) {
        const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
        out.warn(`--exec command ${how} for ${what}; it will be retried`);
        throw new Error(`--exec command ${how}`);
      }
    };
    try {
      let listener: Listener;
      try {
        // The stop hook as signal: a stop while connecting ends the start too.
        listener = await connector.listen({ ...options, signal }, handler);
      } catch (error) {
        // Stopped before it started listening: a clean stop all the same.
        if (signal.aborted && isSftpConnectorError(error) && error.reason === "ABORTED") return 0;
        throw error;
      }
      const group = coordinated.opened
        ? ` as ${options.mode ?? "failover"} member ${JSON.stringify(coordinated.opened.coordination.owner)} of a ${coordinated.opened.engine} group`
        : "";
      out.note(`listening to ${quotePath(listener.directory)}${group}; stop with Ctrl-C (SIGINT) or SIGTERM`);
      try {
        // A listener that stops on its own (a changed host key) fails the command with its error.
        await Promise.race([stopped(signal), listener.done]);
      } finally {
        await listener.stop();
        await table?.end();
      }
      return 0;
    } finally {
      await coordinated.opened?.close();
    }
  },
};
