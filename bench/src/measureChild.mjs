// Runs one of our transfers in a fresh plain-Node process (built packages, no loader) and prints its time and peak RSS as JSON.
import { createReadStream, createWriteStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { openSession } from "@sftp-connector/transport";

const [mode, remote, local] = process.argv.slice(2);
const config = JSON.parse(process.env.BENCH_CONFIG ?? "{}");

const start = process.hrtime.bigint();
const session = await openSession(config);
if (mode === "get") {
  const sink = local === "/dev/null" ? new Writable({ write: (_c, _e, cb) => cb() }) : createWriteStream(local);
  await pipeline(session.createReadStream(remote), sink);
} else {
  await pipeline(createReadStream(local), session.createWriteStream(remote));
}
await session.close();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({ seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\n");
