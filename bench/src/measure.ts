// The bench's measures: what a run records, the median of repetitions, and a transfer's speed, CPU per GiB and CPU bound.
import { cpus } from "node:os";
import type { Sample } from "./cpu.js";

export const MiB = 1024 * 1024;

/** One recorded figure; `target` is printed beside it where the table has no ratio row for it. */
export interface Measure {
  name: string;
  unit: "MiB/s" | "files/s" | "entries/s" | "MiB" | "ms" | "CPU-s/GiB" | "%" | "×";
  value: number;
  note?: string;
  target?: string;
}

export const results: Measure[] = [];
export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
export const find = (name: string): Measure | undefined => results.find((r) => r.name === name);
export const figure = (name: string): number => find(name)?.value ?? Number.NaN;

export function record(measure: Measure): void {
  results.push(measure);
}

/** The cores client and server share: the CPU bound is this many CPU-seconds per second. */
export const CORES = cpus().length;

/** The names under which {@link measureTransfer} records a transfer's CPU figures. */
export const cpuNames = (name: string) => ({
  client: `${name}: client CPU`,
  server: `${name}: server CPU`,
  bound: `${name}: CPU bound`,
  ofBound: `${name}: % of CPU bound`,
});

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs `run` `reps` times and records the median rate `amount / seconds` (with `note`, given the median seconds); returns the median seconds. */
export async function rate(
  reps: number,
  name: string,
  unit: Measure["unit"],
  amount: number,
  run: () => Promise<unknown>,
  note?: string | ((seconds: number) => string),
): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < reps; i++) seconds.push(await timed(run));
  const middle = median(seconds);
  const text = typeof note === "function" ? note(middle) : note;
  record({ name, unit, value: amount / middle, ...(text ? { note: text } : {}) });
  log(`${name}: ${(amount / middle).toFixed(1)} ${unit}${text ? ` (${text})` : ""}`);
  return middle;
}

/** A transfer measured by {@link measureTransfer}. */
export interface Transfer {
  /** How many times `once` runs; the figures are medians (peak RSS: the largest). */
  reps: number;
  /** What moves, in MiB. */
  mib: number;
  /** One run: its wall time and client CPU seconds (and, for ours, peak RSS). */
  once: () => Promise<Sample>;
  /** The server's CPU seconds so far (the testbed container's cgroup); read before and after each run. */
  serverCpu: (() => number) | undefined;
  /** Records the peak RSS under this name, with this target. */
  rss?: { name: string; target: string };
}

/**
 * Records a large transfer: its speed (MiB/s), client and server CPU-seconds per GiB, the CPU bound
 * `CORES ÷ (client + server CPU-s/GiB)` in MiB/s (how fast it could go were the cores its only limit),
 * its speed as a % of that bound, and its peak RSS when asked.
 */
export async function measureTransfer(name: string, transfer: Transfer): Promise<void> {
  const samples: Array<Sample & { serverSeconds: number }> = [];
  for (let i = 0; i < transfer.reps; i++) {
    const before = transfer.serverCpu?.() ?? Number.NaN;
    const sample = await transfer.once();
    samples.push({ ...sample, serverSeconds: (transfer.serverCpu?.() ?? Number.NaN) - before });
  }
  const gib = transfer.mib / 1024;
  const speed = transfer.mib / median(samples.map((s) => s.seconds));
  const client = median(samples.map((s) => s.cpuSeconds / gib));
  const server = median(samples.map((s) => s.serverSeconds / gib));
  const bound = (CORES / (client + server)) * 1024;
  const names = cpuNames(name);
  record({ name, unit: "MiB/s", value: speed });
  record({ name: names.client, unit: "CPU-s/GiB", value: client });
  record({ name: names.server, unit: "CPU-s/GiB", value: server });
  record({ name: names.bound, unit: "MiB/s", value: bound });
  record({ name: names.ofBound, unit: "%", value: (speed / bound) * 100 });
  let rss = "";
  if (transfer.rss) {
    const peak = Math.max(...samples.map((s) => s.maxRssMiB ?? Number.NaN));
    record({ name: transfer.rss.name, unit: "MiB", value: peak, target: transfer.rss.target });
    rss = `, peak RSS ${peak.toFixed(0)} MiB`;
  }
  log(
    `${name}: ${speed.toFixed(1)} MiB/s, CPU-s/GiB client ${client.toFixed(2)} server ${server.toFixed(2)}, bound ${bound.toFixed(0)} MiB/s (${((speed / bound) * 100).toFixed(0)}%)${rss}`,
  );
}
