// CPU seconds for the bench's CPU-per-GiB rows: the testbed container's (from its cgroup) and an external command's (from GNU time).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

/** Reads a cgroup v1 `cpuacct.usage` (nanoseconds) as seconds. */
const fromNanoseconds = (text: string) => Number(text.trim()) / 1e9;

/** Reads `usage_usec` of a cgroup v2 `cpu.stat` as seconds. */
function fromCpuStat(text: string): number {
  const match = /^usage_usec (\d+)$/m.exec(text);
  if (!match) throw new Error(`no usage_usec in cpu.stat: ${text.slice(0, 200)}`);
  return Number(match[1]) / 1e6;
}

/** Where a Docker container's CPU total is kept, per cgroup version and driver. */
const CONTAINER_CPU_FILES: Array<{ path: (id: string) => string; read: (text: string) => number }> = [
  { path: (id) => `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, read: fromNanoseconds },
  { path: (id) => `/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`, read: fromNanoseconds },
  { path: (id) => `/sys/fs/cgroup/cpuacct/system.slice/docker-${id}.scope/cpuacct.usage`, read: fromNanoseconds },
  { path: (id) => `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, read: fromCpuStat },
  { path: (id) => `/sys/fs/cgroup/docker/${id}/cpu.stat`, read: fromCpuStat },
];

/** The container's CPU seconds so far (every process in it), or undefined when none of the known cgroup files exists here. */
export function containerCpuClock(containerId: string): (() => number) | undefined {
  for (const { path, read } of CONTAINER_CPU_FILES) {
    const file = path(containerId);
    if (existsSync(file)) return () => read(readFileSync(file, "utf8"));
  }
  return undefined;
}

/** Where the cgroup files for `containerId` were looked for (for the warning when none exists). */
export const containerCpuFiles = (containerId: string) => CONTAINER_CPU_FILES.map(({ path }) => path(containerId));

/** Runs a command with `input` on stdin; resolves with its stderr, rejects on a non-zero exit. */
export function runCommand(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(stderr) : reject(new Error(`${command} exited ${code}: ${stderr.slice(-500)}`))));
    child.stdin.end(input ?? "");
  });
}

const GNU_TIME = "/usr/bin/time";

/** Fails early, with what to do, when GNU time (the CPU meter of OpenSSH's client) is missing. */
export function requireGnuTime(): void {
  if (!existsSync(GNU_TIME)) {
    throw new Error(
      `${GNU_TIME} (GNU time) is missing: the bench measures the CPU of OpenSSH's sftp with it; install it (Debian/Ubuntu: apt-get install time)`,
    );
  }
}

/** One run of a transfer: its wall time and the client's CPU seconds (user + system); our child also reports its peak RSS. */
export interface Sample {
  seconds: number;
  cpuSeconds: number;
  maxRssMiB?: number;
}

/** Runs `command` under GNU time: its wall time (process start included) and its CPU seconds, user + system, from the last stderr line. */
export async function runTimed(command: string, args: string[], input?: string): Promise<Sample> {
  const start = process.hrtime.bigint();
  const stderr = await runCommand(GNU_TIME, ["-f", "%U %S", command, ...args], input);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const last = stderr.trim().split("\n").at(-1) ?? "";
  const [user, system] = last.split(" ").map(Number);
  if (user === undefined || system === undefined || Number.isNaN(user) || Number.isNaN(system))
    throw new Error(`${GNU_TIME}: no "user system" line in ${JSON.stringify(last)}`);
  return { seconds, cpuSeconds: user + system };
}
