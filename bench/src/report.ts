// The bench's report: the names of its transfers, the table of ours beside each reference with the targets, and bench/results/*.md and .json.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CORES, cpuNames, find, type Measure, median, record, results, figure } from "./measure.js";

/** The large single-file transfers, ours and the references, by kind. */
export const TRANSFERS = {
  GET: {
    ours: "GET ours (stream API)",
    openssh: "GET OpenSSH sftp",
    fast: "GET ssh2-sftp-client fastGet",
    slow: "GET ssh2-sftp-client get",
    op: (connections: number) => `GET ours (getFile, ${plural(connections, "connection")})`,
  },
  CREATE: {
    ours: "CREATE ours (stream API)",
    openssh: "CREATE OpenSSH sftp put",
    fast: "CREATE ssh2-sftp-client fastPut",
    slow: "CREATE ssh2-sftp-client put",
    op: (connections: number) => `CREATE ours (createFile, ${plural(connections, "connection")})`,
  },
} as const;
export type TransferKind = keyof typeof TRANSFERS;

/** The many-medium-files transfers. */
export const MEDIUM = {
  download: {
    ours: (concurrency: number) => `MEDIUM download ours (queryFiles over a pool, ${concurrency} in flight)`,
    openssh: "MEDIUM download OpenSSH sftp mget",
  },
  upload: {
    ours: (concurrency: number) => `MEDIUM upload ours (createFile over a pool, ${concurrency} at a time)`,
    openssh: "MEDIUM upload OpenSSH sftp mput",
  },
} as const;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The name of a measure in run `run` of `--runs` (the first run keeps the plain name). */
export const runName = (name: string, run: number) => (run === 1 ? name : `${name} [run ${run}]`);

/** What the report needs to know of the run. */
export interface ReportContext {
  bigMiB: number;
  connections: number;
  runs: number;
  queryOurs: string;
  mediumConcurrency: number;
  medium: { files: number; fileMiB: number };
  /** `partial` (--only), `quick` or `latest`: the results file's base name. */
  base: string;
  machine: Record<string, unknown>;
}

/** A row: `ours` beside `reference` with their ratio (as a % with `percent`), or `ours` alone. */
interface Row {
  what: string;
  ours: string;
  reference?: string;
  target: string;
  percent?: boolean;
}

/** The rows of one kind's single-file transfers: speed against each reference, the op API's, and CPU per GiB. */
function transferRows(kind: TransferKind, context: ReportContext): Row[] {
  const t = TRANSFERS[kind];
  const size = `${context.bigMiB} MiB`;
  const many = t.op(context.connections);
  const rows: Row[] = [
    { what: `${kind} 1 file`, ours: t.ours, reference: t.openssh, target: "≥ 1.25" },
    { what: `${kind} 1 file`, ours: t.ours, reference: t.fast, target: "—" },
    { what: `${kind} 1 file`, ours: t.ours, reference: t.slow, target: "≥ 10" },
    { what: `${kind} ${size}, op API, 1 connection`, ours: t.op(1), reference: t.openssh, target: "—" },
    { what: `${kind} ${size}, ${plural(context.connections, "connection")}`, ours: many, reference: t.openssh, target: "≥ 1.6" },
  ];
  for (const name of [t.ours, t.op(1), many, t.openssh]) {
    const label = name.slice(kind.length + 1);
    const cpu = cpuNames(name);
    if (name !== t.openssh) {
      rows.push(
        { what: `${kind} client CPU per GiB, ${label}`, ours: cpu.client, reference: cpuNames(t.openssh).client, target: "≤ 0.7" },
        { what: `${kind} server CPU per GiB, ${label}`, ours: cpu.server, reference: cpuNames(t.openssh).server, target: "—" },
      );
    }
    rows.push({ what: `${kind} speed / CPU bound, ${label}`, ours: name, reference: cpu.bound, target: name === many ? "≥ 90%" : "—", percent: true });
  }
  return rows;
}

/** With `--runs=N`: each run's single-stream ratio against OpenSSH, and the lowest (recorded here as a measure of its own). */
function runsRows(kind: TransferKind, runs: number): Row[] {
  const t = TRANSFERS[kind];
  const rows: Row[] = [];
  const ratios: number[] = [];
  for (let run = 1; runs > 1 && run <= runs; run++) {
    const ours = runName(t.ours, run);
    const reference = runName(t.openssh, run);
    if (!find(ours)) continue;
    rows.push({ what: `${kind} 1 file, run ${run} of ${runs}`, ours, reference, target: "≥ 1.25" });
    ratios.push(figure(ours) / figure(reference));
  }
  if (ratios.length > 1) {
    const name = `${kind} single stream, ours / OpenSSH, lowest of ${ratios.length} runs`;
    record({ name, unit: "×", value: Math.min(...ratios), note: `median ${median(ratios).toFixed(2)}×` });
    rows.push({ what: `${kind} 1 file, lowest of ${ratios.length} consecutive runs`, ours: name, target: "≥ 1.25" });
  }
  return rows;
}

