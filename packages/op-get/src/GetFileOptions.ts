// The input and options of GET, and their validation (INVALID_INPUT naming each bad field, before any server call).
import {
  checkOptions,
  checkRetryOption,
  describeValue,
  invalidInputError,
  type NormalizedRetryOptions,
  checkConnectionsOption,
  type OptionsSpec,
  type RetryOptions,
} from "@sftp-connector/core";
import { checkLoggerOption, type Logger } from "@sftp-connector/core";

/** Boomi's message for a blank ID (`ERROR_MISSING_INPUT_FILENAME_ID`). */
export const BLANK_ID_MESSAGE = "ID must contain a non-blank value. Id is the name of the file to download.";

/** What to download. */
export interface GetFileInput {
  /**
   * The file's name: Boomi's object ID. May hold a sub-path inside the remote directory
   * (`in/2026/a.csv`); an absolute name, or one that climbs out with `..`, needs `allowAbsolutePaths`.
   */
  fileName: string;
  /**
   * The directory the name is relative to, overriding the connection's (Boomi's `remoteDirectory`
   * document property). Relative paths resolve against the home directory.
   * @default the connection's `remoteDirectory`, else the home directory
   */
  remoteDirectory?: string;
}

/** Options of `getFile`. */
export interface GetFileOptions {
  /**
   * The form of `content`: a `Readable` that streams the file, or a `Buffer` holding it whole.
   * @default "stream"
   */
  as?: "stream" | "buffer";
  /**
   * Delete the remote file once its content was read to the end (Boomi's "Delete files after
   * reading"). With a stream, that is when the caller has consumed the stream to its end.
   * @default false
   */
  deleteAfter?: boolean;
  /**
   * When `deleteAfter` cannot delete the file, fail (Boomi's "Fail if unable to delete"): the call
   * rejects (buffer) or the stream errors (stream) with the delete's reason and the message
   * "Unable to delete the file '<path>': …", the content having been delivered all the same. Without
   * it, the failure is only logged as a warning. Has no effect without `deleteAfter`.
   * @default false
   */
  failDeleteAfter?: boolean;
  /**
   * Content becomes the JSON `{"fileContent":"<content as UTF-8 text>","modifiedDate":"<yyyy-MM-dd HH:mm:ss.SSS>"}`
   * (Boomi's "Include all metadata"), with the text kept exactly (CRLF and a trailing newline
   * stay) and the date of the file's mtime in local time, read before any delete.
   * @default false
   */
  includeAllMetadata?: boolean;
  /**
   * Beyond Boomi: once read, move the file into this directory (same base name). Relative to the
   * effective remote directory; absolute, or climbing out with `..`, only with `allowAbsolutePaths`.
   * It must exist unless `createDirectories`; a file of the same name there is `ALREADY_EXISTS`
   * unless `overwrite`. Both are checked before the download starts and again at the move. A move
   * that fails is always an error (the file would otherwise be read again). Not with `deleteAfter`.
   * @default undefined (no move)
   */
  moveAfter?: string;
  /** With `moveAfter`: create the directory (and its parents) when it is missing, at the time of the move. @default false */
  createDirectories?: boolean;
  /** With `moveAfter`: replace a file of the same name in that directory (atomically where the server offers `posix-rename`). @default false */
  overwrite?: boolean;
  /**
   * A missing file is `NO_SUCH_FILE` naming the path, instead of Boomi's empty result (`undefined`).
   * @default false
   */
  failIfNotFound?: boolean;
  /** Let `fileName` and `moveAfter` be absolute or climb out of the remote directory. @default false */
  allowAbsolutePaths?: boolean;
  /** Told the running total of file bytes read, after every chunk. @default none */
  onProgress?: (bytes: number) => void;
  /**
   * Cancels the download: already aborted, nothing reaches the server; later, the transfer stops,
   * nothing is retried, and the call (as a Buffer) or the content stream fails with `ABORTED`
   * (the abort's reason as cause); `deleteAfter`/`moveAfter` do not run. @default none
   */
  signal?: AbortSignal;
  /**
   * With a `SessionProvider`: retries after a lost connection or a timeout. A download resumes at
   * the byte offset reached; other steps run again on a fresh session. Ignored with a single session.
   * @default { attempts: 1, backoffMs: 1000 } (Boomi: one retry)
   */
  retry?: RetryOptions;
  /** Told about failed deletes (without `failDeleteAfter`), missing files, retries. @default silent */
  logger?: Logger;
  /**
   * With a `SessionProvider`: sessions a large file is read over at once. A file larger than one
   * range (8 MiB) is read as ranges by up to this many sessions (each range resumed on its own
   * after a lost connection) and the content still arrives in order, holding at most about
   * `(connections + 1) × 8 MiB` in memory. Ignored with a single session.
   * @default 1
   */
  connections?: number;
}

