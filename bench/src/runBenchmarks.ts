// `pnpm bench`: measures sftp-connector side by side with OpenSSH's sftp client and ssh2-sftp-client in one run, as ratios.
// Flags: --quick (small sizes), --reps=N (medians of N), --only=GET,CREATE,QUERY,LIST,MEDIUM,RSS,LISTEN,FILTER, --runs=N (the
// single-stream comparison N times in a row), --connections=N (the multi-connection rows; 0: no op-API rows),
// --query-concurrency=N, --medium-concurrency=N. Needs `pnpm build` first: our transfers run the built packages in a child.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import SftpClient from "ssh2-sftp-client";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";
import { openSession, SessionPool } from "@sftp-connector/transport";
import { listen } from "@sftp-connector/listen";
import { queryFiles, isQueryError } from "@sftp-connector/query";
import { createFile } from "@sftp-connector/create";
import type { ConnectionConfig } from "@sftp-connector/core";
import { benchFilters } from "./filterBench.js";
import { containerCpuClock, containerCpuFiles, requireGnuTime, runCommand, runTimed, type Sample } from "./cpu.js";
import { log, MiB, measureTransfer, median, rate, record, type Transfer } from "./measure.js";
import { MEDIUM, report, runName, TRANSFERS, type TransferKind } from "./report.js";

const quick = process.argv.includes("--quick");
/** The value of `--name=value`, if given. */
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const reps = Number(arg("reps") ?? (quick ? 1 : 3));
/** `--only=GET,QUERY` runs just those sections (GET, CREATE, QUERY, LIST, MEDIUM, RSS, LISTEN, FILTER). */
const onlyArg = arg("only");
const only = onlyArg === undefined ? undefined : new Set(onlyArg.toUpperCase().split(","));
const want = (section: string) => !only || only.has(section);
/** `--runs=5`: the single-stream GET and CREATE comparisons with OpenSSH, that many times in a row (every run's ratio and the lowest). */
const runs = Number(arg("runs") ?? 1);
/** `--connections=N`: the sessions of the multi-connection GET and CREATE rows (getFile/createFile's option `connections`); 0 skips the op-API rows. */
const connections = Number(arg("connections") ?? 4);
const sizes = quick
  ? { big: 32 * MiB, slowRef: 4 * MiB, rss: 128 * MiB, smallFiles: 200, listEntries: 2_000, medium: { files: 20, fileMiB: 5 } }
  : { big: 1024 * MiB, slowRef: 32 * MiB, rss: 4096 * MiB, smallFiles: 2_000, listEntries: 20_000, medium: { files: 200, fileMiB: 5 } };

/** Files QUERY keeps downloading at once in the benchmark (its option `concurrency`). */
const QUERY_CONCURRENCY = Number(arg("query-concurrency") ?? 32);
const QUERY_OURS = `QUERY ours (queryFiles, ${QUERY_CONCURRENCY} files in flight)`;
/** Medium files in flight at once over the pool, both ways (`--medium-concurrency=N`). */
const MEDIUM_CONCURRENCY = Number(arg("medium-concurrency") ?? 8);

/** Runs one of our transfers in a fresh process (see measureChild.mjs for the modes): its own time, CPU and peak RSS, nothing of the harness. */
function ourTransfer(config: ConnectionConfig, args: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL("./measureChild.mjs", import.meta.url)), ...args], {
      env: { ...process.env, BENCH_CONFIG: JSON.stringify(config) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`measureChild ${args[0]} exited ${code}`))));
  });
}

/** Runs `use` on every item, at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, use: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await use(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** What every section needs: the testbed's connection for us and for `sftp`, the remote and local scratch directories. */
interface Bench {
  testbed: Testbed;
  config: ConnectionConfig;
  remote: string;
  work: string;
  /** Runs `sftp -b -` with these commands. */
  sftpBatch: (commands: string) => Promise<unknown>;
  /** The same under GNU time: wall time and the client's CPU. */
  sftpTimed: (commands: string) => Promise<Sample>;
  refClient: () => Promise<SftpClient>;
  /** The testbed container's CPU seconds so far, when its cgroup is readable here. */
  serverCpu: (() => number) | undefined;
}

/** A large single-file transfer of one kind: ours in a child with each API, OpenSSH's batch commands, ssh2-sftp-client's two calls. */
interface TransferPlan {
  /** measureChild.mjs arguments after the mode: remote path, local path. */
  paths: [string, string];
  openssh: string;
  rss: string;
  fast: (c: SftpClient) => Promise<unknown>;
  /** ssh2-sftp-client's plain call, on `sizes.slowRef` only (too slow for the big file). */
  slow: (c: SftpClient) => Promise<unknown>;
}

