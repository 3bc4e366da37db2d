// The CLI's main function: parses the command line, builds the connection, runs one command and turns the outcome into an exit code.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { abortedError, isSftpConnectorError } from "@sftp-connector/core";
import type { Logger } from "@sftp-connector/transport";
import { createSftpConnector, type SftpConnector } from "../createSftpConnector.js";
import type { CliIo, CommandSpec } from "./CommandSpec.js";
import { findCommand, optionsOf } from "./commands.js";
import { formatCommandHelp, formatMainHelp } from "./formatHelp.js";
import { Output } from "./Output.js";
import { parseArgv, type ParsedArgv } from "./parseArgv.js";
import { CONNECTION_OPTIONS, parseCliConfig, type ConnectionFlags } from "./parseCliConfig.js";
import { interruptExitCode } from "./trapInterrupts.js";
import { UsageError, isUsageError } from "./UsageError.js";

/** Exit codes. */
export const EXIT = Object.freeze({
  /** Everything worked. */
  ok: 0,
  /** An operation failed (connection, host key, auth, a remote or local file). */
  failed: 1,
  /** Bad usage or config: unknown command or option, a bad flag value, an invalid config. */
  usage: 2,
  /** Stopped by SIGINT (any command but listen, which stops cleanly with 0). */
  interrupted: 130,
  /** Stopped by SIGTERM (any command but listen, which stops cleanly with 0). */
  terminated: 143,
});

/** How long an interrupted command may take to wind down (remove its temporary file, close the connection) before it exits anyway. */
const INTERRUPT_GRACE_MS = 5_000;

/** The exit code for an error that ended a command: 2 for usage and config (and input) errors, else 1. */
export function exitCodeFor(error: unknown): number {
  if (isUsageError(error)) return EXIT.usage;
  if (isSftpConnectorError(error) && (error.reason === "INVALID_CONFIG" || error.reason === "INVALID_INPUT")) return EXIT.usage;
  return EXIT.failed;
}

/** `error [REASON]: message`: the reason of an SftpConnectorError, USAGE for a usage error, FAILURE for anything else. */
export function formatError(error: unknown): string {
  const reason = isUsageError(error) ? error.reason : isSftpConnectorError(error) ? error.reason : "FAILURE";
  const message = error instanceof Error ? error.message : String(error);
  return `error [${reason}]: ${message}`;
}

/**
 * The JSON form of an error for `--json` runs: `{"error":{"reason","message"}}`, plus `path` and
 * `operation` when the error names them and, for INVALID_CONFIG, `fields` (the config fields at
 * fault) and `problems`. Messages never hold a secret, so neither does this.
 */
export function errorRecord(error: unknown): { error: Record<string, unknown> } {
  const reason = isUsageError(error) ? error.reason : isSftpConnectorError(error) ? error.reason : "FAILURE";
  const message = error instanceof Error ? error.message : String(error);
  const record: Record<string, unknown> = { reason, message };
  if (isSftpConnectorError(error)) {
    if (error.path !== undefined) record.path = error.path;
    if (error.operation !== undefined) record.operation = error.operation;
    if (error.problems.length > 0) {
      record.fields = [
        ...new Set(error.problems.map((problem) => /^([A-Za-z0-9_.[\]]+)/.exec(problem)?.[1]).filter((field): field is string => field !== undefined)),
      ];
      record.problems = error.problems;
    }
  }
  if (isUsageError(error) && error.field !== undefined) record.field = error.field;
  return { error: record };
}

/** Whether a command line asks for `--json` (before the `--` that ends the options). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

/**
 * A connector standing in for one whose config was invalid: the first use throws that error. So a
 * command reports its own usage errors (`--count abc`) before the config's (a missing host).
 */
function failingConnector(error: unknown): SftpConnector {
  return new Proxy({} as SftpConnector, {
    get(_target, property) {
      if (property === "then") return undefined;
      throw error;
    },
  });
}

/** The package version, read from its package.json (beside `dist/` or `src/`). */
function version(): string {
  for (const candidate of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "sftp-connector" && pkg.version) return pkg.version;
    } catch {
      // try the next place
    }
  }
  return "unknown";
}

/** Retry, resume and reconnect chatter: untrue of a command that was interrupted and is exiting. */
const RETRY_CHATTER = /\bretry \d+ of \d+|\bretrying\b|resuming on a new session|\breconnect/i;
/** The promise of a later removal, which an exiting process cannot keep. */
const DEFERRED_REMOVAL = "; it will be removed once the connection is re-established";

