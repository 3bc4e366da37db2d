// The CLI's commands, by name, and the options every command takes.
import type { CommandSpec } from "./CommandSpec.js";
import { cleanCommand } from "./cleanCommand.js";
import { deleteCommand } from "./deleteCommand.js";
import { getCommand } from "./getCommand.js";
import { listCommand } from "./listCommand.js";
import { listenCommand } from "./listenCommand.js";
import type { OptionSpecs } from "./parseArgv.js";
import { queryCommand } from "./queryCommand.js";
import { testCommand } from "./testCommand.js";
import { createCommand, upsertCommand } from "./uploadCommands.js";

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  testCommand,
  getCommand,
  createCommand,
  upsertCommand,
  deleteCommand,
  listCommand,
  queryCommand,
  listenCommand,
  cleanCommand,
];

/** The command called `name`, if any. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}

/** Options every command takes besides the connection flags. */
export const GLOBAL_OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  verbose: { type: "boolean", short: "v" },
  "no-progress": { type: "boolean" },
} as const satisfies OptionSpecs;

/** Help for {@link GLOBAL_OPTIONS}. */
export const GLOBAL_OPTION_HELP: ReadonlyArray<readonly [string, string]> = [
  ["--json", "print results as JSON, one object per line"],
  ["--no-progress", "never draw a progress bar (it is drawn only when stderr is a terminal)"],
  ["-v, --verbose", "log connections and retries on stderr"],
  ["-h, --help", "show this help"],
];

/** Help for the connection flags. */
export const CONNECTION_OPTION_HELP: ReadonlyArray<readonly [string, string]> = [
  ["--host HOST", "the SFTP server"],
  ["--port PORT", "its SSH port (default 22)"],
  ["--user USER", "the user to log in as"],
  ["--password-env VAR", "log in with the password held in environment variable VAR (never on the command line)"],
  ["--key PATH", "log in with this private key file (tried before a password)"],
  ["--key-passphrase-env VAR", "the key's passphrase, from environment variable VAR"],
  ["--known-hosts FILE", "verify the server's host key against this known_hosts file"],
  ["--host-key LINE", 'a known_hosts line ("host type base64", or "type base64"); repeatable'],
  ["--fingerprint SHA256:…", "an accepted host key fingerprint (ssh-keyscan HOST | ssh-keygen -lf -); repeatable"],
  ["--insecure-accept-any-host-key", "accept any host key (open to man-in-the-middle attacks)"],
  ["--proxy URL", "http://[user:pass@]host:port, socks4://host:port, socks5://[user:pass@]host:port, or env"],
  ["--remote-dir DIR", "the remote directory (relative paths start at the home directory)"],
  ["--config FILE", "connection settings, JSON or YAML: our config shape or Boomi SFTP V2 properties; flags override it"],
];

/** The options of `command`'s command line: its own, the connection flags and the global options. */
export function optionsOf(command: CommandSpec, connection: OptionSpecs): OptionSpecs {
  return { ...connection, ...GLOBAL_OPTIONS, ...command.options };
}