function transferPlans({ remote, work }: Bench): Record<TransferKind, TransferPlan> {
  const local = join(work, "local.bin");
  return {
    GET: {
      paths: [`${remote}/get.bin`, join(work, "got.bin")],
      openssh: `get ${remote}/get.bin ${join(work, "got-openssh.bin")}\n`,
      rss: "ours: peak RSS of the process during GET",
      fast: (c) => c.fastGet(`${remote}/get.bin`, join(work, "got-fast.bin")),
      slow: (c) => c.get(`${remote}/small.bin`, join(work, "got-get.bin")),
    },
    CREATE: {
      paths: [`${remote}/up/ours.bin`, local],
      openssh: `put ${local} ${remote}/up/openssh.bin\n`,
      rss: "ours: peak RSS of the process during CREATE",
      fast: (c) => c.fastPut(local, `${remote}/up/fast.bin`),
      slow: (c) => c.put(join(work, "local-small.bin"), `${remote}/up/put.bin`),
    },
  };
}

/** Sections GET and CREATE: the single-stream comparison with OpenSSH (`runs` times), then ssh2-sftp-client and the op API with 1 and N connections. */
async function singleFiles(bench: Bench): Promise<void> {
  const plans = transferPlans(bench);
  const kinds = (["GET", "CREATE"] as const).filter(want);
  const bigMiB = sizes.big / MiB;
  const transfer = (once: () => Promise<Sample>, rss?: Transfer["rss"]): Transfer => ({
    reps,
    mib: bigMiB,
    once,
    serverCpu: bench.serverCpu,
    ...(rss ? { rss } : {}),
  });
  const mode = (kind: TransferKind) => kind.toLowerCase();
  for (let run = 1; run <= runs; run++) {
    for (const kind of kinds) {
      log(`${kind} single stream${runs > 1 ? `, run ${run} of ${runs}` : ""}`);
      const plan = plans[kind];
      const rss = run === 1 ? { name: plan.rss, target: "< 150 MiB" } : undefined;
      await measureTransfer(
        runName(TRANSFERS[kind].ours, run),
        transfer(() => ourTransfer(bench.config, [mode(kind), ...plan.paths]), rss),
      );
      await measureTransfer(
        runName(TRANSFERS[kind].openssh, run),
        transfer(() => bench.sftpTimed(plan.openssh)),
      );
    }
  }
  for (const kind of kinds) {
    const plan = plans[kind];
    const names = TRANSFERS[kind];
    log(`${kind} ssh2-sftp-client, op API`);
    const withRefClient = (use: (c: SftpClient) => Promise<unknown>) => async () => {
      const c = await bench.refClient();
      await use(c);
      await c.end();
    };
    await rate(reps, names.fast, "MiB/s", bigMiB, withRefClient(plan.fast));
    const slowMiB = sizes.slowRef / MiB;
    await rate(reps, names.slow, "MiB/s", slowMiB, withRefClient(plan.slow), `measured on ${slowMiB} MiB (it is too slow for ${bigMiB} MiB)`);
    const [remotePath, localPath] = kind === "GET" ? [plan.paths[0], join(bench.work, "got-op.bin")] : [`${bench.remote}/up/ours-op.bin`, plan.paths[1]];
    for (const n of connections > 0 ? new Set([1, connections]) : []) {
      const rss = {
        name: `ours: peak RSS of the process during ${kind} with ${n} connection${n === 1 ? "" : "s"} (op API)`,
        target: n > 1 ? "< 200 MiB" : "< 150 MiB",
      };
      await measureTransfer(
        names.op(n),
        transfer(() => ourTransfer(bench.config, [`${mode(kind)}-op`, remotePath, localPath, String(n)]), rss),
      );
    }
  }
}

