// The network cut after N bytes, throttled, delayed and stalled by a fault relay between the facade and the server: byte-identical, or CONNECTION_LOST/TIMEOUT in time.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { startTestbed, waitFor, sha256, rejectionOf, type Testbed } from "@sftp-connector/testkit";
import { createSftpConnector, isSftpConnectorError, type SftpConnector } from "sftp-connector";
import { startFaultRelay, type FaultRelay, type RelayFaults } from "./faultRelay.js";

let testbed: Testbed;
let relay: FaultRelay | undefined;
let sftp: SftpConnector | undefined;
const home = "/home/tester";
const MiB = 1024 * 1024;
const READ_MS = 2_000;
let fileHash: string;

beforeAll(async () => {
  testbed = await startTestbed();
  await testbed.exec(
    `mkdir -p ${home}/net && head -c ${3 * MiB} /dev/urandom > ${home}/net/three.bin && printf small > ${home}/net/small.txt && chown -R tester: ${home}/net`,
  );
  fileHash = await testbed.sha256(`${home}/net/three.bin`);
});
afterEach(async () => {
  await sftp?.close();
  sftp = undefined;
  await relay?.close();
  relay = undefined;
  await waitFor(async () => (await testbed.exec("pgrep -f '^sshd: tester' || true")).stdout.trim() === "", "no session of tester left", 10_000);
});
afterAll(async () => {
  await testbed?.stop();
});

/** A relay with `faults` and a connector through it (the testbed's host key pinned by fingerprint), with short timeouts. */
async function through(faults: RelayFaults, retry: { attempts: number; backoffMs: number }, readMs = READ_MS): Promise<SftpConnector> {
  relay = await startFaultRelay({ host: testbed.host, port: testbed.port }, faults);
  sftp = createSftpConnector(
    testbed.connectionConfig({ hostKey: "fingerprint", extra: { port: relay.port, remoteDirectory: "net", retry, timeouts: { connectMs: 5_000, readMs } } }),
  );
  return sftp;
}

