// `sftp-connector listen [--exec CMD]`: hands each new, changed or removed remote file to a command (or prints it) until stopped.
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { isSftpConnectorError, quotePath } from "@sftp-connector/core";
import type { AfterProcessing, ListenDocument, ListenHandler, ListenOptions, Listener } from "@sftp-connector/listen";
import type { CommandSpec } from "./CommandSpec.js";
import { TableWriter, type Column } from "./formatTable.js";
import { parseDuration, type ParsedArgv } from "./parseArgv.js";
import { execEnvironment, runExec } from "./runExec.js";
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
    isSingleton: args.flag("singleton"),
    ...(ignore.length === 0 ? {} : { ignore }),
    ...(backoff === undefined ? {} : { retryBackoffMs: parseDuration(backoff, "--retry-backoff", "listen") }),
    allowAbsolutePaths: args.flag("allow-absolute-paths"),
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
    "(SFTP_FILE_NAME, SFTP_REMOTE_DIRECTORY, SFTP_PATH, SFTP_EVENT, SFTP_TIMESTAMP, SFTP_SIZE, SFTP_ATTEMPT).",
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
  ],
  maxPositionals: 0,
  handlesStop: true,
  examples: [
    "sftp-connector listen --remote-dir inbox --pattern '*.csv' --state inbox.state.json --after move:done \\\n      --exec 'import-orders --name \"$SFTP_FILE_NAME\"'",
  ],
  async run({ args, connector, out, io, cwd, signal }) {
    const remoteDirectory = connector.config.remoteDirectory;
    if (remoteDirectory === undefined) throw new UsageError("listen needs the directory to watch: --remote-dir DIR (or remoteDirectory in --config)", "listen");
    const options = listenOptions(args, remoteDirectory, cwd);
    const command = args.string("exec");
    if (command !== undefined && command.trim() === "") throw new UsageError("--exec: expected a command", "listen");
    // The command inherits the environment, but not the variables that hold our secrets.
    const secretVariables = new Set([args.string("password-env"), args.string("key-passphrase-env")].filter((name) => name !== undefined));
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
        };
        if (table) await table.add(record);
        else await out.record(record);
        return;
      }
      const outcome = await runExec(command, document.content as Readable | Buffer | undefined, execEnvironment(baseEnv, document), { stdout: io.stdout, stderr: io.stderr });
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
    let listener: Listener;
    try {
      // The stop hook as signal: a stop while connecting ends the start too.
      listener = await connector.listen({ ...options, signal }, handler);
    } catch (error) {
      // Stopped before it started listening: a clean stop all the same.
      if (signal.aborted && isSftpConnectorError(error) && error.reason === "ABORTED") return 0;
      throw error;
    }
    out.note(`listening to ${quotePath(listener.directory)}; stop with Ctrl-C (SIGINT) or SIGTERM`);
    try {
      // A listener that stops on its own (a changed host key) fails the command with its error.
      await Promise.race([stopped(signal), listener.done]);
    } finally {
      await listener.stop();
      await table?.end();
    }
    return 0;
  },
};