/** Section QUERY: many small files with content. */
async function smallFiles({ config, remote, work, sftpBatch, refClient }: Bench): Promise<void> {
  log("QUERY");
  const queryDir = join(work, "q");
  await rate(reps, QUERY_OURS, "files/s", sizes.smallFiles, async () => {
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
  await rate(reps, "QUERY OpenSSH sftp mget", "files/s", sizes.smallFiles, () => sftpBatch(`lcd ${queryDir}\nmget ${remote}/q/*\n`));
  await rate(reps, "QUERY ssh2-sftp-client get loop", "files/s", sizes.smallFiles, async () => {
    const c = await refClient();
    for (const entry of await c.list(`${remote}/q`)) await c.get(`${remote}/q/${entry.name}`);
    await c.end();
  });
}

/** Section MEDIUM: many medium files both ways, ours over a pool against `sftp` mget and mput. */
async function mediumFiles({ testbed, config, remote, work, sftpBatch }: Bench): Promise<void> {
  const { files, fileMiB } = sizes.medium;
  log(`MEDIUM ${files} × ${fileMiB} MiB`);
  const user = testbed.users.key.username;
  await testbed.exec(
    `mkdir -p ${remote}/m ${remote}/mu-ours ${remote}/mu-openssh && cd ${remote}/m && for i in $(seq 1 ${files}); do head -c ${fileMiB * MiB} /dev/urandom > m$i; done && chown -R ${user} ${remote}`,
  );
  const source = join(work, "m-up");
  mkdirSync(source);
  for (let i = 1; i <= files; i++) writeFileSync(join(source, `m${i}`), randomBytes(fileMiB * MiB));
  const names = readdirSync(source);
  const totalMiB = files * fileMiB;
  const filesPerSecond = (seconds: number) => `${(files / seconds).toFixed(1)} files/s`;
  const measure = (name: string, run: () => Promise<unknown>) => rate(reps, name, "MiB/s", totalMiB, run, filesPerSecond);
  const withPool = async (use: (pool: SessionPool) => Promise<void>) => {
    const pool = new SessionPool(config);
    try {
      await use(pool);
    } finally {
      await pool.close();
    }
  };

  const downloaded = join(work, "m-down");
  mkdirSync(downloaded);
  await measure(MEDIUM.download.ours(MEDIUM_CONCURRENCY), () =>
    withPool(async (pool) => {
      let count = 0;
      for await (const item of queryFiles(pool, { remoteDirectory: `${remote}/m` }, { concurrency: MEDIUM_CONCURRENCY })) {
        if (isQueryError(item)) throw item.error;
        await pipeline(item.content, createWriteStream(join(downloaded, item.properties.fileName)));
        count++;
      }
      if (count !== files) throw new Error(`queried ${count} files`);
    }),
  );
  await measure(MEDIUM.download.openssh, () => sftpBatch(`lcd ${join(work, "m-down")}\nmget ${remote}/m/*\n`));
  await measure(MEDIUM.upload.ours(MEDIUM_CONCURRENCY), () =>
    withPool((pool) =>
      eachLimited(names, MEDIUM_CONCURRENCY, (name) =>
        createFile(pool, { fileName: name, remoteDirectory: `${remote}/mu-ours`, content: { path: join(source, name) } }, { actionIfFileExists: "OVERWRITE" }),
      ),
    ),
  );
  await measure(MEDIUM.upload.openssh, () => sftpBatch(`cd ${remote}/mu-openssh\nmput ${source}/*\n`));
}

/** Section LIST: a big directory. */
async function bigDirectory({ config, remote, sftpBatch, refClient }: Bench): Promise<void> {
  log("LIST");
  await rate(reps, "LIST ours (readdir)", "entries/s", sizes.listEntries, async () => {
    const s = await openSession(config);
    let count = 0;
    for await (const _ of s.readdir(`${remote}/l`)) count++;
    if (count !== sizes.listEntries) throw new Error(`listed ${count}`);
    await s.close();
  });
  await rate(reps, "LIST OpenSSH sftp ls -l", "entries/s", sizes.listEntries, () => sftpBatch(`ls -l ${remote}/l\n`));
  await rate(reps, "LIST ssh2-sftp-client list", "entries/s", sizes.listEntries, async () => {
    const c = await refClient();
    await c.list(`${remote}/l`);
    await c.end();
  });
}

/** Section RSS: memory of a very large GET streamed to nowhere. */
async function hugeGet({ config, remote }: Bench): Promise<void> {
  log(`GET ${sizes.rss / MiB} MiB to /dev/null`);
  const huge = await ourTransfer(config, ["get", `${remote}/rss.bin`, "/dev/null"]);
  record({ name: `ours: peak RSS of the process during a ${sizes.rss / MiB} MiB GET to /dev/null`, unit: "MiB", value: huge.maxRssMiB ?? Number.NaN });
  log(`GET ${sizes.rss / MiB} MiB: ${(sizes.rss / MiB / huge.seconds).toFixed(1)} MiB/s, peak RSS ${huge.maxRssMiB?.toFixed(0)} MiB`);
}

/** Section LISTEN: one poll cycle over a big directory, and how it grows from a tenth of it. */
async function pollCycles({ testbed, config, remote }: Bench): Promise<void> {
  log("LISTEN");
  const user = testbed.users.key.username;
  await testbed.exec(`mkdir -p ${remote}/l10 && cd ${remote}/l10 && seq 1 ${sizes.listEntries / 10} | xargs touch && chown -R ${user} ${remote}/l10`);
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
    record({ name: `LISTEN poll cycle, ${entries} entries`, unit: "ms", value: steady });
    record({ name: `LISTEN baseline cycle, ${entries} entries`, unit: "ms", value: cycles[0]! });
    log(
      `LISTEN ${entries} entries: baseline ${cycles[0]!.toFixed(0)} ms, steady cycle ${steady.toFixed(0)} ms, heap change after baseline ${heap.toFixed(1)} MiB`,
    );
  }
}

/** Section FILTER: the REGEX matcher on long names; V8's RegExp beside it where it can answer (tests count steps instead). */
function filters(): void {
  log("FILTER");
  for (const timing of benchFilters(Math.max(reps, 3))) {
    const note =
      timing.v8Ms === undefined
        ? "V8 RegExp backtracks catastrophically here"
        : `V8 RegExp ${timing.v8Ms.toFixed(2)} ms, ratio ${(timing.ms / timing.v8Ms).toFixed(1)}×`;
    record({ name: timing.name, unit: "ms", value: timing.ms, note });
    log(`${timing.name}: ${timing.ms.toFixed(2)} ms (${note})`);
  }
}

/** Creates the files every section reads, on the server and locally. */
async function prepareFiles({ testbed, remote, work }: Bench): Promise<void> {
  log("preparing files on the server");
  const user = testbed.users.key.username;
  await testbed.exec(
    `mkdir -p ${remote}/q ${remote}/l ${remote}/up && head -c ${sizes.big} /dev/urandom > ${remote}/get.bin && head -c ${sizes.slowRef} ${remote}/get.bin > ${remote}/small.bin && truncate -s ${sizes.rss} ${remote}/rss.bin && ` +
      `cd ${remote}/q && for i in $(seq 1 ${sizes.smallFiles}); do head -c 16384 /dev/urandom > f$i; done && cd ${remote}/l && seq 1 ${sizes.listEntries} | xargs touch && chown -R ${user} ${remote}`,
  );
  const localBig = join(work, "local.bin");
  await pipeline(createReadStream("/dev/urandom", { end: sizes.big - 1 }), createWriteStream(localBig));
  await pipeline(createReadStream(localBig, { end: sizes.slowRef - 1 }), createWriteStream(join(work, "local-small.bin")));
}

async function openBench(testbed: Testbed, work: string): Promise<Bench> {
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
  const sftpArgs = ["-q", "-b", "-", "-P", String(testbed.port), "-i", keyFile, "-o", `UserKnownHostsFile=${knownHosts}`];
  sftpArgs.push("-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", `${user.username}@127.0.0.1`);
  const serverCpu = containerCpuClock(testbed.containerId);
  if (!serverCpu) log(`no cgroup CPU file of the testbed container found (${containerCpuFiles(testbed.containerId).join(", ")}): server CPU is n/a`);
  return {
    testbed,
    config,
    remote: `${user.home}/bench`,
    work,
    sftpBatch: (commands) => runCommand("sftp", sftpArgs, commands),
    sftpTimed: (commands) => runTimed("sftp", sftpArgs, commands),
    refClient: async () => {
      const client = new SftpClient();
      await client.connect({ host: testbed.host, port: testbed.port, username: user.username, privateKey: user.keys.ed25519.privateKey });
      return client;
    },
    serverCpu,
  };
}

async function main(): Promise<void> {
  if (want("GET") || want("CREATE")) requireGnuTime();
  const work = mkdtempSync(join(tmpdir(), "sftp-bench-"));
  log(`${quick ? "quick" : "full"} run, ${reps} repetition(s), ${runs} run(s) of the single-stream comparison, scratch ${work}`);
  const testbed: Testbed = await startTestbed();
  try {
    const bench = await openBench(testbed, work);
    await prepareFiles(bench);
    const probe = await openSession(bench.config);
    const oursInfo = probe.info;
    await probe.close();

    if (want("GET") || want("CREATE")) await singleFiles(bench);
    if (want("QUERY")) await smallFiles(bench);
    if (want("LIST")) await bigDirectory(bench);
    if (want("MEDIUM")) await mediumFiles(bench);
    if (want("RSS")) await hugeGet(bench);
    if (want("LISTEN")) await pollCycles(bench);
    if (want("FILTER")) filters();

    const openssh = spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr.trim();
    report({
      bigMiB: sizes.big / MiB,
      connections,
      runs,
      queryOurs: QUERY_OURS,
      mediumConcurrency: MEDIUM_CONCURRENCY,
      medium: sizes.medium,
      base: only ? "partial" : quick ? "quick" : "latest",
      machine: {
        cipher: oursInfo.algorithms.cipher,
        serverBanner: oursInfo.banner,
        openssh,
        sizes: { ...sizes, mode: quick ? "quick" : "full", repetitions: reps, runs, connections },
      },
    });
  } finally {
    await testbed.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
