// The options CREATE and UPSERT share, and their checks (true/false switches, onProgress, retry), made before anything reaches the server.
import { SftpConnectorError } from "./SftpConnectorError.js";
import { checkRetryOption } from "./checkRetryOption.js";
import { checkConnectionsOption } from "./checkConnectionsOption.js";
import { checkSignalOption } from "./abortedError.js";
import type { NormalizedRetryOptions, RetryOptions } from "./ConnectionConfig.js";
import { checkLoggerOption } from "./checkLoggerOption.js";
import type { Logger } from "./Logger.js";

/** Boomi's message for a blank `fileName` of CREATE and UPSERT (`ERROR_MISSING_INPUT_FILENAME`; Boomi's DELETE reuses it for a blank ID). */
export const MISSING_FILE_NAME_MESSAGE =
  "the 'File Name' input document property is required, and must contain a non-blank value. This property contains the name of the file to upload.";

/** The options every upload operation (CREATE, UPSERT) takes. */
export interface UploadFileOptions {
  /** Let `fileName` be absolute or climb out of the remote directory with `..`. @default false */
  allowAbsolutePaths?: boolean;
  /** Called with the total bytes taken from the content so far. @default none */
  onProgress?: (bytes: number) => void;
  /**
   * With a session provider: retries after a lost connection or a timeout, each on a fresh
   * session; the upload resumes at the last byte the server acknowledged. Not used with a plain session.
   * @default { attempts: 1, backoffMs: 1000 }
   */
  retry?: RetryOptions;
  /** Told about resumes after a lost connection and about temporary files that could not be removed. @default silent */
  logger?: Logger;
  /**
   * Cancels the upload. Already aborted: nothing reaches the server. Later: the transfer stops,
   * nothing is retried, the temporary file is removed (an append is truncated back to its former
   * length), and the call rejects with `ABORTED` (the abort's reason as cause). An abort during
   * the final rename leaves the file either fully old or fully new, never partial.
   *
   * @example
   * ```ts
   * const controller = new AbortController();
   * const done = createFile(pool, { content: { path: "big.bin" }, fileName: "big.bin" }, { signal: controller.signal });
   * controller.abort(); // rejects with reason ABORTED; no temporary file stays on the server
   * ```
   * @default none
   */
  signal?: AbortSignal;
  /**
   * With a session provider: sessions one large file is written over at once. Content larger than
   * one range (8 MiB) is cut into ranges, written into the temporary file by up to this many
   * sessions at their offsets (a range whose connection is lost is written again on its own), then
   * renamed into place as with one connection. Appends always use one connection.
   * @default 1
   */
  connections?: number;
}

/** The keys of {@link UploadFileOptions}, which every upload operation accepts beside its own (for core's `checkOptions`). */
export const UPLOAD_OPTION_NAMES: readonly (keyof UploadFileOptions)[] = Object.keys({
  allowAbsolutePaths: true,
  onProgress: true,
  retry: true,
  logger: true,
  signal: true,
  connections: true,
} satisfies Record<keyof UploadFileOptions, true>) as (keyof UploadFileOptions)[];

/**
 * The other names CREATE and UPSERT both accept for their shared switches: Boomi's UPSERT ids
 * `createDir` and `includeAll` for our (and Boomi's CREATE and GET) `createDirectories` and
 * `includeAllMetadata`, so both operations take one spelling and either operation takes both.
 */
export const UPLOAD_OPTION_ALIASES: Readonly<Record<string, string>> = { createDir: "createDirectories", includeAll: "includeAllMetadata" };

/**
 * Checks an upload operation's options in order: each of `switches` (true/false options, in the
 * order given; `undefined` and `null` are false), `onProgress`, `retry`, then `logger` and `connections`. The first
 * problem is thrown, naming its field. Returns each switch as a boolean, `retry` with its defaults
 * and the logger (silent when none was given).
 *
 * @example
 * ```ts
 * const { append, allowAbsolutePaths, retry } = checkUploadOptions(options, ["append", "allowAbsolutePaths"], "upsert");
 * ```
 * @throws SftpConnectorError INVALID_INPUT naming the first bad option.
 */
export function checkUploadOptions<K extends string>(
  options: UploadFileOptions & { readonly [key in K]?: unknown },
  switches: readonly K[],
  operation: string,
): { [key in K]: boolean } & { retry: NormalizedRetryOptions; logger: Logger; signal: AbortSignal | undefined; connections: number } {
  const invalid = (message: string) => new SftpConnectorError("INVALID_INPUT", message, { operation });
  const flags = {} as { [key in K]: boolean };
  for (const key of switches) {
    const value = options[key];
    if (value !== undefined && value !== null && typeof value !== "boolean") throw invalid(`${key}: expected true or false, got ${JSON.stringify(value)}`);
    flags[key] = value === true;
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") throw invalid("onProgress: expected a function");
  const problems: string[] = [];
  const retry = checkRetryOption(options.retry, problems);
  const logger = checkLoggerOption(options.logger, problems);
  const connections = checkConnectionsOption(options.connections, problems);
  if (problems.length > 0) throw invalid(problems[0]!);
  const signal = checkSignalOption(options.signal, operation);
  return { ...flags, retry, logger, signal, connections };
}
