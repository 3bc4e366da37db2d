// The shape of one CLI command: its usage, options and help text, and what it runs.
import type { Readable, Writable } from "node:stream";
import type { Logger } from "@sftp-connector/transport";
import type { SftpConnector } from "../createSftpConnector.js";
import type { Output } from "./Output.js";
import type { OptionSpecs, ParsedArgv } from "./parseArgv.js";

/** What the CLI reads and writes: the process's streams and environment, or a test's. */
export interface CliIo {
  /** Content for `create`/`upsert` without a LOCAL file. */
  stdin: Readable;
  /** Results (tables or JSON lines) and `-o -` content. */
  stdout: Writable;
  /** Errors, warnings and the progress bar. */
  stderr: Writable;
  /** The environment `--password-env` and `--key-passphrase-env` read, and `listen --exec` commands inherit (without those secrets). */
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal: only then is a progress bar drawn. */
  isTTY: boolean;
  /** Terminal width for the progress bar. @default 80 */
  columns?: number;
  /** The directory local paths resolve against. @default process.cwd() */
  cwd?: string;
  /**
   * The stop hook: aborting it stops `listen` cleanly (exit 0) and interrupts any other command
   * (exit 130, or 143 when the abort's reason names SIGTERM: see `Interrupted`). The process
   * wiring aborts it on SIGINT and SIGTERM.
   */
  signal?: AbortSignal;
}

/** What a running command gets. */
export interface CommandContext {
  /** Its parsed command line. */
  args: ParsedArgv;
  /** The streams and environment. */
  io: CliIo;
  /** The directory local paths resolve against (absolute). */
  cwd: string;
  /** Its output. */
  out: Output;
  /** The connector for the run's connection config. */
  connector: SftpConnector;
  /** Told about retries and warnings; prints to stderr. */
  logger: Logger;
  /** Aborted on SIGINT/SIGTERM (or by a test). */
  signal: AbortSignal;
}

/** One command of the CLI. */
export interface CommandSpec {
  /** The command word. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The usage line after `sftp-connector `, e.g. `get NAME [-o FILE|DIR|-] [options]`. */
  usage: string;
  /** Paragraph lines below the usage line. */
  description: readonly string[];
  /** Its own options (connection and global options are added to every command). */
  options: OptionSpecs;
  /** Help for its own options: `[flag and value, what it does]`. */
  optionHelp: ReadonlyArray<readonly [string, string]>;
  /** Most positional arguments. */
  maxPositionals: number;
  /** Examples for `--help`. */
  examples?: readonly string[];
  /** Whether the command handles the stop hook itself (listen); other commands are interrupted by it. */
  handlesStop?: boolean;
  /**
   * Whether every operation the command runs takes the stop hook as its `signal` (it stops, removes
   * its temporary file and rejects with ABORTED). Other commands are interrupted by closing their
   * connection at once.
   */
  abortable?: boolean;
  /** Runs the command; resolves to the exit code. */
  run(context: CommandContext): Promise<number>;
}
