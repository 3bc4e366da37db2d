// Where a command's results go: JSON lines or table lines on stdout (with backpressure), notes and errors on stderr, around a progress bar.
import { once } from "node:events";
import type { Readable, Writable } from "node:stream";
import { sanitizeCell } from "./formatTable.js";
import { createProgressBar, type ProgressBar } from "./progressBar.js";

/** The streams and settings {@link Output} writes with. */
export interface OutputOptions {
  stdout: Writable;
  stderr: Writable;
  /** `--json`: records print as one JSON object per line. */
  json: boolean;
  /** Progress bars may be drawn on stderr (it is a terminal, and `--no-progress` was not given). */
  progress: boolean;
  /** Terminal width for the bar. @default 80 */
  columns?: number;
  /**
   * The command's stop hook: once aborted, the bar showing is erased for good at once and no
   * other bar is drawn (an interrupted transfer's bar does not keep redrawing while it winds down).
   */
  signal?: AbortSignal;
}

/** Writes a chunk, waiting for `drain` when the stream is full (rejects when the stream fails). */
export async function writeChunk(stream: Writable, chunk: string | Buffer): Promise<void> {
  if (!stream.write(chunk)) await once(stream, "drain");
}

/** A command's output. Nothing it writes holds a secret: callers pass results, names and messages only. */
export class Output {
  private bar: ProgressBar | undefined;

  constructor(private readonly options: OutputOptions) {
    options.signal?.addEventListener("abort", () => this.stopProgress(), { once: true });
  }

  /** Erases the bar showing for good; later bars are never drawn. */
  private stopProgress(): void {
    this.bar?.done();
    this.bar = undefined;
  }

  /** Whether records print as JSON lines. */
  get json(): boolean {
    return this.options.json;
  }

  /** The stdout stream (for content written with `-o -`). */
  get stdout(): Writable {
    return this.options.stdout;
  }

  /** One line on stdout. */
  async line(text: string): Promise<void> {
    this.bar?.clear();
    try {
      await writeChunk(this.options.stdout, `${text}\n`);
    } finally {
      this.bar?.redraw();
    }
  }

  /** One JSON object as one line on stdout (`--json`), or on stderr with `toStderr` (when stdout carries content). */
  async record(value: object, toStderr = false): Promise<void> {
    const text = JSON.stringify(value);
    if (toStderr) this.note(text);
    else await this.line(text);
  }

  /** Raw content on stdout (`-o -`). */
  async content(source: Readable): Promise<void> {
    for await (const chunk of source as AsyncIterable<Buffer>) await writeChunk(this.options.stdout, chunk);
  }

  /** One line on stderr, control characters escaped. */
  note(text: string): void {
    this.bar?.clear();
    this.options.stderr.write(
      `${text
        .split("\n")
        .map((line) => sanitizeCell(line))
        .join("\n")}\n`,
    );
    this.bar?.redraw();
  }

  /** `warning: …` on stderr. */
  warn(message: string): void {
    this.note(`warning: ${message}`);
  }

  /** `error [REASON]: …` on stderr. */
  error(reason: string, message: string): void {
    this.note(`error [${reason}]: ${message}`);
  }

  /** A progress bar on stderr (a no-op one when bars are off); the output keeps it clear of other lines until `done`. */
  progress(label: string, total?: number): ProgressBar {
    const bar = createProgressBar({
      stream: this.options.stderr,
      enabled: this.options.progress && this.options.signal?.aborted !== true,
      label,
      ...(total === undefined ? {} : { total }),
      columns: this.options.columns ?? 80,
    });
    this.bar = bar;
    return {
      update: (bytes) => bar.update(bytes),
      configure: (change) => bar.configure(change),
      clear: () => bar.clear(),
      redraw: () => bar.redraw(),
      done: () => {
        bar.done();
        if (this.bar === bar) this.bar = undefined;
      },
    };
  }
}
