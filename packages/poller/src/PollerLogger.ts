// The logger a poller takes (core's Logger): console, pino and winston loggers fit; by default warnings and errors go to the console.
import { createConsoleWarningsLogger, type Logger } from "@sftp-connector/core";

/**
 * A logger (the same type as core's `Logger`). Nothing the poller passes to it contains a secret.
 * `debug`: every cycle's statistics; `info`: start, stop, lock taken, listing recovered; `warn`:
 * lock lost to another poller; `error`: failures no `error` listener took, and listeners that threw.
 */
export type PollerLogger = Logger;

/**
 * The poller's default logger: debug and info are silent; warnings and errors (only those no
 * `error` listener took) go to the console, after `[poller]`. The default differs from transport's
 * (silent) on purpose: a poller runs unattended, so a lost lock or a failure nobody listens for
 * must show somewhere.
 */
export const consoleWarningsLogger: PollerLogger = createConsoleWarningsLogger("[poller]");

/** A logger that says nothing (core's `silentLogger`). */
export { silentLogger } from "@sftp-connector/core";
