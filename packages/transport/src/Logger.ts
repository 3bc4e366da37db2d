// The injectable logger every transport function takes (core's Logger); silent unless the caller gives one.
import type { Logger as CoreLogger } from "@sftp-connector/core";

/**
 * A logger: console works, as do pino and winston loggers. Nothing passed to it ever contains a
 * secret. The same type as core's `Logger` (and the poller's `PollerLogger`); transport functions
 * default to {@link silentLogger}, unlike the poller, which warns on the console by default: a
 * transfer's failure reaches its caller as an error, a poller's would go unseen.
 */
export type Logger = CoreLogger;

/** The default logger: says nothing (core's `silentLogger`). */
export { silentLogger } from "@sftp-connector/core";
