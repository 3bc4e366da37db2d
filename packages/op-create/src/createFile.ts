// CREATE: uploads a document to a temporary name and renames it into place, as Boomi's SFTP V2 does, with its four actions if the file exists.
import { posix } from "node:path";
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import {
  SftpConnectorError,
  checkOptions,
  describeValue,
  throwIfAborted,
  isSafeRemoteName,
  quotePath,
  resolveRemoteDirectory,
  type DocumentContentInput,
  type OptionsSpec,
} from "@sftp-connector/core";
import { MISSING_FILE_NAME_MESSAGE, UPLOAD_OPTION_ALIASES, UPLOAD_OPTION_NAMES, buildUploadResult, checkUploadOptions } from "@sftp-connector/core";
import type { UploadFileOptions, UploadFileResult, UploadResponse } from "@sftp-connector/core";
import { withSessionTarget, type SessionTarget, type SftpSession } from "@sftp-connector/transport";
import {
  fileAlreadyExistsMessage,
  lstatIfExists,
  openContent,
  resolveUploadTarget,
  temporaryFileName,
  uploadViaTemp,
  type UploadMode,
} from "@sftp-connector/transport/upload";
import { expandFileNameTemplate } from "./expandFileNameTemplate.js";
import { nextUniqueName } from "./nextUniqueName.js";

/** What CREATE does when the file exists (Boomi's `actionIfFileExists`). */
export const ACTIONS_IF_FILE_EXISTS = ["ERROR", "OVERWRITE", "APPEND", "FORCE_UNIQUE_NAMES"] as const;

/** One of {@link ACTIONS_IF_FILE_EXISTS}. */
export type ActionIfFileExists = (typeof ACTIONS_IF_FILE_EXISTS)[number];

/** The input document of CREATE: content plus Boomi's document properties. */
export interface CreateFileInput {
  /** The bytes: a Readable, a Buffer, a Uint8Array, a string (UTF-8) or `{ path }` of a local file. */
  content: DocumentContentInput;
  /** The target name; may hold a sub-path (`in/a.txt`) inside the remote directory. Trimmed. */
  fileName: string;
  /** Overrides the connection's remote directory (relative → home). @default the connection's, else home */
  remoteDirectory?: string;
  /** Overrides `options.stagingDirectory` when non-blank (Boomi's document property). @default options.stagingDirectory */
  stagingDirectory?: string;
  /** Overrides `options.tempExtension` when non-blank (Boomi's document property). @default options.tempExtension */
  tempExtension?: string;
}

/** Options of {@link createFile} (Boomi's operation fields, plus what goes past Boomi, and `allowAbsolutePaths`, `onProgress` and `retry` as every upload has). */
export interface CreateFileOptions extends UploadFileOptions {
  /**
   * `ERROR`: fail with `ALREADY_EXISTS` when the file exists. `OVERWRITE`: replace it (atomically
   * with posix-rename where the server offers it). `APPEND`: append to it (created when missing;
   * no temporary file). `FORCE_UNIQUE_NAMES`: pick `a1.txt`, `a2.txt`, … as Boomi does.
   * @default "ERROR"
   */
  actionIfFileExists?: ActionIfFileExists;
  /** A directory (relative → home) to upload into before the rename; it must exist and be on the same file system. Ignored for APPEND. @default none: beside the target */
  stagingDirectory?: string;
  /** Temporary name `<fileName><UUID>.<ext>` instead of the default `.<name>.<uuid>.sftp-tmp` (a leading `.` is added to the extension). Ignored for APPEND. @default none */
  tempExtension?: string;
  /** FORCE_UNIQUE_NAMES only (as in Boomi): a template (`$BASE`, `$EXTENSION`, `$UUID`, `$DATE`, `$TIME`) for the name before the unique-name search. @default the entered name */
  targetFileName?: string;
  /** FORCE_UNIQUE_NAMES only, and only without `tempExtension` (as in Boomi): a template for the temporary name. @default `.<name>.<uuid>.sftp-tmp` */
  tempFileName?: string;
  /** Create the file's directory (recursively) when it is missing, instead of failing with "Remote directory does not exist". @default false */
  createDirectories?: boolean;
  /** Add `timestamp` (the new file's mtime, `yyyy-MM-dd HH:mm:ss.SSS`, local time) to the response (Boomi's extended profile). @default false */
  includeAllMetadata?: boolean;
  /** Boomi UPSERT's id for {@link CreateFileOptions.createDirectories}, accepted as an alias (both with different values is INVALID_INPUT). */
  createDir?: boolean;
  /** Boomi UPSERT's id for {@link CreateFileOptions.includeAllMetadata}, accepted as an alias (both with different values is INVALID_INPUT). */
  includeAll?: boolean;
}

/**
 * Boomi's CREATE response JSON: `fileName` is the name the file was created under (after
 * FORCE_UNIQUE_NAMES and `targetFileName`); `timestamp` only with `includeAllMetadata`.
 */
export type CreateFileResponse = UploadResponse;