/** Resolves with what `work` settles to, or fails the test when it takes longer than `ms` (a hang). */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still running after ${ms} ms: a hang`)), ms)));
  try {
    return await Promise.race([work, bound]);
  } finally {
    clearTimeout(timer);
  }
}

const getBuffer = async (connector: SftpConnector, fileName: string) => (await connector.get({ fileName }, { as: "buffer" }))!.content as Buffer;

describe("network cut after N bytes", () => {
  it("GET with every connection cut after 1 MiB down: resumes across connections, SHA-256 identical", { timeout: 60_000 }, async () => {
    const connector = await through({ cutAfterBytes: { down: MiB } }, { attempts: 8, backoffMs: 50 });
    const bytes = await within(45_000, getBuffer(connector, "three.bin"));
    expect(sha256(bytes)).toBe(fileHash);
    expect(relay!.connections).toBeGreaterThanOrEqual(4); // 3 MiB at under 1 MiB per connection
  });

  it("GET with too few retries for the cuts: CONNECTION_LOST naming the file", { timeout: 60_000 }, async () => {
    const connector = await through({ cutAfterBytes: { down: MiB } }, { attempts: 1, backoffMs: 50 });
    const error = await within(45_000, rejectionOf(getBuffer(connector, "three.bin"), isSftpConnectorError));
    expect(error.reason).toBe("CONNECTION_LOST");
    expect(error.path).toBe(`${home}/net/three.bin`);
  });

  it("CREATE with every connection cut after 2 MiB up: resumes, byte-identical, no temporary file left", { timeout: 60_000 }, async () => {
    // The whole file goes out at once (all in flight); a resume sends fewer requests at a time, so
    // some are acknowledged before the next cut (before that fix, no connection made progress).
    const data = randomBytes(4 * MiB);
    const connector = await through({ cutAfterBytes: { up: 2 * MiB } }, { attempts: 8, backoffMs: 50 });
    await within(45_000, connector.create({ fileName: "up.bin", content: data }));
    expect(await testbed.sha256(`${home}/net/up.bin`)).toBe(sha256(data));
    expect((await testbed.exec(`ls -A ${home}/net`)).stdout.split("\n").filter((n) => n.includes("sftp-tmp"))).toEqual([]);
  });

  it("CREATE with too few retries: CONNECTION_LOST, nothing at the name, no temporary file", { timeout: 60_000 }, async () => {
    const connector = await through({ cutAfterBytes: { up: MiB } }, { attempts: 0, backoffMs: 50 });
    const error = await within(45_000, rejectionOf(connector.create({ fileName: "cut.bin", content: randomBytes(3 * MiB) }), isSftpConnectorError));
    expect(error.reason).toBe("CONNECTION_LOST");
    expect(error.path).toBe(`${home}/net/cut.bin`);
    const names = (await testbed.exec(`ls -A ${home}/net`)).stdout.split("\n");
    expect(names.filter((n) => n.includes("cut.bin"))).toEqual([]);
  });
});

describe("network throttled, delayed, stalled", () => {
  it("throttled to a crawl (256 KiB/s) with a read timeout above the transfer time: GET of 1 MiB completes byte-identical", { timeout: 60_000 }, async () => {
    // readMs bounds each SFTP request, and up to the whole file is requested at once: at 256 KiB/s
    // the last answer of 1 MiB comes after about 4 s, so readMs is 10 s here (with 2 s the
    // outcome is TIMEOUT or success depending on how far the read window had grown).
    await testbed.exec(`head -c ${MiB} ${home}/net/three.bin > ${home}/net/one.bin && chown tester: ${home}/net/one.bin`);
    const connector = await through({ bytesPerSecond: 256 * 1024 }, { attempts: 0, backoffMs: 50 }, 10_000);
    const started = Date.now();
    const bytes = await within(45_000, getBuffer(connector, "one.bin"));
    expect(sha256(bytes)).toBe(await testbed.sha256(`${home}/net/one.bin`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000); // the throttle was in force: 1 MiB at 256 KiB/s
  });

  it("throttled to 16 KiB/s, far below what a read request needs within readMs: TIMEOUT within its bound, no hang", { timeout: 60_000 }, async () => {
    const connector = await through({ bytesPerSecond: 16 * 1024 }, { attempts: 0, backoffMs: 50 });
    const started = Date.now();
    const error = await within(45_000, rejectionOf(getBuffer(connector, "three.bin"), isSftpConnectorError));
    expect(error.reason).toBe("TIMEOUT");
    expect(error.message).toContain("timeouts.readMs");
    expect(Date.now() - started).toBeLessThan(5_000 + READ_MS + 10_000);
  });

  it("with 100 ms latency each way: LIST, GET and CREATE work", { timeout: 60_000 }, async () => {
    const connector = await through({ latencyMs: 100 }, { attempts: 1, backoffMs: 50 });
    const names: string[] = [];
    for await (const entry of connector.list()) names.push(entry.fileName);
    expect(names).toContain("small.txt");
    expect((await getBuffer(connector, "small.txt")).toString()).toBe("small");
    await connector.create({ fileName: "slow.txt", content: "over a slow link" }, { actionIfFileExists: "OVERWRITE" });
    expect((await testbed.exec(`cat ${home}/net/slow.txt`)).stdout).toBe("over a slow link");
  });

  it("stalled mid-GET: TIMEOUT after the read timeout (not before, not much after); the next GET on the same connector succeeds", {
    timeout: 60_000,
  }, async () => {
    // 16 MiB: more than the client requests at once, so the stall surely holds requests back.
    await testbed.exec(`head -c ${16 * MiB} /dev/urandom > ${home}/net/sixteen.bin && chown tester: ${home}/net/sixteen.bin`);
    const connector = await through({}, { attempts: 0, backoffMs: 50 });
    const doc = await connector.get({ fileName: "sixteen.bin" });
    let received = 0;
    let started = 0;
    const error = await within(
      30_000,
      rejectionOf(
        (async () => {
          for await (const chunk of doc!.content as AsyncIterable<Buffer>) {
            received += chunk.length;
            if (received >= 256 * 1024 && started === 0) {
              await relay!.set({ stalled: true });
              started = Date.now();
            }
          }
        })(),
        isSftpConnectorError,
      ),
    );
    const elapsed = Date.now() - started;
    expect(error.reason).toBe("TIMEOUT");
    expect(error.message).toContain("timeouts.readMs");
    expect(received).toBeLessThan(16 * MiB);
    // The request that timed out was sent at most a moment before the stall began.
    expect(elapsed).toBeGreaterThanOrEqual(READ_MS - 500);
    expect(elapsed).toBeLessThan(READ_MS + 10_000);
    await relay!.set({});
    expect(sha256(await within(30_000, getBuffer(connector, "three.bin")))).toBe(fileHash);
  });
});
