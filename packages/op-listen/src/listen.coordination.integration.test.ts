// LISTEN as a group against the real testbed, with the in-memory coordination (the same contract the PostgreSQL and Redis ones follow): failover hands over with the token raised and nothing lost or repeated; shared mode has every change handled exactly once across instances.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Readable } from "node:stream";
import { rejectionOf, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError } from "@sftp-connector/core";
import { createMemoryCoordination, createMemoryEngine } from "@sftp-connector/poller";
import { SessionPool } from "@sftp-connector/transport";
import { listen, type ListenDocument, type Listener } from "./index.js";

let testbed: Testbed;
let dir = "";
let counter = 0;
const pools: SessionPool[] = [];
const listeners: Listener[] = [];

beforeAll(async () => (testbed = await startTestbed()));
afterAll(async () => {
  for (const listener of listeners) await listener.stop().catch(() => {});
  for (const pool of pools) await pool.close().catch(() => {});
  await testbed?.stop();
});
beforeEach(async () => {
  dir = `${testbed.users.password.home}/group${++counter}`;
  await testbed.exec(`mkdir '${dir}'`, { user: "tester" });
});

const pool = () => {
  const created = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
  pools.push(created);
  return created;
};

/** What one instance of the group handled: "<instance> <event> <file> <token> <content>". */
type Seen = { instance: string; event: string; name: string; token: string | undefined; content: string };