/** What {@link createFile} returns: the response, Boomi's "Created the file successfully", the path and the bytes written. */
export type CreateFileResult = UploadFileResult;

const OPERATION = "create";

/** The keys of CREATE's input: its content and Boomi's document properties. */
export const CREATE_INPUT_SPEC: OptionsSpec = {
  known: Object.keys({
    content: true,
    fileName: true,
    remoteDirectory: true,
    stagingDirectory: true,
    tempExtension: true,
  } satisfies Record<keyof CreateFileInput, true>),
  operation: OPERATION,
  what: "input field",
  field: "input",
};

/** The keys of CREATE's options: Boomi's CREATE fields have our names; UPSERT's `createDir` and `includeAll` are aliases. */
export const CREATE_OPTIONS_SPEC: OptionsSpec = {
  known: [
    ...UPLOAD_OPTION_NAMES,
    ...Object.keys({
      actionIfFileExists: true,
      stagingDirectory: true,
      tempExtension: true,
      targetFileName: true,
      tempFileName: true,
      createDirectories: true,
      includeAllMetadata: true,
    } satisfies Record<Exclude<keyof CreateFileOptions, keyof UploadFileOptions | "createDir" | "includeAll">, true>),
  ],
  aliases: UPLOAD_OPTION_ALIASES,
  operation: OPERATION,
};

const invalid = (message: string, path?: string) => new SftpConnectorError("INVALID_INPUT", message, { operation: OPERATION, path });

/** A non-blank string, trimmed, or undefined; anything else but undefined/null is INVALID_INPUT naming `field`. */
function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`${field}: expected a string, got ${typeof value}`);
  const trimmed = value.trim();
  if (trimmed.includes("\0")) throw invalid(`${field}: must not contain a NUL character`);
  return trimmed === "" ? undefined : trimmed;
}

/** A template's expansion checked to be a plain file name (no `/`, not `.`/`..`, no control characters). */
function expandName(template: string, enteredName: string, field: string): string {
  const name = expandFileNameTemplate(template, enteredName);
  if (!isSafeRemoteName(name)) throw invalid(`${field}: ${describeValue(template)} expands to ${quotePath(name)}, which is not a plain file name`);
  return name;
}

/** The unique name for `name` in `directory` (the directory is listed once, streamed). */
async function uniqueName(session: SftpSession, directory: string, name: string): Promise<string> {
  const names: string[] = [];
  for await (const entry of session.readdir(directory)) names.push(entry.name);
  return nextUniqueName(name, names);
}

/**
 * CREATE: uploads `input.content` as `input.fileName` in the remote directory, the way Boomi's
 * SFTP V2 CREATE does, with its `actionIfFileExists`, staging directory, temporary extension and
 * name templates, and these differences:
 *
 * - The upload always goes to a temporary name (default `.<name>.<uuid>.sftp-tmp` beside the
 *   target or in the staging directory; see `isTemporaryFileName`) and is renamed into place,
 *   except for APPEND. OVERWRITE replaces the old file atomically with posix-rename where the
 *   server offers it (Boomi's delete-then-rename only where it does not); ERROR renames without
 *   replacing, so a file that appeared meanwhile is not overwritten either.
 * - On any failure the temporary file is removed and nothing new exists at the final name (an
 *   APPEND is truncated back). FORCE_UNIQUE_NAMES picks the next number again when another
 *   client took the chosen name meanwhile.
 * - Unique-name matching escapes the name (`a+b(1).txt` works); `createDirectories` creates a
 *   missing directory.
 * - Options are strict: an unknown key is `INVALID_INPUT` naming the closest known one; UPSERT's
 *   Boomi ids `createDir` and `includeAll` are accepted for `createDirectories` and `includeAllMetadata`.
 *
 * `target` is a session, or a session provider (a `SessionPool`): then every step retries on a
 * fresh session after a lost connection, and the upload resumes at the last acknowledged byte.
 *
 * Errors (`SftpConnectorError`): `INVALID_INPUT` for a blank name (Boomi's message), an escaping
 * name, bad options or a missing local file, before anything reaches the server; `NO_SUCH_FILE`
 * "Remote directory does not exist" / "Staging directory does not exist" with the path;
 * `ALREADY_EXISTS` with Boomi's message; `PERMISSION_DENIED`, `FAILURE` (e.g. a full disk) naming the path.
 * The content stream is consumed, and destroyed when the call fails.
 */
