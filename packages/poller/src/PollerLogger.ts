// The logger a poller takes: console, pino and winston loggers fit; by default warnings and errors go to the console.

/** A logger. Nothing the poller passes to it contains a secret. */
export interface PollerLogger {
  /** Every cycle's statistics. */
  debug(message: string, details?: Record<string, unknown>): void;
  /** Start, stop, lock taken, listing recovered. */
  info(message: string, details?: Record<string, unknown>): void;
  /** Lock lost to another poller. */
  warn(message: string, details?: Record<string, unknown>): void;
  /** Failures no `error` listener took, and listeners that threw. */
  error(message: string, details?: Record<string, unknown>): void;
}

const noop = (): void => {};

/** The default logger: debug and info are silent; warnings and errors (only those no `error` listener took) go to the console. */
export const consoleWarningsLogger: PollerLogger = {
  debug: noop,
  info: noop,
  warn: (message, details) => console.warn(`[poller] ${message}`, ...(details ? [details] : [])),
  error: (message, details) => console.error(`[poller] ${message}`, ...(details ? [details] : [])),
};

/** A logger that says nothing. */
export const silentLogger: PollerLogger = { debug: noop, info: noop, warn: noop, error: noop };
