// Load: 64 concurrent create/get/list/query/upsert/delete operations through the facade with pool.max 8 all succeed with the right contents, and the server never holds more than 8 sessions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { createSftpConnector, type SftpConnector } from "sftp-connector";
import { isQueryError } from "@sftp-connector/query";
import { sha256, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { countServerSessions, sampleServerSessions } from "./loadProbes.js";

const OPERATIONS = 64;
const POOL_MAX = 8;
const KINDS = ["create", "get", "list", "query", "upsert", "delete"] as const;
type Kind = (typeof KINDS)[number];
const ROOT = "load-concurrency";

let testbed: Testbed;
const opened: SftpConnector[] = [];

beforeAll(async () => {
  testbed = await startTestbed();
});
afterAll(async () => {
  await Promise.all(opened.map((connector) => connector.close()));
  await testbed?.stop();
});

/** Random bytes of 64 KiB to 320 KiB: big enough that operations overlap, small enough to stay quick. */
const payload = () => randomBytes(65_536 + Math.floor(Math.random() * 262_144));

describe("load: concurrent operations through one pooled connector", () => {
  it(`runs ${OPERATIONS} mixed operations at once with pool.max ${POOL_MAX}: all correct, never more than ${POOL_MAX} server sessions`, async () => {
    const config = testbed.connectionConfig({ extra: { remoteDirectory: ROOT } });
    const kindOf = (i: number): Kind => KINDS[i % KINDS.length]!;
    const pad = (i: number) => String(i).padStart(2, "0");

    // Seed what get/list/query/upsert/delete work on, with a connector of its own (closed before the measured run).
    const seeds = new Map<number, { files: Map<string, Buffer> }>();
    await testbed.exec(`mkdir -p ${testbed.users.password.home}/${ROOT}`, { user: "tester" });
    const seeder = createSftpConnector({ ...config, pool: { max: 4 } });
    try {
      const uploads: Array<() => Promise<unknown>> = [];
      for (let i = 0; i < OPERATIONS; i++) {
        const files = new Map<string, Buffer>();
        const kind = kindOf(i);
        if (kind === "get" || kind === "upsert" || kind === "delete") files.set(`${kind}-${pad(i)}.bin`, payload());
        if (kind === "list" || kind === "query") for (let f = 0; f < 3; f++) files.set(`${kind}-${pad(i)}/file-${f}.bin`, payload());
        seeds.set(i, { files });
        for (const [fileName, content] of files) uploads.push(() => seeder.create({ fileName, content }, { createDirectories: true }));
      }
      for (let next = 0; next < uploads.length; ) await Promise.all(uploads.slice(next, (next += 8)).map((upload) => upload()));
    } finally {
      await seeder.close();
    }
    expect((await countServerSessions(testbed)).connections).toBe(0);

    const connector = createSftpConnector({ ...config, pool: { max: POOL_MAX } });
    opened.push(connector);
    const written = new Map<string, Buffer>(); // what create/upsert wrote, checked on the server afterwards
    const deleted: string[] = [];
    const runOne = async (i: number): Promise<Kind> => {
      const kind = kindOf(i);
      const [[seedName, seedContent] = ["", Buffer.alloc(0)]] = [...seeds.get(i)!.files];
      switch (kind) {
        case "create": {
          const content = payload();
          const fileName = `create-${pad(i)}.bin`;
          const result = await connector.create({ fileName, content });
          expect(result).toMatchObject({ response: { fileName }, bytesWritten: content.length });
          written.set(fileName, content);
          break;
        }
        case "get": {
          const doc = await connector.get({ fileName: seedName }, { as: "buffer" });
          expect(doc?.properties.fileName).toBe(seedName);
          expect(sha256(doc!.content as Buffer)).toBe(sha256(seedContent));
          break;
        }
        case "list": {
          const entries = [];
          for await (const entry of connector.list({ remoteDirectory: `${ROOT}/list-${pad(i)}` })) entries.push([entry.fileName, entry.fileSize]);
          const expected = [...seeds.get(i)!.files].map(([name, content]) => [name.split("/")[1], content.length]);
          expect(entries.sort()).toEqual(expected.sort());
          break;
        }
        case "query": {
          const got: Array<[string, string]> = [];
          for await (const item of connector.query({ remoteDirectory: `${ROOT}/query-${pad(i)}` }, { as: "buffer" })) {
            if (isQueryError(item)) throw item.error;
            got.push([item.properties.fileName, sha256(item.content as Buffer)]);
          }
          const expected = [...seeds.get(i)!.files].map(([name, content]) => [name.split("/")[1], sha256(content)]);
          expect(got.sort()).toEqual(expected.sort());
          break;
        }
        case "upsert": {
          const content = payload();
          const result = await connector.upsert({ fileName: seedName, content });
          expect(result.existed).toBe(true);
          written.set(seedName, content);
          break;
        }
        case "delete": {
          const [result] = await connector.delete({ ids: [seedName] });
          expect(result).toMatchObject({ fileName: seedName, deleted: true });
          deleted.push(seedName);
          break;
        }
      }
      return kind;
    };

    const sampler = await sampleServerSessions(testbed, 10);
    const started = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: OPERATIONS }, (_, i) => runOne(i)));
    const samples = await sampler.stop();
    const elapsedMs = performance.now() - started;
    const failures = outcomes.flatMap((outcome, i) => (outcome.status === "rejected" ? [`#${i} ${kindOf(i)}: ${String(outcome.reason)}`] : []));
    expect(failures).toEqual([]);

    // What create and upsert wrote is on the server, byte for byte; what delete removed is gone.
    const home = `${testbed.users.password.home}/${ROOT}`;
    for (const [fileName, content] of written) expect(await testbed.sha256(`${home}/${fileName}`), fileName).toBe(sha256(content));
    const remaining = (await testbed.exec(`cd ${home} && ls`)).stdout.split("\n");
    expect(deleted.filter((name) => remaining.includes(name))).toEqual([]);

    const maxConnections = Math.max(...samples.map((s) => s.connections));
    const maxSftp = Math.max(...samples.map((s) => s.sftpSessions));
    console.log(
      `load.concurrency: ${OPERATIONS} ops (${KINDS.map((k) => `${outcomes.filter((o) => o.status === "fulfilled" && o.value === k).length} ${k}`).join(", ")}) in ${Math.round(elapsedMs)} ms; ` +
        `server samples ${samples.length}, max connections ${maxConnections}, max sftp sessions ${maxSftp}; pool peak ${connector.pool.peak}, max ${connector.pool.max}`,
    );
    expect(samples.length).toBeGreaterThanOrEqual(10); // many samples while the operations ran
    expect(maxConnections).toBeLessThanOrEqual(POOL_MAX);
    expect(maxSftp).toBeLessThanOrEqual(POOL_MAX);
    expect(maxConnections).toBeGreaterThan(1); // concurrency happened
    expect(connector.pool.peak).toBeLessThanOrEqual(POOL_MAX);
    expect(connector.pool.peak).toBeGreaterThan(1);

    await connector.close();
    expect(connector.pool.size).toBe(0);
    // The server lets go of every session once the connector closed (allow it a moment to reap them).
    const deadline = Date.now() + 10_000;
    let after = await countServerSessions(testbed);
    while (after.connections > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await countServerSessions(testbed);
    }
    expect(after).toEqual({ connections: 0, sftpSessions: 0 });
  }, 90_000);
});
