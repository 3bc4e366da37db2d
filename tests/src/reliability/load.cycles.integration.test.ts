// Load: 1 000 connect / upsert+get / close cycles through the facade leave no file descriptors, no server sessions and no heap growth behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSftpConnector, type SftpConnector } from "sftp-connector";
import { startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { countServerSessions, heapUsedAfterGc, mib, openFdCount, type ServerSessions } from "./loadProbes.js";

const CYCLES = 1_000;
const WARM_UP = 50;
const WORKERS = 4;
/** Heap may grow this much from after the warm-up to the end: a leak of 4 KiB per connection would show as ~3.7 MiB (measured: well under 1 MiB). */
const HEAP_BOUND = 4 * 1024 * 1024;
/** File descriptors may differ this much (the test runner's own, e.g. a pipe or a socket to Docker opening meanwhile). */
const FD_SLACK = 2;
const ROOT = "load-cycles";

let testbed: Testbed;
const open = new Set<SftpConnector>();

beforeAll(async () => {
  testbed = await startTestbed();
});
afterAll(async () => {
  await Promise.all([...open].map((connector) => connector.close()));
  await testbed?.stop();
});

describe("load: connect / operate / close cycles", () => {
  it(`${CYCLES} cycles (${WORKERS} at a time) leak no fds, no server sessions, no heap`, async () => {
    // The key user: a password login costs the server ~100 ms of CPU (PAM hashing the password), a key login ~30 ms,
    // and the connections are what this test is about, not PAM.
    const { username, home } = testbed.users.key;
    await testbed.exec(`mkdir -p ${home}/${ROOT}`, { user: username });
    const config = testbed.connectionConfig({ user: "key", extra: { remoteDirectory: ROOT } });

    /** One cycle: a new connector (a new SSH connection), an upsert and a get checked byte for byte, close. */
    const cycle = async (n: number, worker: number): Promise<void> => {
      const connector = createSftpConnector(config);
      open.add(connector);
      try {
        const fileName = `worker-${worker}.txt`;
        const content = `cycle ${n} of worker ${worker}\n`;
        await connector.upsert({ fileName, content });
        const doc = await connector.get({ fileName }, { as: "buffer", failIfNotFound: true });
        expect((doc!.content as Buffer).toString()).toBe(content);
        expect(connector.pool.peak).toBe(1);
      } finally {
        await connector.close();
        open.delete(connector);
      }
      expect(connector.pool.size).toBe(0);
    };
    /** Runs cycles `from`..`to`-1, `WORKERS` at a time. */
    const run = async (from: number, to: number): Promise<void> => {
      let next = from;
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, worker) => {
          while (next < to) await cycle(next++, worker);
        }),
      );
    };
    /** Waits until the server holds no connection of ours (a closed connection's sshd exits a moment later). */
    const settledServer = async (): Promise<ServerSessions> => {
      let last = await countServerSessions(testbed, username);
      await waitFor(async () => (last = await countServerSessions(testbed, username)).connections === 0, "the server to drop every session", 10_000, 100);
      return last;
    };
    const settle = () => new Promise((resolve) => setTimeout(resolve, 250));

    await settledServer(); // also opens the Docker connection the probes use, before the first fd count
    const fdsBefore = openFdCount();
    const started = performance.now();
    await run(0, WARM_UP);
    await settle();
    await settledServer();
    const fdsAfterWarmUp = openFdCount();
    const heapAfterWarmUp = heapUsedAfterGc();

    await run(WARM_UP, CYCLES);
    const elapsedMs = performance.now() - started;
    await settle();
    const sessionsAfter = await settledServer();
    const fdsAfter = openFdCount();
    const heapAfter = heapUsedAfterGc();

    console.log(
      `load.cycles: ${CYCLES} connect/upsert+get/close cycles, ${WORKERS} at a time, in ${(elapsedMs / 1000).toFixed(1)} s (${(elapsedMs / CYCLES).toFixed(1)} ms/cycle); ` +
        `fds before ${fdsBefore}, after warm-up ${fdsAfterWarmUp}, after ${fdsAfter}; server connections after ${sessionsAfter.connections}, sftp sessions ${sessionsAfter.sftpSessions}; ` +
        `heap after warm-up ${mib(heapAfterWarmUp)} MiB, after ${mib(heapAfter)} MiB (growth ${mib(heapAfter - heapAfterWarmUp)} MiB, bound ${mib(HEAP_BOUND)})`,
    );
    expect(open.size).toBe(0);
    expect(sessionsAfter).toEqual({ connections: 0, sftpSessions: 0 });
    expect(fdsAfter).toBeLessThanOrEqual(fdsAfterWarmUp + FD_SLACK);
    expect(fdsAfter).toBeLessThanOrEqual(fdsBefore + FD_SLACK);
    expect(heapAfter - heapAfterWarmUp).toBeLessThan(HEAP_BOUND);
    // Every cycle wrote its worker's file: the last content of each is on the server.
    const files = (await testbed.exec(`cd ${home}/${ROOT} && ls`)).stdout.trim().split("\n").sort();
    expect(files).toEqual(Array.from({ length: WORKERS }, (_, worker) => `worker-${worker}.txt`));
  }, 180_000);
});
