// A progress bar for long transfers on a terminal's stderr: bytes, percentage, rate and ETA, redrawn a few times a second.
import type { Writable } from "node:stream";
import { sanitizeCell } from "./formatTable.js";

/** What one frame of the bar shows. */
export interface ProgressState {
  /** What is moving, e.g. the file name. */
  label: string;
  /** Bytes moved so far. */
  bytes: number;
  /** Bytes expected in all, when known. */
  total?: number;
  /** Bytes per second, when known. */
  rate?: number;
  /** Width of the terminal. */
  columns: number;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** `1536` → `1.5 KiB`; bytes below 1 KiB as they are. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** `75` → `1:15`; hours as `1:02:03`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/**
 * One frame of the bar, at most `columns - 1` characters:
 * `label  42% [########-----------] 12.3 MiB/29.0 MiB  4.1 MiB/s  ETA 0:04`, or without a known
 * total `label  12.3 MiB  4.1 MiB/s`. The label is shortened (from its start) to fit.
 */
export function formatProgress(state: ProgressState): string {
  const { bytes, total, rate } = state;
  const known = total !== undefined && total > 0;
  const moved = known ? `${formatBytes(bytes)}/${formatBytes(total)}` : formatBytes(bytes);
  const speed = rate !== undefined && Number.isFinite(rate) ? `  ${formatBytes(rate)}/s` : "";
  const eta = known && rate !== undefined && rate > 0 && bytes < total ? `  ETA ${formatDuration((total - bytes) / rate)}` : "";
  const ratio = known ? Math.min(1, bytes / total) : 0;
  const percent = known ? `${String(Math.floor(ratio * 100)).padStart(3)}% ` : "";
  const tail = `${moved}${speed}${eta}`;
  const width = Math.max(20, state.columns - 1);
  let label = sanitizeCell(state.label);
  // Room for the bar itself: what the label, percentage and tail leave, between 10 and 30 cells.
  const barWidth = known ? Math.min(30, width - Math.min(label.length, 24) - percent.length - tail.length - 6) : 0;
  const bar = barWidth >= 10 ? `[${"#".repeat(Math.round(ratio * barWidth)).padEnd(barWidth, "-")}] ` : "";
  const room = width - percent.length - bar.length - tail.length - 2;
  if (label.length > room) label = room > 1 ? `…${label.slice(label.length - room + 1)}` : "";
  const line = `${label}${label ? "  " : ""}${percent}${bar}${tail}`;
  return line.length > width ? line.slice(0, width) : line;
}

/** Options of {@link createProgressBar}. */
export interface ProgressBarOptions {
  /** Where the bar is drawn (a terminal's stderr). */
  stream: Writable;
  /** Draw at all: false makes every method a no-op (output piped, `--no-progress`). */
  enabled: boolean;
  /** What is moving. */
  label: string;
  /** Bytes expected, when known. */
  total?: number;
  /** Terminal width. @default 80 */
  columns?: number;
  /** Nothing is drawn before this many ms, so short transfers print nothing. @default 1000 */
  delayMs?: number;
  /** Least ms between two frames. @default 100 */
  intervalMs?: number;
  /** The clock. @default performance.now */
  now?: () => number;
}

/** A bar on one terminal line. */
export interface ProgressBar {
  /** Sets the bytes moved; redraws when due. */
  update(bytes: number): void;
  /** Changes the label or the total (e.g. once the size is known). */
  configure(change: { label?: string; total?: number }): void;
  /** Erases the bar (before other output on the same terminal), keeping its state. */
  clear(): void;
  /** Draws the bar again after {@link clear}, when it was showing. */
  redraw(): void;
  /** Erases the bar for good. */
  done(): void;
}

/** How far back the rate looks, in ms. */
const RATE_WINDOW_MS = 5_000;

/**
 * A progress bar drawn on `stream` with `\r` (no scrolling), only when `enabled`, only after
 * `delayMs`, and at most every `intervalMs`. The rate is measured over the last 5 s.
 */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const noop = () => {};
  if (!options.enabled) return { update: noop, configure: noop, clear: noop, redraw: noop, done: noop };
  const now = options.now ?? (() => performance.now());
  const started = now();
  const delayMs = options.delayMs ?? 1_000;
  const intervalMs = options.intervalMs ?? 100;
  let label = options.label;
  let total = options.total;
  let bytes = 0;
  let lastDraw = -Infinity;
  let showing = false;
  let finished = false;
  const samples: Array<{ at: number; bytes: number }> = [{ at: started, bytes: 0 }];

  const rate = (at: number): number | undefined => {
    while (samples.length > 2 && at - (samples[1]?.at ?? at) > RATE_WINDOW_MS) samples.shift();
    const first = samples[0];
    if (!first || at - first.at < 200) return undefined;
    return ((bytes - first.bytes) * 1000) / (at - first.at);
  };
  const draw = (at: number) => {
    const line = formatProgress({ label, bytes, total, rate: rate(at), columns: options.columns ?? 80 });
    options.stream.write(`\r\x1b[2K${line}`);
    showing = true;
    lastDraw = at;
  };
  const erase = () => {
    if (showing) options.stream.write("\r\x1b[2K");
    showing = false;
  };
  return {
    configure(change) {
      if (change.label !== undefined) label = change.label;
      if (change.total !== undefined) total = change.total;
    },
    update(next) {
      if (finished) return;
      bytes = next;
      const at = now();
      const last = samples[samples.length - 1];
      if (!last || at - last.at >= 100) samples.push({ at, bytes });
      if (at - started >= delayMs && at - lastDraw >= intervalMs) draw(at);
    },
    clear: erase,
    redraw() {
      if (!finished && lastDraw > -Infinity && !showing) draw(now());
    },
    done() {
      finished = true;
      erase();
    },
  };
}
