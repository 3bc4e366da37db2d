// The one logger shape every package takes, with the two defaults packages choose between: silent, or warnings to the console.

/**
 * A logger: `console` fits, as do pino and winston loggers. Nothing a package passes to it ever
 * contains a secret. Transport functions and operations take it as `logger` (default
 * {@link silentLogger}); the poller takes it too (default its `consoleWarningsLogger`, made with
 * {@link createConsoleWarningsLogger}). The defaults differ on purpose: a transfer's failure
 * reaches its caller as an error, while a poller runs unattended and its lost lock or failed
 * listener would otherwise go unseen.
 */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

const noop = (): void => {};

/** A logger that says nothing: the default of transport functions and operations. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * A logger whose debug and info are silent and whose warnings and errors go to `console.warn` and
 * `console.error`, each message after `prefix` and a space (details, when given, as a second
 * argument). The poller's default is `createConsoleWarningsLogger("[poller]")`.
 *
 * @example
 * ```ts
 * const logger = createConsoleWarningsLogger("[poller]");
 * logger.warn("lock lost", { key: "inbox" }); // console.warn("[poller] lock lost", { key: "inbox" })
 * ```
 */
export function createConsoleWarningsLogger(prefix: string): Logger {
  return {
    debug: noop,
    info: noop,
    warn: (message: string, details?: Record<string, unknown>) => console.warn(`${prefix} ${message}`, ...(details ? [details] : [])),
    error: (message: string, details?: Record<string, unknown>) => console.error(`${prefix} ${message}`, ...(details ? [details] : [])),
  };
}