/**
 * What a log line becomes once the command was interrupted: retry, resume and reconnect lines
 * are dropped (undefined); a temporary file left behind is still reported, with what to do about
 * it instead of a promise to remove it on a reconnect that will not come. Other lines pass as they are.
 */
export function afterInterrupt(message: string): string | undefined {
  if (message.includes(DEFERRED_REMOVAL)) return message.replace(DEFERRED_REMOVAL, "; remove it with 'sftp-connector clean'");
  return RETRY_CHATTER.test(message) ? undefined : message;
}

/**
 * A logger on stderr: warnings and errors always, info and debug with --verbose. Once `signal` is
 * aborted, retry/resume/reconnect lines are left out (see {@link afterInterrupt}); errors still print.
 * Operations never hand it a secret.
 */
export function stderrLogger(out: Output, verbose: boolean, signal?: AbortSignal): Logger {
  const details = (extra?: Record<string, unknown>) => {
    const reason = extra?.reason;
    return typeof reason === "string" ? ` [${reason}]` : "";
  };
  const print = (write: (text: string) => void, prefix: string, message: string, extra?: Record<string, unknown>) => {
    const text = signal?.aborted ? afterInterrupt(message) : message;
    if (text !== undefined) write(`${prefix}${text}${details(extra)}`);
  };
  const note = (text: string) => out.note(text);
  const warn = (text: string) => out.warn(text);
  return {
    debug: (message, extra) => verbose && print(note, "debug: ", message, extra),
    info: (message, extra) => verbose && print(note, "info: ", message, extra),
    warn: (message, extra) => print(warn, "", message, extra),
    error: (message, extra) => out.warn(`${message}${details(extra)}`),
  };
}

/** The connection flags out of a parsed command line. */
function connectionFlags(args: ParsedArgv): ConnectionFlags {
  const flags: ConnectionFlags = {};
  for (const name of ["host", "port", "user", "password-env", "key", "key-passphrase-env", "known-hosts", "proxy", "remote-dir", "config"] as const) {
    const value = args.string(name);
    if (value !== undefined) flags[name] = value;
  }
  const hostKeys = args.strings("host-key");
  const fingerprints = args.strings("fingerprint");
  if (hostKeys.length > 0) flags["host-key"] = hostKeys;
  if (fingerprints.length > 0) flags.fingerprint = fingerprints;
  if (args.flag("insecure-accept-any-host-key")) flags["insecure-accept-any-host-key"] = true;
  return flags;
}

/** Closes the connector's sessions at once, failing what is in flight. */
function closeNow(connector: SftpConnector): void {
  try {
    void connector.pool.close(0).catch(() => {});
  } catch {
    // an invalid config: there is no connection to close
  }
}

/** Whether `error` is the stop hook's doing: ABORTED, or (for a command that is interrupted by closing its connection) any failure after the abort. */
function isInterruption(error: unknown, command: CommandSpec): boolean {
  return (isSftpConnectorError(error) && error.reason === "ABORTED") || !command.abortable;
}

/** Reports an interrupted command on one line: `interrupted`, or with `--json` an ABORTED error record on stderr. */
function reportInterrupted(out: Output, command: CommandSpec, signal: AbortSignal, error: unknown): void {
  if (!out.json) {
    out.note("interrupted");
    return;
  }
  const aborted = isSftpConnectorError(error) && error.reason === "ABORTED" ? error : abortedError(command.name, undefined, signal);
  out.note(JSON.stringify(errorRecord(aborted)));
}

/**
 * Runs a command that does not handle the stop hook itself. An `abortable` command's operations
 * get the stop hook as their signal: on abort they stop, remove their temporary files and reject
 * with ABORTED. Any other command is interrupted by closing the connection at once (its error
 * paths remove partial local files). Either way the command may wind down for a bounded grace
 * period; the result is 130 (SIGINT) or 143 (SIGTERM), unless it still finished successfully. An
 * error other than the interruption's own is reported too.
 */
