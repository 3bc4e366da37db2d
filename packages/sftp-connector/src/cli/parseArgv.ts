// A strict node:util parseArgs for one command, with messages that never echo a value, and typed readers for option values.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { closestName } from "@sftp-connector/core";
import { UsageError } from "./UsageError.js";

/** The options of one command, as `parseArgs` takes them. */
export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** What {@link parseArgv} returns: positionals and typed option readers. */
export interface ParsedArgv {
  /** Positional arguments, in order. */
  positionals: string[];
  /** The raw values by option name. */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** A string option's value (the last one given), or undefined. */
  string(name: string): string | undefined;
  /** Every value of a `multiple` string option. */
  strings(name: string): string[];
  /** Whether a boolean option was given. */
  flag(name: string): boolean;
  /** An integer option within `[min, max]`; `-1`-style sentinels need `min: -1`. */
  integer(name: string, min: number, max?: number): number | undefined;
}

/** Unknown options that people try, and what to use instead. */
const INSTEAD: Readonly<Record<string, string>> = {
  "--password": "passwords are never taken on the command line (other users can read it there); put it in an environment variable and pass --password-env VAR",
  "--pass": "passwords are never taken on the command line; put it in an environment variable and pass --password-env VAR",
  "--key-passphrase": "passphrases are never taken on the command line; put it in an environment variable and pass --key-passphrase-env VAR",
  "--passphrase": "passphrases are never taken on the command line; put it in an environment variable and pass --key-passphrase-env VAR",
  "--username": "use --user",
  "--identity": "use --key PATH",
  "-i": "use --key PATH",
  "-p": "use --port",
  "-P": "use --port",
};

/** The option named in a parseArgs message (`'--user <value>'`, `'-o, --out <value>'`): its names only, never a value. */
function optionNamed(message: string): string {
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? "";
  return quoted.replace(/\s*<value>$/, "").replace(/=.*$/, "");
}

/** `did you mean --x?` for an unknown long option close to one of `options`, else undefined. */
function suggestOption(name: string, options: OptionSpecs): string | undefined {
  if (!name.startsWith("--")) return undefined;
  const guess = closestName(name.slice(2), Object.keys(options));
  return guess === undefined ? undefined : `did you mean --${guess}?`;
}

/**
 * Parses `args` strictly against `options`: unknown options, a missing value and a value given
 * to a boolean are {@link UsageError}s naming the option only (never the value, which might be
 * a secret typed in the wrong place); more than `maxPositionals` positionals is an error too.
 */
export function parseArgv(args: readonly string[], options: OptionSpecs, command: string, maxPositionals = 0): ParsedArgv {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    const name = optionNamed(message);
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const instead = INSTEAD[name] ?? suggestOption(name, options);
      throw new UsageError(`unknown option ${name} for "${command}"${instead ? `: ${instead}` : ""}`, command, name);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      if (/does not take an argument/.test(message)) throw new UsageError(`option ${name} takes no value`, command, name);
      if (/ambiguous/.test(message)) {
        throw new UsageError(
          `option ${name} needs a value; to give a value that starts with "-", write ${name.split(", ").pop()}=VALUE`,
          command,
          name.split(", ").pop(),
        );
      }
      throw new UsageError(`option ${name} needs a value`, command, name);
    }
    throw new UsageError(`cannot read the command line: ${code ?? "unknown problem"}`, command);
  }
  const positionals = parsed.positionals;
  if (positionals.length > maxPositionals) {
    throw new UsageError(
      maxPositionals === 0
        ? `"${command}" takes no arguments, got ${positionals.length}`
        : `"${command}" takes at most ${maxPositionals} argument${maxPositionals === 1 ? "" : "s"}, got ${positionals.length}`,
      command,
    );
  }
  const values = parsed.values as ParsedArgv["values"];
  const string = (name: string): string | undefined => {
    const value = values[name];
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    return typeof last === "string" ? last : undefined;
  };
  return {
    positionals,
    values,
    string,
    strings(name) {
      const value = values[name];
      if (value === undefined) return [];
      return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === "string");
    },
    flag: (name) => values[name] === true,
    integer(name, min, max = Number.MAX_SAFE_INTEGER) {
      const text = string(name);
      if (text === undefined) return undefined;
      const value = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        const range = max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
        throw new UsageError(`--${name}: expected ${range}, got ${JSON.stringify(text)}`, command, `--${name}`);
      }
      return value;
    },
  };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration flag value in milliseconds: `250` (ms), `250ms`, `1.5s`, `2m`, `1h`.
 * @throws UsageError naming the flag.
 */
export function parseDuration(text: string, flag: string, command?: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new UsageError(`${flag}: expected a duration such as 500 (ms), 500ms, 5s, 2m or 1h, got ${JSON.stringify(text)}`, command, flag);
  return Math.round(Number(match[1]) * (DURATION_UNITS[match[2] ?? "ms"] ?? 1));
}
