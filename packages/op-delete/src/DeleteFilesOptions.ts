// The input and options of DELETE, and their validation (INVALID_INPUT naming each bad field, before any server call).
import {
  type SftpConnectorError,
  checkOptions,
  checkRetryOption,
  describeValue,
  invalidInputError,
  resolveRemoteFile,
  type NormalizedRetryOptions,
  type OptionsSpec,
  type RetryOptions,
} from "@sftp-connector/core";
import { MISSING_FILE_NAME_MESSAGE, checkLoggerOption, type Logger } from "@sftp-connector/core";

/** Boomi's message for a blank file name (`ERROR_MISSING_INPUT_FILENAME`, which its DELETE reuses for a blank ID). */
export const BLANK_FILE_NAME_MESSAGE = MISSING_FILE_NAME_MESSAGE;

/** What to delete: several IDs (file names), or one `fileName`. */
export interface DeleteFilesInput {
  /**
   * The files to delete (Boomi's object IDs), each a name relative to the remote directory; a
   * sub-path is allowed, an absolute name or one that climbs out with `..` needs `allowAbsolutePaths`.
   * Give `ids` or `fileName`, not both.
   */
  ids?: readonly string[];
  /** One file to delete, instead of `ids`. */
  fileName?: string;
  /**
   * The directory the names are relative to, overriding the connection's (Boomi's `remoteDirectory`
   * document property). Relative paths resolve against the home directory.
   * @default the connection's `remoteDirectory`, else the home directory
   */
  remoteDirectory?: string;
}

/** Options of `deleteFiles`. */
export interface DeleteFilesOptions {
  /** A missing file is a failure (`NO_SUCH_FILE`) instead of Boomi's success with `deleted: false`. @default false */
  failIfNotFound?: boolean;
  /** Let names be absolute or climb out of the remote directory. @default false */
  allowAbsolutePaths?: boolean;
  /**
   * With a `SessionProvider`: retries after a lost connection or a timeout, on a fresh session,
   * going on with the first id not yet done. Ignored with a single session.
   * @default { attempts: 1, backoffMs: 1000 } (Boomi: one retry)
   */
  retry?: RetryOptions;
  /** Told about each file deleted (debug), missing (info), and retries (warn). @default silent */
  logger?: Logger;
  /** Stops before the next file once aborted (the call rejects with `ABORTED`; files not reached are kept); already aborted, nothing is deleted. @default none */
  signal?: AbortSignal;
}

/** Options of `deleteFile`: those of `deleteFiles`, plus the remote directory. */
export interface DeleteFileOptions extends DeleteFilesOptions {
  /** The directory `fileName` is relative to. @default the connection's `remoteDirectory`, else the home directory */
  remoteDirectory?: string;
}

/** The checked input: each name with the field it came from. */
export interface NormalizedDeleteInput {
  names: { name: string; field: string }[];
  remoteDirectory: string | undefined;
}

/** Options with defaults filled in. */
export interface NormalizedDeleteOptions {
  failIfNotFound: boolean;
  allowAbsolutePaths: boolean;
  retry: NormalizedRetryOptions;
  logger: Logger;
  signal: AbortSignal | undefined;
}

/** The keys of DELETE's input (Boomi's DELETE has object IDs and the `remoteDirectory` document property). */
export const DELETE_INPUT_SPEC: OptionsSpec = {
  known: Object.keys({ ids: true, fileName: true, remoteDirectory: true } satisfies Record<keyof DeleteFilesInput, true>),
  operation: "delete",
  what: "input field",
  field: "input",
};

/** The keys of DELETE's options (Boomi's DELETE has no operation field, so there is no alias). */
export const DELETE_OPTIONS_SPEC: OptionsSpec = {
  known: Object.keys({
    failIfNotFound: true,
    allowAbsolutePaths: true,
    retry: true,
    logger: true,
    signal: true,
  } satisfies Record<keyof DeleteFilesOptions, true>),
  operation: "delete",
};

/** One INVALID_INPUT error of DELETE for a list of problems: the problem itself when there is one, else a list. */
export function invalidInput(problems: readonly string[], path?: string): SftpConnectorError {
  return invalidInputError(problems, "delete", path);
}

/**
 * Checks DELETE's input and options, and fills in defaults. Every problem is reported at once,
 * each line starting with its field (`ids[2]`, `fileName`, `retry.attempts`), or `unknown option
 * "x"; did you mean "y"?` for a key DELETE does not know; a blank name gets
 * Boomi's message. Given `resolveDirectory` (a session's, which needs no server call), absolute
 * and escaping names are among the problems too.
 * @throws SftpConnectorError INVALID_INPUT
 */
export function normalizeDeleteInput(
  input: DeleteFilesInput,
  givenOptions: DeleteFilesOptions = {},
  resolveDirectory?: (perCall: string | undefined) => string,
): { input: NormalizedDeleteInput; options: NormalizedDeleteOptions } {
  if (typeof input !== "object" || input === null) throw invalidInput([`input: expected an object { ids } or { fileName }, got ${describeValue(input)}`]);
  const problems: string[] = [];
  checkOptions(input, DELETE_INPUT_SPEC, problems);
  const options = checkOptions(givenOptions, DELETE_OPTIONS_SPEC, problems);
  const names: { name: string; field: string }[] = [];
  const check = (value: unknown, field: string) => {
    if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) problems.push(`${field}: ${BLANK_FILE_NAME_MESSAGE}`);
    else if (typeof value !== "string") problems.push(`${field}: expected a file name, got ${describeValue(value)}`);
    else if (value.includes("\0")) problems.push(`${field}: must not contain a NUL character`);
    else names.push({ name: value.trim(), field });
  };
  if (input.ids !== undefined && input.fileName !== undefined) {
    problems.push("ids, fileName: give one or the other, not both");
  } else if (input.ids !== undefined) {
    if (!Array.isArray(input.ids)) problems.push(`ids: expected an array of file names, got ${describeValue(input.ids)}`);
    else {
      input.ids.forEach((id, index) => {
        check(id, `ids[${index}]`);
      });
    }
  } else if ("fileName" in input) {
    check(input.fileName, "fileName");
  } else {
    problems.push("ids: required (an array of file names), or give fileName");
  }
  if (input.remoteDirectory !== undefined && typeof input.remoteDirectory !== "string") {
    problems.push(`remoteDirectory: expected a string, got ${describeValue(input.remoteDirectory)}`);
  }
  for (const key of ["failIfNotFound", "allowAbsolutePaths"] as const) {
    const value = options[key];
    if (value !== undefined && typeof value !== "boolean") problems.push(`${key}: expected true or false, got ${describeValue(value)}`);
  }
  const retry = checkRetryOption(options.retry, problems);
  const logger = checkLoggerOption(options.logger, problems);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    problems.push(`signal: expected an AbortSignal, got ${describeValue(options.signal)}`);
  if (resolveDirectory && (input.remoteDirectory === undefined || typeof input.remoteDirectory === "string")) {
    let directory: string | undefined;
    try {
      directory = resolveDirectory(input.remoteDirectory);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
    if (directory !== undefined) {
      for (const { name, field } of names) {
        try {
          resolveRemoteFile(directory, name, { allowAbsolutePaths: options.allowAbsolutePaths === true, operation: "delete", field });
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
        }
      }
    }
  }
  if (problems.length > 0) throw invalidInput(problems);
  return {
    input: { names, remoteDirectory: input.remoteDirectory },
    options: {
      failIfNotFound: options.failIfNotFound ?? false,
      allowAbsolutePaths: options.allowAbsolutePaths ?? false,
      retry,
      logger,
      signal: options.signal,
    },
  };
}
