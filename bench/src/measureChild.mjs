// Runs one of our transfers in a fresh plain-Node process (built packages, no loader) and prints its time, CPU and peak RSS as JSON.
// Modes: `get`/`create` (a session's stream API), `get-op`/`create-op` (getFile/createFile over a SessionPool, with `connections`).
import { createReadStream, createWriteStream } from "node:fs";
import { posix } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createFile } from "@sftp-connector/create";
import { getFile } from "@sftp-connector/get";
import { openSession, SessionPool } from "@sftp-connector/transport";

const [mode, remote, local, connectionsArg] = process.argv.slice(2);
const config = JSON.parse(process.env.BENCH_CONFIG ?? "{}");
const connections = Number(connectionsArg ?? 1);

const sink = () => (local === "/dev/null" ? new Writable({ write: (_c, _e, cb) => cb() }) : createWriteStream(local));

/** The transfers, by mode; each opens and closes its own connection(s). */
const transfers = {
  async get() {
    const session = await openSession(config);
    await pipeline(session.createReadStream(remote), sink());
    await session.close();
  },
  async create() {
    const session = await openSession(config);
    await pipeline(createReadStream(local), session.createWriteStream(remote));
    await session.close();
  },
  async "get-op"() {
    await withPool(async (pool) => {
      const document = await getFile(pool, { fileName: remote }, { failIfNotFound: true, allowAbsolutePaths: true, connections });
      await pipeline(document.content, sink());
    });
  },
  async "create-op"() {
    await withPool((pool) =>
      createFile(
        pool,
        { fileName: posix.basename(remote), remoteDirectory: posix.dirname(remote), content: { path: local } },
        { actionIfFileExists: "OVERWRITE", connections },
      ),
    );
  },
};

async function withPool(use) {
  const pool = new SessionPool(config);
  try {
    await use(pool);
  } finally {
    await pool.close();
  }
}

const transfer = transfers[mode];
if (!transfer) throw new Error(`measureChild: unknown mode ${mode} (one of ${Object.keys(transfers).join(", ")})`);
const cpuSeconds = () => {
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  return (userCPUTime + systemCPUTime) / 1e6;
};
// CPU and time from the connection's opening to its close (Node's start-up and module loading not counted; `processCpuSeconds` has them).
const cpuBefore = cpuSeconds();
const start = process.hrtime.bigint();
await transfer();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const processCpuSeconds = cpuSeconds();
process.stdout.write(
  `${JSON.stringify({ seconds, cpuSeconds: processCpuSeconds - cpuBefore, processCpuSeconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