function mediumRows(context: ReportContext): Row[] {
  const what = `${context.medium.files} × ${context.medium.fileMiB} MiB files`;
  return [
    { what: `${what}, download`, ours: MEDIUM.download.ours(context.mediumConcurrency), reference: MEDIUM.download.openssh, target: "—" },
    { what: `${what}, upload`, ours: MEDIUM.upload.ours(context.mediumConcurrency), reference: MEDIUM.upload.openssh, target: "—" },
  ];
}

const DIGITS: Partial<Record<Measure["unit"], number>> = { MiB: 0, "%": 0, "CPU-s/GiB": 2, "×": 2 };
const fmt = (r: Measure | undefined) =>
  r ? `${r.value.toFixed(DIGITS[r.unit] ?? 1)}${r.unit === "×" ? "" : " "}${r.unit}${r.note ? ` (${r.note})` : ""}` : "n/a";

/** Printed under the table: how the CPU figures are taken. */
const CPU_LEGEND = [
  "CPU per GiB: median over the repetitions. Client: ours from `process.resourceUsage()` (user + system) of the child process from the connection's opening to its close;",
  "OpenSSH's from GNU time (`/usr/bin/time -f '%U %S'`) of the whole `sftp` process (its `ssh` included). Server: the testbed container's cgroup CPU, read before and after each run.",
  `CPU bound: ${CORES} cores ÷ (client + server CPU-s/GiB) of that transfer, in MiB/s: the speed were the cores the only limit (client and server share them here).`,
].join(" ");

/** A table line; a `|` inside a cell (a FILTER pattern's) is escaped. */
function line(row: Row): string {
  const cells = (...texts: string[]) => `| ${texts.map((t) => t.replaceAll("|", "\\|")).join(" | ")} |`;
  if (row.reference === undefined) return cells(row.what, fmt(find(row.ours)), "—", "—", row.target);
  const ratio = figure(row.ours) / figure(row.reference);
  const shown = row.percent ? `${(ratio * 100).toFixed(0)}%` : `${ratio.toFixed(2)}×`;
  return cells(row.what, fmt(find(row.ours)), `${row.reference.replace(/^\w+ /, "")}: ${fmt(find(row.reference))}`, shown, row.target);
}

/** Prints the table and writes it with the machine to bench/results/<base>.md, every measure to <base>.json. */
export function report(context: ReportContext): void {
  const rows: Row[] = [
    ...transferRows("GET", context),
    ...transferRows("CREATE", context),
    ...runsRows("GET", context.runs),
    ...runsRows("CREATE", context.runs),
    { what: "QUERY small files", ours: context.queryOurs, reference: "QUERY OpenSSH sftp mget", target: "≥ 3" },
    { what: "QUERY small files", ours: context.queryOurs, reference: "QUERY ssh2-sftp-client get loop", target: "—" },
    { what: "LIST big directory", ours: "LIST ours (readdir)", reference: "LIST OpenSSH sftp ls -l", target: "≥ 1.0" },
    { what: "LIST big directory", ours: "LIST ours (readdir)", reference: "LIST ssh2-sftp-client list", target: "—" },
    ...mediumRows(context),
    ...results.filter((r) => r.unit === "MiB").map((r) => ({ what: r.name.replace("ours: ", ""), ours: r.name, target: r.target ?? "< 150 MiB" })),
    ...results.filter((r) => r.unit === "ms").map((r) => ({ what: r.name, ours: r.name, target: "grows linearly" })),
  ];
  const table = [
    "| measure | ours | reference | ratio (ours / reference) | target |",
    "| --- | --- | --- | --- | --- |",
    ...rows.filter((row) => find(row.ours)).map(line),
  ].join("\n");
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    ...context.machine,
  };
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${context.base}.json`), `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`);
  writeFileSync(join(out, `${context.base}.md`), `${table}\n\n${CPU_LEGEND}\n\nMachine: ${JSON.stringify(machine)}\n`);
  process.stdout.write(`${table}\n\n${CPU_LEGEND}\n\nMachine: ${JSON.stringify(machine, null, 1)}\n`);
}