/** Options with defaults filled in. */
export interface NormalizedGetFileOptions {
  as: "stream" | "buffer";
  deleteAfter: boolean;
  failDeleteAfter: boolean;
  includeAllMetadata: boolean;
  moveAfter: string | undefined;
  createDirectories: boolean;
  overwrite: boolean;
  failIfNotFound: boolean;
  allowAbsolutePaths: boolean;
  onProgress: ((bytes: number) => void) | undefined;
  signal: AbortSignal | undefined;
  retry: NormalizedRetryOptions;
  logger: Logger;
  connections: number;
}

/** The keys of GET's input: Boomi's names (`fileName` is its object ID, `remoteDirectory` its document property). */
export const GET_INPUT_SPEC: OptionsSpec = {
  known: Object.keys({ fileName: true, remoteDirectory: true } satisfies Record<keyof GetFileInput, true>),
  operation: "get",
  what: "input field",
  field: "input",
};

/** The keys of GET's options: Boomi's operation fields (`deleteAfter`, `failDeleteAfter`, `includeAllMetadata`) have our names, so there is no alias. */
export const GET_OPTIONS_SPEC: OptionsSpec = {
  known: Object.keys({
    as: true,
    deleteAfter: true,
    failDeleteAfter: true,
    includeAllMetadata: true,
    moveAfter: true,
    createDirectories: true,
    overwrite: true,
    failIfNotFound: true,
    allowAbsolutePaths: true,
    onProgress: true,
    signal: true,
    retry: true,
    logger: true,
    connections: true,
  } satisfies Record<keyof GetFileOptions, true>),
  operation: "get",
};

const BOOLEAN_OPTIONS = [
  "deleteAfter",
  "failDeleteAfter",
  "includeAllMetadata",
  "createDirectories",
  "overwrite",
  "failIfNotFound",
  "allowAbsolutePaths",
] as const;

/**
 * Checks GET's input and options and fills in defaults. Every problem is reported at once, each
 * line starting with its field (or `unknown option "x"; did you mean "y"?` for a key GET does not
 * know); a blank `fileName` gets Boomi's message.
 * @throws SftpConnectorError INVALID_INPUT
 */
export function normalizeGetFileOptions(input: GetFileInput, givenOptions: GetFileOptions = {}): { fileName: string; options: NormalizedGetFileOptions } {
  const problems: string[] = [];
  if (typeof input !== "object" || input === null) {
    throw invalidInputError([`input: expected an object { fileName, remoteDirectory? }, got ${describeValue(input)}`], "get");
  }
  checkOptions(input, GET_INPUT_SPEC, problems);
  const options = checkOptions(givenOptions, GET_OPTIONS_SPEC, problems);
  const fileName = input.fileName;
  if (fileName === undefined || fileName === null || (typeof fileName === "string" && fileName.trim() === "")) {
    problems.push(`fileName: ${BLANK_ID_MESSAGE}`);
  } else if (typeof fileName !== "string") {
    problems.push(`fileName: expected a string, got ${describeValue(fileName)}`);
  } else if (fileName.includes("\0")) {
    problems.push("fileName: must not contain a NUL character");
  }
  if (input.remoteDirectory !== undefined && typeof input.remoteDirectory !== "string") {
    problems.push(`remoteDirectory: expected a string, got ${describeValue(input.remoteDirectory)}`);
  }
  if (options.as !== undefined && options.as !== "stream" && options.as !== "buffer") {
    problems.push(`as: expected "stream" or "buffer", got ${describeValue(options.as)}`);
  }
  for (const key of BOOLEAN_OPTIONS) {
    const value = options[key];
    if (value !== undefined && typeof value !== "boolean") problems.push(`${key}: expected true or false, got ${describeValue(value)}`);
  }
  const { moveAfter } = options;
  if (moveAfter !== undefined) {
    if (typeof moveAfter !== "string") problems.push(`moveAfter: expected a directory path, got ${describeValue(moveAfter)}`);
    else if (moveAfter.trim() === "") problems.push("moveAfter: must be a non-blank directory path");
    else if (moveAfter.includes("\0")) problems.push("moveAfter: must not contain a NUL character");
    if (options.deleteAfter === true) problems.push("moveAfter: cannot be combined with deleteAfter; choose one");
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
    problems.push(`onProgress: expected a function, got ${describeValue(options.onProgress)}`);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    problems.push(`signal: expected an AbortSignal, got ${describeValue(options.signal)}`);
  }
  const retry = checkRetryOption(options.retry, problems);
  const logger = checkLoggerOption(options.logger, problems);
  const connections = checkConnectionsOption(options.connections, problems);
  if (problems.length > 0) throw invalidInputError(problems, "get");
  return {
    fileName: (fileName as string).trim(),
    options: {
      as: options.as ?? "stream",
      deleteAfter: options.deleteAfter ?? false,
      failDeleteAfter: options.failDeleteAfter ?? false,
      includeAllMetadata: options.includeAllMetadata ?? false,
      moveAfter: moveAfter?.trim(),
      createDirectories: options.createDirectories ?? false,
      overwrite: options.overwrite ?? false,
      failIfNotFound: options.failIfNotFound ?? false,
      allowAbsolutePaths: options.allowAbsolutePaths ?? false,
      onProgress: options.onProgress,
      signal: options.signal,
      retry,
      logger,
      connections,
    },
  };
}
