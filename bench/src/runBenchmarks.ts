// `pnpm bench`: measures sftp-connector side by side with OpenSSH's sftp client and ssh2-sftp-client in one run, as ratios.
import { spawn, spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem, tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import SftpClient from "ssh2-sftp-client";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";
import { openSession, SessionPool } from "@sftp-connector/transport";
import { listen } from "@sftp-connector/listen";
import { queryFiles, isQueryError } from "@sftp-connector/query";
import type { ConnectionConfig } from "@sftp-connector/core";
import { benchFilters } from "./filterBench.js";

const MiB = 1024 * 1024;
const quick = process.argv.includes("--quick");
const repsArg = process.argv.find((a) => a.startsWith("--reps="));
const reps = repsArg ? Number(repsArg.split("=")[1]) : quick ? 1 : 3;
const onlyArg = process.argv.find((a) => a.startsWith("--only="));
/** `--only=GET,QUERY` runs just those sections (GET, CREATE, QUERY, LIST, RSS, LISTEN, FILTER). */
const only = onlyArg ? new Set(onlyArg.slice("--only=".length).toUpperCase().split(",")) : undefined;
const want = (section: string) => !only || only.has(section);
const sizes = quick
  ? { big: 32 * MiB, slowRef: 4 * MiB, rss: 128 * MiB, smallFiles: 200, listEntries: 2_000 }
  : { big: 1024 * MiB, slowRef: 32 * MiB, rss: 4096 * MiB, smallFiles: 2_000, listEntries: 20_000 };

interface Measure {
  name: string;
  unit: "MiB/s" | "files/s" | "entries/s" | "MiB" | "ms";
  value: number;
  note?: string;
}
const results: Measure[] = [];
/** Files QUERY keeps downloading at once in the benchmark (its option `concurrency`). */
const QUERY_CONCURRENCY = Number(process.argv.find((a) => a.startsWith("--query-concurrency="))?.split("=")[1] ?? 32);
const QUERY_OURS = `QUERY ours (queryFiles, ${QUERY_CONCURRENCY} files in flight)`;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs `run` `reps` times and records the median rate `amount / seconds`. */
async function rate(name: string, unit: Measure["unit"], amount: number, run: () => Promise<void>, note?: string): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < reps; i++) seconds.push(await timed(run));
  const value = amount / median(seconds);
  results.push({ name, unit, value, ...(note ? { note } : {}) });
  log(`${name}: ${value.toFixed(1)} ${unit}`);
  return value;
}

