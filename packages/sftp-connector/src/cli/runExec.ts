// Runs a `listen --exec` command for one event: the document on its stdin, the properties in its environment.
import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import type { ListenDocument } from "@sftp-connector/listen";

/** Where the command's own output goes. */
export interface ExecStreams {
  stdout: Writable;
  stderr: Writable;
}

/** How a command run ended: its exit code, or the signal that ended it; `inputError` when the document could not be read whole. */
export interface ExecOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  inputError?: unknown;
}

/**
 * The environment of an `--exec` command for `document`: `base` plus `SFTP_FILE_NAME` (relative to the listened
 * directory), `SFTP_REMOTE_DIRECTORY` (absolute, of the file), `SFTP_PATH`, `SFTP_EVENT` (added, modified,
 * removed), `SFTP_TIMESTAMP` (`yyyy-MM-dd HH:mm:ss.SSS`), `SFTP_SIZE`, `SFTP_ATTEMPT`, and with `--coordination`
 * `SFTP_FENCING_TOKEN` (the lease's token: a sink can refuse a writer whose token is lower than one it saw).
 */
export function execEnvironment(base: Readonly<Record<string, string | undefined>>, document: ListenDocument): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  const { properties } = document;
  const directory = properties.remoteDirectory;
  const baseName = properties.fileName.split("/").pop() ?? properties.fileName;
  Object.assign(env, {
    SFTP_FILE_NAME: properties.fileName,
    SFTP_REMOTE_DIRECTORY: directory,
    SFTP_PATH: `${directory.replace(/\/$/, "")}/${baseName}`,
    SFTP_EVENT: document.event,
    SFTP_TIMESTAMP: properties.timestamp ?? "",
    SFTP_SIZE: properties.size === undefined ? "" : String(properties.size),
    SFTP_ATTEMPT: String(document.attempt),
  });
  if (document.fencingToken !== undefined) env.SFTP_FENCING_TOKEN = document.fencingToken;
  return env;
}

/**
 * Runs `command` through the shell with `input` (the document's content; nothing for a removal)
 * on stdin and `env` as its environment; its stdout and stderr are copied to `streams`. A
 * command that does not read its stdin is fine. Resolves when it exits (never rejects for a
 * non-zero exit: the caller decides).
 */
export function runExec(command: string, input: Readable | Buffer | undefined, env: Record<string, string>, streams: ExecStreams): Promise<ExecOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, env, stdio: ["pipe", "pipe", "pipe"] });
    let inputError: unknown;
    child.stdout.on("data", (chunk: Buffer) => streams.stdout.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => streams.stderr.write(chunk));
    // EPIPE when the command exits without reading its input: not a failure of ours.
    child.stdin.on("error", () => {});
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (input !== undefined && !Buffer.isBuffer(input)) input.unpipe(child.stdin);
      resolve({ code, signal, ...(inputError === undefined ? {} : { inputError }) });
    });
    if (input === undefined) {
      child.stdin.end();
    } else if (Buffer.isBuffer(input)) {
      child.stdin.end(input);
    } else {
      input.once("error", (error: unknown) => {
        inputError = error;
        child.stdin.destroy();
      });
      input.pipe(child.stdin);
    }
  });
}
