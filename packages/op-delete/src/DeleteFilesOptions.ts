// The input and options of DELETE, and their validation (INVALID_INPUT naming each bad field, before any server call).
import { SftpConnectorError, resolveRemoteFile } from "@sftp-connector/core";
import { silentLogger, type Logger } from "@sftp-connector/transport";
import type { RetrySettings } from "./runWithSession.js";

/** Boomi's message for a blank file name (`ERROR_MISSING_INPUT_FILENAME`, which its DELETE reuses for a blank ID). */
export const BLANK_FILE_NAME_MESSAGE =
  "the 'File Name' input document property is required, and must contain a non-blank value. This property contains the name of the file to upload.";

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
  retry?: { attempts?: number; backoffMs?: number };
  /** Told about each file deleted (debug), missing (info), and retries (warn). @default silent */
  logger?: Logger;
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
  retry: RetrySettings;
  logger: Logger;
}

const describe = (value: unknown): string =>
  typeof value === "string" ? JSON.stringify(value) : value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : String(value);

/** One INVALID_INPUT error for a list of problems: the problem itself when there is one, else a list. */
export function invalidInput(problems: readonly string[], path?: string): SftpConnectorError {
  const message = problems.length === 1 ? problems[0]! : `Invalid input to delete:\n${problems.map((p) => `  - ${p}`).join("\n")}`;
  return new SftpConnectorError("INVALID_INPUT", message, { operation: "delete", problems, path });
}

/**
 * Checks DELETE's input and options, and fills in defaults. Every problem is reported at once,
 * each line starting with its field (`ids[2]`, `fileName`, `retry.attempts`); a blank name gets
 * Boomi's message. Given `resolveDirectory` (a session's, which needs no server call), absolute
 * and escaping names are among the problems too.
 * @throws SftpConnectorError INVALID_INPUT
 */
export function normalizeDeleteInput(
  input: DeleteFilesInput,
  options: DeleteFilesOptions = {},
  resolveDirectory?: (perCall: string | undefined) => string,
): { input: NormalizedDeleteInput; options: NormalizedDeleteOptions } {
  if (typeof input !== "object" || input === null) throw invalidInput([`input: expected an object { ids } or { fileName }, got ${describe(input)}`]);
  if (typeof options !== "object" || options === null) throw invalidInput([`options: expected an object, got ${describe(options)}`]);
  const problems: string[] = [];
  const names: { name: string; field: string }[] = [];
  const check = (value: unknown, field: string) => {
    if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) problems.push(`${field}: ${BLANK_FILE_NAME_MESSAGE}`);
    else if (typeof value !== "string") problems.push(`${field}: expected a file name, got ${describe(value)}`);
    else if (value.includes("\0")) problems.push(`${field}: must not contain a NUL character`);
    else names.push({ name: value.trim(), field });
  };
  if (input.ids !== undefined && input.fileName !== undefined) {
    problems.push("ids, fileName: give one or the other, not both");
  } else if (input.ids !== undefined) {
    if (!Array.isArray(input.ids)) problems.push(`ids: expected an array of file names, got ${describe(input.ids)}`);
    else input.ids.forEach((id, index) => check(id, `ids[${index}]`));
  } else if ("fileName" in input) {
    check(input.fileName, "fileName");
  } else {
    problems.push("ids: required (an array of file names), or give fileName");
  }
  if (input.remoteDirectory !== undefined && typeof input.remoteDirectory !== "string") {
    problems.push(`remoteDirectory: expected a string, got ${describe(input.remoteDirectory)}`);
  }
  for (const key of ["failIfNotFound", "allowAbsolutePaths"] as const) {
    const value = options[key];
    if (value !== undefined && typeof value !== "boolean") problems.push(`${key}: expected true or false, got ${describe(value)}`);
  }
  const retry = options.retry ?? {};
  if (typeof retry !== "object" || retry === null) {
    problems.push(`retry: expected an object { attempts, backoffMs }, got ${describe(retry)}`);
  } else {
    if (retry.attempts !== undefined && !(Number.isInteger(retry.attempts) && retry.attempts >= 0)) {
      problems.push(`retry.attempts: expected an integer of 0 or more, got ${describe(retry.attempts)}`);
    }
    if (retry.backoffMs !== undefined && !(typeof retry.backoffMs === "number" && Number.isFinite(retry.backoffMs) && retry.backoffMs >= 0)) {
      problems.push(`retry.backoffMs: expected a number of 0 or more, got ${describe(retry.backoffMs)}`);
    }
  }
  const logger = options.logger;
  if (logger !== undefined && (typeof logger !== "object" || logger === null || typeof logger.warn !== "function")) {
    problems.push("logger: expected an object with debug, info, warn and error methods");
  }
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
      retry: { attempts: retry.attempts ?? 1, backoffMs: retry.backoffMs ?? 1_000 },
      logger: { ...silentLogger, ...bind(logger) },
    },
  };
}

/** A logger's methods bound to it (so pino/winston loggers keep their `this`), missing ones silent. */
function bind(logger: Logger | undefined): Partial<Logger> {
  if (!logger) return {};
  const out: Partial<Logger> = {};
  for (const level of ["debug", "info", "warn", "error"] as const) {
    if (typeof logger[level] === "function") out[level] = logger[level].bind(logger);
  }
  return out;
}