function run(command: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.slice(-500)}`))));
    child.stdin.end(input ?? "");
  });
}

/** Runs one of our transfers in a fresh process: its own time and peak RSS, nothing of the harness. */
function ourTransfer(config: ConnectionConfig, mode: "get" | "create", remotePath: string, localPath: string): Promise<{ seconds: number; maxRssMiB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL("./measureChild.mjs", import.meta.url)), mode, remotePath, localPath], {
      env: { ...process.env, BENCH_CONFIG: JSON.stringify(config) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`measureChild exited ${code}`))));
  });
}

/** Records the median rate and the largest peak RSS of `reps` runs of one of our transfers. */
async function ours(name: string, rssName: string, amountMiB: number, runOnce: () => Promise<{ seconds: number; maxRssMiB: number }>): Promise<void> {
  const runs: Array<{ seconds: number; maxRssMiB: number }> = [];
  for (let i = 0; i < reps; i++) runs.push(await runOnce());
  const value = amountMiB / median(runs.map((r) => r.seconds));
  const rss = Math.max(...runs.map((r) => r.maxRssMiB));
  results.push({ name, unit: "MiB/s", value }, { name: rssName, unit: "MiB", value: rss });
  log(`${name}: ${value.toFixed(1)} MiB/s, peak RSS ${rss.toFixed(0)} MiB`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "sftp-bench-"));
  log(`${quick ? "quick" : "full"} run, ${reps} repetition(s), scratch ${work}`);
  const testbed: Testbed = await startTestbed();
  try {
    const user = testbed.users.key;
    const keyFile = await testbed.writeKeyFile("ed25519");
    const knownHosts = join(work, "known_hosts");
    writeFileSync(knownHosts, `${testbed.hostKey.knownHostsLine}\n`);
    const config: ConnectionConfig = {
      host: testbed.host,
      port: testbed.port,
      username: user.username,
      auth: { type: "privateKey", path: keyFile },
      hostKey: { knownHosts: testbed.hostKey.knownHostsLine },
    };
    const sftpArgs = [
      "-q",
      "-b",
      "-",
      "-P",
      String(testbed.port),
      "-i",
      keyFile,
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "BatchMode=yes",
      `${user.username}@127.0.0.1`,
    ];
    const sftpBatch = (commands: string) => run("sftp", sftpArgs, commands);
    const refClient = async () => {
      const client = new SftpClient();
      await client.connect({ host: testbed.host, port: testbed.port, username: user.username, privateKey: user.keys.ed25519.privateKey });
      return client;
    };
    const remote = `${user.home}/bench`;
    log("preparing files on the server");
    await testbed.exec(
      `mkdir -p ${remote}/q ${remote}/l ${remote}/up && head -c ${sizes.big} /dev/urandom > ${remote}/get.bin && head -c ${sizes.slowRef} ${remote}/get.bin > ${remote}/small.bin && truncate -s ${sizes.rss} ${remote}/rss.bin && ` +
        `cd ${remote}/q && for i in $(seq 1 ${sizes.smallFiles}); do head -c 16384 /dev/urandom > f$i; done && cd ${remote}/l && seq 1 ${sizes.listEntries} | xargs touch && chown -R ${user.username} ${remote}`,
    );
    const localBig = join(work, "local.bin");
    await pipeline(createReadStream("/dev/urandom", { end: sizes.big - 1 }), createWriteStream(localBig));
    const localSmall = join(work, "local-small.bin");
    await pipeline(createReadStream(localBig, { end: sizes.slowRef - 1 }), createWriteStream(localSmall));

    const bigMiB = sizes.big / MiB;
    const slowMiB = sizes.slowRef / MiB;
    const slowNote = `measured on ${slowMiB} MiB (it is too slow for ${bigMiB} MiB)`;
    const probe = await openSession(config);
    const oursInfo = probe.info;
    await probe.close();

    // 1. GET one big file to a local file.
    if (want("GET")) {
      log("GET");
      await ours("GET ours (stream API)", "ours: peak RSS of the process during GET", bigMiB, () =>
        ourTransfer(config, "get", `${remote}/get.bin`, join(work, "got.bin")),
      );
      await rate("GET OpenSSH sftp", "MiB/s", bigMiB, () => sftpBatch(`get ${remote}/get.bin ${join(work, "got-openssh.bin")}\n`));
      await rate("GET ssh2-sftp-client fastGet", "MiB/s", bigMiB, async () => {
        const c = await refClient();
        await c.fastGet(`${remote}/get.bin`, join(work, "got-fast.bin"));
        await c.end();
      });
      await rate(
        "GET ssh2-sftp-client get",
        "MiB/s",
        slowMiB,
        async () => {
          const c = await refClient();
          await c.get(`${remote}/small.bin`, join(work, "got-get.bin"));
          await c.end();
        },
        slowNote,
      );
    }

    // 2. CREATE one big file from a local file.
    if (want("CREATE")) {
      log("CREATE");
      await ours("CREATE ours (stream API)", "ours: peak RSS of the process during CREATE", bigMiB, () =>
        ourTransfer(config, "create", `${remote}/up/ours.bin`, localBig),
      );
      await rate("CREATE OpenSSH sftp put", "MiB/s", bigMiB, () => sftpBatch(`put ${localBig} ${remote}/up/openssh.bin\n`));
      await rate("CREATE ssh2-sftp-client fastPut", "MiB/s", bigMiB, async () => {
        const c = await refClient();
        await c.fastPut(localBig, `${remote}/up/fast.bin`);
        await c.end();
      });
      await rate(
        "CREATE ssh2-sftp-client put",
        "MiB/s",
        slowMiB,
        async () => {
          const c = await refClient();
          await c.put(localSmall, `${remote}/up/put.bin`);
          await c.end();
        },
        slowNote,
      );
    }

    // 3. QUERY many small files with content.
    if (want("QUERY")) {
      log("QUERY");
      const queryDir = join(work, "q");
      await rate(QUERY_OURS, "files/s", sizes.smallFiles, async () => {
        const s = await openSession(config);
        let files = 0;
        for await (const item of queryFiles(s, { remoteDirectory: `${remote}/q` }, { concurrency: QUERY_CONCURRENCY })) {
          if (isQueryError(item)) throw item.error;
          for await (const _ of item.content) void _;
          files++;
        }
        if (files !== sizes.smallFiles) throw new Error(`queried ${files} files`);
        await s.close();
      });
      mkdirSync(queryDir, { recursive: true });
      await rate("QUERY OpenSSH sftp mget", "files/s", sizes.smallFiles, () => sftpBatch(`lcd ${queryDir}\nmget ${remote}/q/*\n`));
      await rate("QUERY ssh2-sftp-client get loop", "files/s", sizes.smallFiles, async () => {
        const c = await refClient();
        for (const entry of await c.list(`${remote}/q`)) await c.get(`${remote}/q/${entry.name}`);
        await c.end();
      });
    }

    // 4. LIST a big directory.
    if (want("LIST")) {
      log("LIST");
      await rate("LIST ours (readdir)", "entries/s", sizes.listEntries, async () => {
        const s = await openSession(config);
        let count = 0;
        for await (const _ of s.readdir(`${remote}/l`)) count++;
        if (count !== sizes.listEntries) throw new Error(`listed ${count}`);
        await s.close();
      });
      await rate("LIST OpenSSH sftp ls -l", "entries/s", sizes.listEntries, () => sftpBatch(`ls -l ${remote}/l\n`));
      await rate("LIST ssh2-sftp-client list", "entries/s", sizes.listEntries, async () => {
        const c = await refClient();
        await c.list(`${remote}/l`);
        await c.end();
      });
    }

    // 5. Memory of a very large GET streamed to nowhere.
    if (want("RSS")) {
      log(`GET ${sizes.rss / MiB} MiB to /dev/null`);
      const huge = await ourTransfer(config, "get", `${remote}/rss.bin`, "/dev/null");
      results.push({ name: `ours: peak RSS of the process during a ${sizes.rss / MiB} MiB GET to /dev/null`, unit: "MiB", value: huge.maxRssMiB });
      log(`GET ${sizes.rss / MiB} MiB: ${(sizes.rss / MiB / huge.seconds).toFixed(1)} MiB/s, peak RSS ${huge.maxRssMiB.toFixed(0)} MiB`);
    }

    // 6. LISTEN: one poll cycle over a big directory, and how it grows from a tenth of it.
    if (want("LISTEN")) {
      log("LISTEN");
      await testbed.exec(
        `mkdir -p ${remote}/l10 && cd ${remote}/l10 && seq 1 ${sizes.listEntries / 10} | xargs touch && chown -R ${user.username} ${remote}/l10`,
      );
      for (const [dir, entries] of [
        [`${remote}/l10`, sizes.listEntries / 10],
        [`${remote}/l`, sizes.listEntries],
      ] as const) {
        const pool = new SessionPool(config);
        const cycles: number[] = [];
        let heapBefore = 0;
        const listener = await listen(pool, { remoteDirectory: dir, pollingIntervalMs: 100, stableAfter: { polls: 0 } }, () => {});
        await new Promise<void>((resolve) => {
          listener.poller.on("cycle", (stats) => {
            cycles.push(stats.durationMs);
            if (cycles.length === 1) heapBefore = process.memoryUsage().heapUsed;
            if (cycles.length >= 1 + reps) resolve();
          });
        });
        const heap = (process.memoryUsage().heapUsed - heapBefore) / MiB;
        await listener.stop();
        await pool.close();
        const steady = median(cycles.slice(1));
        results.push(
          { name: `LISTEN poll cycle, ${entries} entries`, unit: "ms", value: steady },
          { name: `LISTEN baseline cycle, ${entries} entries`, unit: "ms", value: cycles[0]! },
        );
        log(
          `LISTEN ${entries} entries: baseline ${cycles[0]!.toFixed(0)} ms, steady cycle ${steady.toFixed(0)} ms, heap change after baseline ${heap.toFixed(1)} MiB`,
        );
      }
    }

    // 7. FILTER: the REGEX matcher on long names; V8's RegExp beside it where it can answer (tests count steps instead).
    if (want("FILTER")) {
      log("FILTER");
      for (const timing of benchFilters(Math.max(reps, 3))) {
        const note =
          timing.v8Ms === undefined
            ? "V8 RegExp backtracks catastrophically here"
            : `V8 RegExp ${timing.v8Ms.toFixed(2)} ms, ratio ${(timing.ms / timing.v8Ms).toFixed(1)}×`;
        results.push({ name: timing.name, unit: "ms", value: timing.ms, note });
        log(`${timing.name}: ${timing.ms.toFixed(2)} ms (${note})`);
      }
    }

    const openssh = spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr.trim();
    report({ cipher: oursInfo.algorithms.cipher, serverBanner: oursInfo.banner, openssh });
  } finally {
    await testbed.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function find(name: string): number {
  return results.find((r) => r.name === name)?.value ?? Number.NaN;
}

function report(extra: Record<string, string>): void {
  const ratio = (a: string, b: string) => find(a) / find(b);
  const rows: Array<[string, string, string, number, string]> = [
    ["GET 1 file", "GET ours (stream API)", "GET OpenSSH sftp", ratio("GET ours (stream API)", "GET OpenSSH sftp"), "≥ 1.25"],
    ["GET 1 file", "GET ours (stream API)", "GET ssh2-sftp-client fastGet", ratio("GET ours (stream API)", "GET ssh2-sftp-client fastGet"), "—"],
    ["GET 1 file", "GET ours (stream API)", "GET ssh2-sftp-client get", ratio("GET ours (stream API)", "GET ssh2-sftp-client get"), "≥ 10"],
    ["CREATE 1 file", "CREATE ours (stream API)", "CREATE OpenSSH sftp put", ratio("CREATE ours (stream API)", "CREATE OpenSSH sftp put"), "≥ 1.25"],
    ["CREATE 1 file", "CREATE ours (stream API)", "CREATE ssh2-sftp-client fastPut", ratio("CREATE ours (stream API)", "CREATE ssh2-sftp-client fastPut"), "—"],
    ["CREATE 1 file", "CREATE ours (stream API)", "CREATE ssh2-sftp-client put", ratio("CREATE ours (stream API)", "CREATE ssh2-sftp-client put"), "≥ 10"],
    ["QUERY small files", QUERY_OURS, "QUERY OpenSSH sftp mget", ratio(QUERY_OURS, "QUERY OpenSSH sftp mget"), "≥ 3"],
    ["QUERY small files", QUERY_OURS, "QUERY ssh2-sftp-client get loop", ratio(QUERY_OURS, "QUERY ssh2-sftp-client get loop"), "—"],
    ["LIST big directory", "LIST ours (readdir)", "LIST OpenSSH sftp ls -l", ratio("LIST ours (readdir)", "LIST OpenSSH sftp ls -l"), "≥ 1.0"],
    ["LIST big directory", "LIST ours (readdir)", "LIST ssh2-sftp-client list", ratio("LIST ours (readdir)", "LIST ssh2-sftp-client list"), "—"],
  ];
  const fmt = (r: Measure | undefined) => (r ? `${r.value.toFixed(r.unit === "MiB" ? 0 : 1)} ${r.unit}${r.note ? ` (${r.note})` : ""}` : "n/a");
  const lines = [
    `| measure | ours | reference | ratio (ours / reference) | target |`,
    `| --- | --- | --- | --- | --- |`,
    ...rows.map(
      ([what, a, b, r, target]) =>
        `| ${what} | ${fmt(results.find((x) => x.name === a))} | ${b.replace(/^\w+ /, "")}: ${fmt(results.find((x) => x.name === b))} | ${r.toFixed(2)}× | ${target} |`,
    ),
    ...results.filter((r) => r.unit === "MiB").map((r) => `| ${r.name.replace("ours: ", "")} | ${fmt(r)} | — | — | < 150 MiB |`),
    ...results.filter((r) => r.unit === "ms").map((r) => `| ${r.name} | ${fmt(r)} | — | — | grows linearly |`),
  ];
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    ...extra,
    sizes: { ...sizes, mode: quick ? "quick" : "full", repetitions: reps },
  };
  const table = lines.join("\n");
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "results");
  mkdirSync(out, { recursive: true });
  const base = only ? "partial" : quick ? "quick" : "latest";
  writeFileSync(join(out, `${base}.json`), JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2) + "\n");
  writeFileSync(join(out, `${base}.md`), `${table}\n\nMachine: ${JSON.stringify(machine)}\n`);
  process.stdout.write(`${table}\n\nMachine: ${JSON.stringify(machine, null, 1)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