async function runInterruptible(command: CommandSpec, run: () => Promise<number>, connector: SftpConnector, signal: AbortSignal, out: Output): Promise<number> {
  if (command.handlesStop) return run();
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<"interrupted">((resolveInterrupt) => {
    onAbort = () => {
      if (!command.abortable) closeNow(connector);
      resolveInterrupt("interrupted");
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  const running = run();
  running.catch(() => undefined);
  let outcome: { code: number } | { error: unknown } | undefined;
  try {
    const first = await Promise.race([running, interrupted]);
    if (first !== "interrupted") return first;
  } catch (error) {
    if (!signal.aborted) throw error;
    outcome = { error };
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
  // Let the command wind down (an upload removes its temporary file), but not forever.
  let timer: NodeJS.Timeout | undefined;
  outcome ??= await Promise.race([
    running.then(
      (code) => ({ code }),
      (error: unknown) => ({ error }),
    ),
    new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), INTERRUPT_GRACE_MS))),
  ]);
  clearTimeout(timer);
  if (outcome === undefined) closeNow(connector);
  if (outcome !== undefined && "code" in outcome && outcome.code === EXIT.ok) return EXIT.ok;
  const error = outcome !== undefined && "error" in outcome ? outcome.error : undefined;
  if (error !== undefined && !isInterruption(error, command)) reportError(out, error);
  reportInterrupted(out, command, signal, error);
  return interruptExitCode(signal.reason);
}

/** Reports an error that ended a command: JSON on stderr with `--json`, else `error [REASON]: message`. */
function reportError(out: Output, error: unknown): void {
  if (out.json) out.note(JSON.stringify(errorRecord(error)));
  else out.note(formatError(error));
}

/**
 * Runs the `sftp-connector` command line `argv` (without the node and script paths) with `io`
 * and resolves to the exit code: 0 success, 1 an operation failed, 2 bad usage or config, 130
 * interrupted (143 when `io.signal`'s reason names SIGTERM, see {@link interruptExitCode}). Never
 * throws and never exits the process: errors go to `io.stderr` as `error [REASON]: message`.
 * Aborting `io.signal` stops `listen` cleanly, and stops any other command's operation, which
 * removes its temporary file before the command reports `interrupted`.
 *
 * @example
 * ```ts
 * const code = await main(["list", "--config", "sftp.yaml", "--json"], { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, isTTY: false });
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const cwd = resolve(io.cwd ?? process.cwd());
  const signal = io.signal ?? new AbortController().signal;
  let out = new Output({ stdout: io.stdout, stderr: io.stderr, json: false, progress: false });
  let commandName: string | undefined;
  let connector: SftpConnector | undefined;
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      io.stderr.write(formatMainHelp());
      return EXIT.usage;
    }
    if (first === "--help" || first === "-h" || first === "help") {
      const topic = first === "help" ? rest[0] : undefined;
      const command = topic === undefined ? undefined : findCommand(topic);
      if (topic !== undefined && command === undefined) throw new UsageError(`unknown command "${topic}"; run 'sftp-connector --help' for the list`);
      await out.line((command ? formatCommandHelp(command) : formatMainHelp()).trimEnd());
      return EXIT.ok;
    }
    if (first === "--version" || first === "-V") {
      await out.line(version());
      return EXIT.ok;
    }
    const command = findCommand(first);
    if (command === undefined) {
      throw new UsageError(
        first.startsWith("-")
          ? `the command comes first, e.g. 'sftp-connector list ${first} …'; run 'sftp-connector --help' for the list`
          : `unknown command "${first}"; run 'sftp-connector --help' for the list`,
      );
    }
    commandName = command.name;
    const args = parseArgv(rest, optionsOf(command, CONNECTION_OPTIONS), command.name, command.maxPositionals);
    if (args.flag("help")) {
      await out.line(formatCommandHelp(command).trimEnd());
      return EXIT.ok;
    }
    out = new Output({
      stdout: io.stdout,
      stderr: io.stderr,
      json: args.flag("json"),
      progress: io.isTTY && !args.flag("no-progress"),
      ...(io.columns === undefined ? {} : { columns: io.columns }),
      signal,
    });
    const logger = stderrLogger(out, args.flag("verbose"), signal);
    let connection: SftpConnector;
    try {
      connection = createSftpConnector(parseCliConfig(connectionFlags(args), { env: io.env, cwd }), { logger });
      connector = connection;
    } catch (error) {
      connection = failingConnector(error);
    }
    return await runInterruptible(command, () => command.run({ args, io, cwd, out, connector: connection, logger, signal }), connection, signal, out);
  } catch (error) {
    if (wantsJson(argv)) {
      io.stderr.write(`${JSON.stringify(errorRecord(error))}\n`);
      return exitCodeFor(error);
    }
    out.note(formatError(error));
    if (isUsageError(error) && !error.message.includes("--help")) {
      const about = error.command ?? commandName;
      out.note(about === undefined ? "Run 'sftp-connector --help' for usage." : `Run 'sftp-connector ${about} --help' for usage.`);
    }
    return exitCodeFor(error);
  } finally {
    await connector?.close().catch(() => {});
  }
}