export async function createFile(target: SessionTarget, input: CreateFileInput, givenOptions: CreateFileOptions = {}): Promise<CreateFileResult> {
  if (typeof input !== "object" || input === null) throw invalid("input: expected { content, fileName, remoteDirectory? }");
  checkOptions(input, CREATE_INPUT_SPEC);
  const options = checkOptions(givenOptions, CREATE_OPTIONS_SPEC);
  const action = options.actionIfFileExists ?? "ERROR";
  if (!ACTIONS_IF_FILE_EXISTS.includes(action)) {
    throw invalid(`actionIfFileExists: expected one of ${ACTIONS_IF_FILE_EXISTS.join(", ")}, got ${JSON.stringify(action)}`);
  }
  const { createDirectories, includeAllMetadata, allowAbsolutePaths, retry, logger, signal, connections } = checkUploadOptions(
    options,
    ["createDirectories", "includeAllMetadata", "allowAbsolutePaths"],
    OPERATION,
  );
  if (typeof input.fileName !== "string" || input.fileName.trim() === "") throw invalid(MISSING_FILE_NAME_MESSAGE);
  const remoteDirectory = optionalString(input.remoteDirectory, "remoteDirectory");
  const staging = optionalString(input.stagingDirectory, "stagingDirectory") ?? optionalString(options.stagingDirectory, "stagingDirectory");
  let tempExtension = optionalString(input.tempExtension, "tempExtension") ?? optionalString(options.tempExtension, "tempExtension");
  if (tempExtension !== undefined) {
    if (tempExtension.includes("/")) throw invalid(`tempExtension: must not contain "/", got ${describeValue(tempExtension)}`);
    if (!tempExtension.startsWith(".")) tempExtension = `.${tempExtension}`;
  }
  const targetTemplate = optionalString(options.targetFileName, "targetFileName");
  const tempTemplate = optionalString(options.tempFileName, "tempFileName");

  // Everything that can be checked without the server is checked now.
  const enteredName = posix.basename(input.fileName.trim());
  const unique = action === "FORCE_UNIQUE_NAMES";
  const append = action === "APPEND";
  const wantedName = unique && targetTemplate !== undefined ? expandName(targetTemplate, enteredName, "targetFileName") : undefined;
  let tempName: string | undefined;
  if (!append && tempExtension !== undefined) tempName = `${enteredName}${randomUUID()}${tempExtension}`;
  else if (!append && unique && tempTemplate !== undefined) tempName = expandName(tempTemplate, enteredName, "tempFileName");
  if (tempName !== undefined && !isSafeRemoteName(tempName))
    throw invalid(`tempExtension: ${describeValue(tempExtension)} makes the temporary name ${quotePath(tempName)} invalid`);

  throwIfAborted(signal, OPERATION, input.fileName.trim());
  const source: Readable = await openContent(input.content, { field: "content", operation: OPERATION });
  try {
    const plan = await withSessionTarget(
      target,
      async (session) => {
        const file = await resolveUploadTarget(session, input.fileName, { remoteDirectory, allowAbsolutePaths, createDirectories, operation: OPERATION });
        let tempDirectory = file.directory;
        if (staging !== undefined && !append) {
          tempDirectory = resolveRemoteDirectory({ perCall: staging, home: session.info.homeDirectory });
          const stats = await session.statIfExists(tempDirectory);
          if (!stats?.isDirectory) {
            throw new SftpConnectorError("NO_SUCH_FILE", `Staging directory does not exist: ${quotePath(tempDirectory)}${stats ? " is not a directory" : ""}`, {
              operation: OPERATION,
              path: tempDirectory,
            });
          }
        }
        let name = wantedName ?? file.name;
        if (unique) {
          name = await uniqueName(session, file.directory, name);
        } else {
          const path = posix.join(file.directory, name);
          const existing = await lstatIfExists(session, path);
          if (existing && action === "ERROR") {
            throw new SftpConnectorError("ALREADY_EXISTS", fileAlreadyExistsMessage(path), {
              operation: OPERATION,
              path,
            });
          }
          if (existing?.isDirectory) {
            throw new SftpConnectorError("ALREADY_EXISTS", `cannot ${append ? "append to" : "overwrite"} ${quotePath(path)}: it is a directory`, {
              operation: OPERATION,
              path,
            });
          }
        }
        const finalPath = posix.join(file.directory, name);
        const tempPath = append ? undefined : posix.join(tempDirectory, tempName ?? temporaryFileName(name));
        return { directory: file.directory, name, finalPath, tempPath };
      },
      { ...retry, operation: OPERATION, ...(signal ? { signal } : {}) },
    );
    const mode: UploadMode = action === "OVERWRITE" ? "replace" : append ? "append" : "error";
    const uploaded = await uploadViaTemp(target, {
      content: source,
      finalPath: plan.finalPath,
      ...(plan.tempPath === undefined ? {} : { tempPath: plan.tempPath }),
      overwrite: mode,
      ...(unique
        ? { onConflict: async (session: SftpSession) => posix.join(plan.directory, await uniqueName(session, plan.directory, wantedName ?? enteredName)) }
        : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(signal ? { signal } : {}),
      retry,
      connections,
      logger,
      operation: OPERATION,
    });
    const modifiedAt = includeAllMetadata
      ? (await withSessionTarget(target, (session) => session.lstat(uploaded.path), { ...retry, operation: OPERATION })).modifiedAt
      : undefined;
    return buildUploadResult(uploaded, { modifiedAt });
  } catch (error) {
    source.destroy();
    throw error;
  }
}
