// @sftp-connector/transport/scan: the plumbing LIST, QUERY and DELETE's cleanup share: walking a remote directory tree, and restarting an iteration on a fresh session.
export { walkDirectory, toFilterEntry } from "./walkDirectory.js";
export type { WalkEntry, WalkDirectoryOptions, WalkSession } from "./walkDirectory.js";
export { iterateWithRetry } from "./iterateWithRetry.js";
export type { IterateWithRetryOptions, IterationRun } from "./iterateWithRetry.js";
