// The --help texts: the command list, and one command's usage, options and examples. Static text: never a value from the environment.
import type { CommandSpec } from "./CommandSpec.js";
import { COMMANDS, CONNECTION_OPTION_HELP, GLOBAL_OPTION_HELP } from "./commands.js";

const PROGRAM = "sftp-connector";

function optionLines(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.min(34, Math.max(...rows.map(([flag]) => flag.length)));
  return rows.map(([flag, text]) => (flag.length > width ? `  ${flag}\n  ${" ".repeat(width)}  ${text}` : `  ${flag.padEnd(width)}  ${text}`));
}

/** The help of `sftp-connector --help`: every command and where to learn more. */
export function formatMainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    `${PROGRAM}: GET, CREATE, UPSERT, DELETE, LIST, QUERY and LISTEN over SFTP (Boomi SFTP V2 compatible)`,
    "",
    `Usage: ${PROGRAM} COMMAND [options]`,
    "",
    "Commands:",
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "Connection options (every command):",
    ...optionLines(CONNECTION_OPTION_HELP),
    "",
    "Output options (every command):",
    ...optionLines(GLOBAL_OPTION_HELP),
    "",
    `Run '${PROGRAM} COMMAND --help' for a command's own options.`,
    "Exit codes: 0 success, 1 an operation failed, 2 bad usage or config, 130/143 interrupted by SIGINT/SIGTERM.",
    "Ctrl-C stops the transfer, removes its temporary file and exits; a second Ctrl-C exits at once.",
    "Errors are printed on stderr as: error [REASON]: message",
    "",
  ].join("\n");
}

/** The help of `sftp-connector COMMAND --help`. */
export function formatCommandHelp(command: CommandSpec): string {
  return [
    `Usage: ${PROGRAM} ${command.usage}`,
    "",
    command.summary,
    "",
    ...command.description,
    "",
    ...(command.optionHelp.length > 0 ? ["Options:", ...optionLines(command.optionHelp), ""] : []),
    "Connection options:",
    ...optionLines(CONNECTION_OPTION_HELP),
    "",
    "Output options:",
    ...optionLines(GLOBAL_OPTION_HELP),
    "",
    ...(command.examples && command.examples.length > 0 ? ["Examples:", ...command.examples.map((example) => `  ${example}`), ""] : []),
  ].join("\n");
}
