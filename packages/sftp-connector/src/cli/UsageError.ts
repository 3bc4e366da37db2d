// The error of a bad command line or a bad flag value: printed as `error [USAGE]: …`, exit code 2.

/** A bad command line: unknown command or option, a missing argument, a flag value that cannot be used. Its message never holds a secret. */
export class UsageError extends Error {
  /** The reason printed in `error [USAGE]: …`. */
  readonly reason = "USAGE";
  /** The command whose `--help` is suggested, when known. */
  readonly command: string | undefined;
  /** The option or config field at fault (`--count`, `auth.passwordEnv`), when known. */
  readonly field: string | undefined;

  constructor(message: string, command?: string, field?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
    this.field = field;
  }
}

/** True for a {@link UsageError}. */
export function isUsageError(value: unknown): value is UsageError {
  return value instanceof UsageError;
}
