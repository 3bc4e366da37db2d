// Benchmark (not a test): one poll cycle's time and memory over 2 000 and 20 000 fake entries, and how they grow. Run after `pnpm --filter @sftp-connector/poller build`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

if (typeof globalThis.gc !== "function") {
  // Heap figures need a garbage collection before each reading: run again with --expose-gc.
  const child = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const { createDirectoryPoller, createFileStore, createMemoryStore, silentLogger } = await import("../dist/index.js");

const SIZES = [2_000, 20_000];
const RUNS = 15; // cycles measured per phase (the median is reported)
const CHANGED = 0.01; // share of entries modified per cycle in the "changes" phase
const MB = 1024 * 1024;

/** A listing as an SFTP server would give it: names, sizes, mtimes in ms; one entry in 50 is a directory. */
function makeEntries(n) {
  const base = Date.parse("2026-01-01T00:00:00Z");
  return Array.from({ length: n }, (_, i) => ({
    name: `batch-${String(i % 97).padStart(2, "0")}/file-${String(i).padStart(6, "0")}.csv`,
    size: 1000 + ((i * 7919) % 100_000),
    mtime: base + i * 1000,
    isDirectory: i % 50 === 0,
  }));
}

const heapUsed = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(n, storeKind, filter) {
  let current = makeEntries(n);
  const dir = storeKind === "file" ? mkdtempSync(join(tmpdir(), "poller-bench-")) : undefined;
  const store = dir ? createFileStore(join(dir, "snapshot.json")) : createMemoryStore();
  let delivered = 0;
  const before = heapUsed();
  const poller = createDirectoryPoller({
    list: () => current,
    intervalMs: 10,
    store,
    logger: silentLogger,
    ...(filter ? { filter } : {}),
    handler: async () => {
      delivered++;
    },
  });
  const cycles = [];
  let wake;
  poller.on("cycle", (stats) => {
    cycles.push(stats);
    wake?.();
  });
  const nextCycle = () => new Promise((resolve) => (wake = resolve));

  let waiting = nextCycle();
  await poller.start();
  await waiting; // the baseline
  const baseline = cycles.at(-1).durationMs;
  const retained = heapUsed() - before; // the poller's snapshot (the listing array is the "server's")

  const unchanged = [];
  for (let i = 0; i < RUNS; i++) {
    waiting = nextCycle();
    await waiting;
    unchanged.push(cycles.at(-1).durationMs);
  }

  const changed = [];
  const step = Math.round(1 / CHANGED);
  for (let i = 0; i < RUNS; i++) {
    current = current.slice();
    for (let j = 1 + (i % 49); j < current.length; j += step) current[j] = { ...current[j], mtime: current[j].mtime + 1000, size: current[j].size + 1 };
    waiting = nextCycle();
    await waiting;
    const stats = cycles.at(-1);
    changed.push(stats.durationMs);
    if (stats.events.modified === 0) throw new Error(`expected modified events, got ${JSON.stringify(stats)}`);
  }
  const rss = process.memoryUsage().rss;
  await poller.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  return {
    n,
    storeKind,
    variant: `${storeKind}${filter ? "+filter" : ""}`,
    entries: cycles[0].entries,
    baseline,
    unchanged: median(unchanged),
    changed: median(changed),
    eventsPerChangedCycle: cycles.at(-1).events.modified,
    retainedMb: retained / MB,
    rssMb: rss / MB,
    delivered,
  };
}

// The names are relative paths (a recursive listing), so the glob needs "**" to cross "/".
const VARIANTS = [
  ["memory", undefined],
  ["file", undefined],
  ["memory", 'fileName ~ "**.csv"'],
];
const results = [];
for (const [storeKind, filter] of VARIANTS) {
  for (const n of SIZES) {
    await measure(n, storeKind, filter); // warm-up (JIT)
    results.push(await measure(n, storeKind, filter));
  }
}

const fmt = (x, digits = 2) => x.toFixed(digits).padStart(8);
console.log(`@sftp-connector/poller: one poll cycle (median of ${RUNS}), Node ${process.version}, ${process.arch}`);
console.log("variant         entries  polled  baseline ms  unchanged ms  1%-changed ms  events  snapshot heap MB   rss MB");
for (const r of results) {
  console.log(
    `${r.variant.padEnd(14)} ${String(r.n).padStart(8)} ${String(r.entries).padStart(7)} ${fmt(r.baseline)}     ${fmt(r.unchanged)}      ${fmt(r.changed)}   ${String(r.eventsPerChangedCycle).padStart(5)}   ${fmt(r.retainedMb)}         ${fmt(r.rssMb, 0)}`,
  );
}
for (const variant of [...new Set(results.map((r) => r.variant))]) {
  const [small, large] = SIZES.map((n) => results.find((r) => r.n === n && r.variant === variant));
  const ratio = (key) => (large[key] / small[key]).toFixed(1);
  console.log(
    `growth ${variant}, ${small.n} → ${large.n} entries (×${large.n / small.n}): baseline ×${ratio("baseline")}, unchanged cycle ×${ratio("unchanged")}, 1%-changed cycle ×${ratio("changed")}, snapshot heap ×${ratio("retainedMb")}`,
  );
}