const drain = async (document: ListenDocument): Promise<string> => {
  const content = document.content;
  if (content === undefined) return "";
  if (Buffer.isBuffer(content)) return content.toString();
  const chunks: Buffer[] = [];
  for await (const chunk of content as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};

const drop = (name: string, text: string) => testbed.exec(`printf '${text}' > '${dir}/${name}'`, { user: "tester" });

describe("listen with coordination, mode failover", () => {
  it("only the lease holder delivers; after it stops the other takes over with the next token, resuming from the checkpoint (nothing lost, nothing twice)", async () => {
    const engine = createMemoryEngine();
    const seen: Seen[] = [];
    const start = async (instance: string) => {
      const listener = await listen(
        pool(),
        {
          remoteDirectory: dir,
          pollingIntervalMs: 100,
          stableAfter: { polls: 0 },
          key: "group-failover",
          coordination: createMemoryCoordination({ engine, owner: instance, ttlMs: 60_000 }),
        },
        async (document) => {
          seen.push({ instance, event: document.event, name: document.properties.fileName, token: document.fencingToken, content: await drain(document) });
        },
      );
      listeners.push(listener);
      return listener;
    };
    const a = await start("a");
    const b = await start("b");
    await waitFor(() => engine.lease("group-failover") !== undefined, "a lease holder");
    const first = engine.lease("group-failover")!;
    expect(first.token).toBe("1");
    const [holder, standby] = first.owner === "a" ? [a, b] : [b, a];

    await drop("one.txt", "1");
    await waitFor(() => seen.length >= 1, "one.txt delivered");
    await holder.stop(); // releases the lease: the standby takes it at its next poll
    await drop("two.txt", "2");
    await waitFor(() => seen.length >= 2, "two.txt delivered by the new holder");
    // A few more polls of the new holder: nothing is delivered again.
    expect(standby.poller.state).toBe("running");
    await new Promise<void>((resolve) => {
      let n = 0;
      const off = standby.poller.on("cycle", () => ++n >= 3 && (off(), resolve()));
    });
    expect(seen).toEqual([
      { instance: first.owner, event: "added", name: "one.txt", token: "1", content: "1" },
      { instance: first.owner === "a" ? "b" : "a", event: "added", name: "two.txt", token: "2", content: "2" },
    ]);
    await standby.stop();
  });
});

describe("listen with coordination, mode shared", () => {
  it("the holder enqueues, three instances handle: every file exactly once, each with the holder's token", async () => {
    const engine = createMemoryEngine();
    const seen: Seen[] = [];
    const group: Listener[] = [];
    for (const instance of ["a", "b", "c"]) {
      const listener = await listen(
        pool(),
        {
          remoteDirectory: dir,
          pollingIntervalMs: 100,
          stableAfter: { polls: 0 },
          key: "group-shared",
          mode: "shared",
          concurrency: 2,
          coordination: createMemoryCoordination({ engine, owner: instance, ttlMs: 60_000 }),
        },
        async (document) => {
          seen.push({ instance, event: document.event, name: document.properties.fileName, token: document.fencingToken, content: await drain(document) });
        },
      );
      listeners.push(listener);
      group.push(listener);
    }
    const names = Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, "0")}.txt`);
    // Written beside the directory and moved in whole: a poll never sees a file created but not yet written (with
    // stableAfter 0 that would rightly be delivered as added, then changed).
    const staging = `${dir}.staging`;
    await testbed.exec(`mkdir '${staging}' && ${names.map((name, i) => `printf '${i}' > '${staging}/${name}'`).join(" && ")} && mv '${staging}'/* '${dir}/'`, {
      user: "tester",
    });
    await waitFor(() => seen.length >= names.length, "12 files handled");
    for (const listener of group) await listener.stop();
    expect(seen.map((s) => `${s.name} ${s.event} token ${s.token}`).sort()).toEqual(names.map((name) => `${name} added token 1`));
    expect(seen.every((s) => s.event === "added" && s.token === "1" && s.content === String(Number(s.name.slice(1, 3))))).toBe(true);
    const handled = group.reduce((sum, listener) => sum + (listener.worker?.stats.handled ?? 0), 0);
    expect(handled).toBe(names.length);
  });
});

describe("listen with coordination, mode shared, a file gone before its change is claimed", () => {
  it("is skipped and acknowledged, so the file's later changes are not held behind it forever", async () => {
    const engine = createMemoryEngine();
    const coordination = createMemoryCoordination({ engine, owner: "only", ttlMs: 60_000 });
    const seen: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const listener = await listen(
      pool(),
      { remoteDirectory: dir, pollingIntervalMs: 100, stableAfter: { polls: 0 }, key: "group-gone", mode: "shared", coordination },
      async (document) => {
        seen.push(document.properties.fileName);
        await drain(document);
        if (seen.length === 1) await held; // the one worker is busy while the other file disappears
      },
    );
    listeners.push(listener);
    await testbed.exec(`printf 1 > '${dir}/one.txt' && printf 2 > '${dir}/two.txt'`, { user: "tester" });
    await waitFor(() => seen.length === 1, "the first file claimed");
    await waitFor(async () => (await coordination.queue.size("group-gone")) === 2, "both changes queued");
    const other = seen[0] === "one.txt" ? "two.txt" : "one.txt";
    await testbed.exec(`rm '${dir}/${other}'`, { user: "tester" });
    release();
    await waitFor(async () => (await coordination.queue.size("group-gone")) === 0, "the queue to drain");
    await listener.stop();
    expect(seen).toHaveLength(1);
    expect(listener.worker?.stats).toMatchObject({ handled: 2, failed: 0 });
  });
});

describe("listen coordination options", () => {
  it("refuses a local lock or store beside a coordination, and shared mode without one, naming the options", async () => {
    const coordination = createMemoryCoordination();
    const p = pool();
    const error = await rejectionOf(
      listen(p, { remoteDirectory: dir, coordination, stateFile: "/tmp/x.json", isSingleton: true }, () => {}),
      isSftpConnectorError,
    );
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toContain("stateFile: not with coordination");
    expect(error.message).toContain("isSingleton: not with coordination");
    const shared = await rejectionOf(
      listen(p, { remoteDirectory: dir, mode: "shared" }, () => {}),
      isSftpConnectorError,
    );
    expect(shared.message).toContain('mode: "shared" needs coordination');
    const mode = await rejectionOf(
      listen(p, { remoteDirectory: dir, coordination, mode: "sharded" as never }, () => {}),
      isSftpConnectorError,
    );
    expect(mode.message).toContain('mode: expected "failover" or "shared", got "sharded"');
    expect(p.peak).toBe(0);
  });
});
