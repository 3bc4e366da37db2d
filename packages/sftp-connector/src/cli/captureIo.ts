// An in-memory CliIo for tests and embedding: stdin from a string or bytes, stdout and stderr collected, a stop hook.
import { Readable, Writable } from "node:stream";
import type { CliIo } from "./CommandSpec.js";
import { Interrupted, type InterruptSignal } from "./trapInterrupts.js";

/** A {@link CliIo} whose output is collected, plus its stop controller. */
export interface CapturedIo {
  /** Pass this to `main`. */
  io: CliIo;
  /** Everything written to stdout so far, as UTF-8 text. */
  stdout(): string;
  /** Everything written to stdout so far, as bytes. */
  stdoutBytes(): Buffer;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Aborts `io.signal`: what SIGINT/SIGTERM do to the real process (naming `signal` makes the exit code 130 or 143). @default SIGINT */
  stop(signal?: InterruptSignal): void;
}

function collector(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      callback();
    },
  });
}

/** Options of {@link captureIo}. */
export interface CaptureIoOptions {
  /** What stdin holds. @default nothing */
  stdin?: string | Buffer;
  /** The environment. @default {} */
  env?: Record<string, string | undefined>;
  /** Pretend stderr is a terminal. @default false */
  isTTY?: boolean;
  /** The working directory. @default process.cwd() */
  cwd?: string;
}

/** A {@link CliIo} that collects stdout and stderr in memory and can be stopped with {@link CapturedIo.stop}. */
export function captureIo(options: CaptureIoOptions = {}): CapturedIo {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const controller = new AbortController();
  const input = options.stdin === undefined ? [] : [Buffer.isBuffer(options.stdin) ? options.stdin : Buffer.from(options.stdin)];
  return {
    io: {
      stdin: Readable.from(input, { objectMode: false }),
      stdout: collector(out),
      stderr: collector(err),
      env: options.env ?? {},
      isTTY: options.isTTY ?? false,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      signal: controller.signal,
    },
    stdout: () => Buffer.concat(out).toString("utf8"),
    stdoutBytes: () => Buffer.concat(out),
    stderr: () => Buffer.concat(err).toString("utf8"),
    stop: (signal = "SIGINT") => controller.abort(new Interrupted(signal)),
  };
}
