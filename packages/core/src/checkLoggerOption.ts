// Checks an operation's `logger` option and turns it into a full Logger: its methods bound to it, missing ones silent.
import { silentLogger, type Logger } from "./Logger.js";

/**
 * Checks an operation's `logger` option: `undefined`, or an object with (at least) a `warn`
 * method; anything else pushes `logger: expected an object with debug, info, warn and error
 * methods` to `problems`. Returns a Logger whose methods are the given logger's, bound to it (so
 * pino and winston loggers keep their `this`), and silent where it has none.
 *
 * @example
 * ```ts
 * const logger = checkLoggerOption(options.logger, problems); // silentLogger's methods when not given
 * ```
 */
export function checkLoggerOption(value: unknown, problems: string[]): Logger {
  if (value !== undefined && (typeof value !== "object" || value === null || typeof (value as Partial<Logger>).warn !== "function")) {
    problems.push("logger: expected an object with debug, info, warn and error methods");
  }
  return { ...silentLogger, ...bind(value as Logger | undefined) };
}

/** A logger's methods bound to it, missing ones left out. */
function bind(logger: Logger | undefined): Partial<Logger> {
  if (typeof logger !== "object" || logger === null) return {};
  const out: Partial<Logger> = {};
  for (const level of ["debug", "info", "warn", "error"] as const) {
    if (typeof logger[level] === "function") out[level] = logger[level].bind(logger);
  }
  return out;
}
