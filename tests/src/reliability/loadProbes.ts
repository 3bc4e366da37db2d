// Probes for the load tests: SSH connections open on the testbed (once, or sampled densely while work runs), open file descriptors, and heap after a forced GC.
import { readdirSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Testbed } from "@sftp-connector/testkit";

/**
 * The shell text that prints two numbers: SSH connections open on the server, and SFTP sessions.
 *
 * How to count, and why so: the testbed's sshd (`sshd -D`, the oldest process named `sshd`, the
 * "[listener]") forks one monitor child (`sshd: USER [priv]`, or `sshd: [accepted]` before the user
 * is known) per TCP connection, from the moment it accepts the connection until it is closed. The
 * number of children of the listener is therefore the number of connections the server holds, in
 * every phase (handshake, auth, in use, closing), which is what a pool limit must bound. The second
 * number counts `sshd: USER@internal-sftp` processes (the server runs `Subsystem sftp internal-sftp`,
 * so there is no separate `sftp-server` process: `pgrep sftp-server` would always say 0): one per
 * SFTP session actually started. `pgrep -f '^sshd: …'` is anchored, so the `sh -c` running the
 * probe never counts itself.
 */
export function serverSessionsScript(username: string, listenerPid = `"$(pgrep -o -x sshd)"`): string {
  if (!/^[A-Za-z0-9._-]+$/.test(username)) throw new Error(`not a user name: ${JSON.stringify(username)}`);
  return `echo "$(pgrep -c -P ${listenerPid} || true) $(pgrep -c -f '^sshd: ${username}@internal-sftp' || true)"`;
}

/** SSH connections and SFTP sessions open on the server now. */
export interface ServerSessions {
  connections: number;
  sftpSessions: number;
}

const parse = (line: string): ServerSessions => {
  const [connections, sftpSessions] = line.trim().split(/\s+/).map(Number);
  if (!Number.isInteger(connections) || !Number.isInteger(sftpSessions)) throw new Error(`unexpected session probe output: ${JSON.stringify(line)}`);
  return { connections: connections!, sftpSessions: sftpSessions! };
};

/** Counts the SSH connections and SFTP sessions open on the testbed now (see {@link serverSessionsScript}). */
export async function countServerSessions(testbed: Testbed, username = testbed.users.password.username): Promise<ServerSessions> {
  return parse((await testbed.exec(serverSessionsScript(username))).stdout);
}

/** A sampler running inside the container; `stop()` ends it and returns every sample. */
export interface ServerSessionSampler {
  stop(): Promise<ServerSessions[]>;
}

/**
 * Samples the server's connections and SFTP sessions every `intervalMs` from inside the container
 * (one `docker exec` running a shell loop, so samples are dense: a round trip per sample through
 * docker would take ~100 ms), until `stop()`.
 */
export async function sampleServerSessions(testbed: Testbed, intervalMs = 20, username = testbed.users.password.username): Promise<ServerSessionSampler> {
  const flag = `/tmp/load-sampler-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const seconds = (intervalMs / 1000).toFixed(3);
  // The listener's pid is looked up once; the loop is bounded (100 000 samples) even if stop() is never called.
  const loop = `L=$(pgrep -o -x sshd); i=0; while [ ! -e ${flag} ] && [ $i -lt 100000 ]; do ${serverSessionsScript(username, "$L")}; i=$((i + 1)); sleep ${seconds}; done`;
  const running = testbed.exec(`touch ${flag}.started; ${loop}; rm -f ${flag} ${flag}.started`);
  running.catch(() => {}); // awaited in stop()
  // Wait until the loop runs, so no sample window is missed at the start.
  const deadline = Date.now() + 15_000;
  while ((await testbed.exec(`test -e ${flag}.started`, { allowFailure: true })).exitCode !== 0) {
    if (Date.now() > deadline) throw new Error("the session sampler did not start");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    async stop() {
      await testbed.exec(`touch ${flag}`);
      const { stdout } = await running;
      return stdout
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map(parse);
    },
  };
}

/** Open file descriptors of this process (entries of `/proc/self/fd`, less the one `readdir` itself holds). */
export function openFdCount(): number {
  return readdirSync("/proc/self/fd").length - 1;
}

let gc: (() => void) | undefined;

/** Runs a full garbage collection (exposing `gc` at run time: the test process is not started with `--expose-gc`). */
export function forceGc(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
  gc();
}

/** `heapUsed` in bytes after a forced full GC. */
export function heapUsedAfterGc(): number {
  forceGc();
  return process.memoryUsage().heapUsed;
}

/** Bytes as MiB with two decimals, for summary lines. */
export const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(2);
