// Load: a LISTEN soak under churn: files created, modified and deleted for ~35 s, every change delivered exactly once with its content, memory flat.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { createSftpConnector, type SftpConnector } from "sftp-connector";
import type { Listener, ListenDocument } from "@sftp-connector/listen";
import { sha256, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { heapUsedAfterGc, mib } from "./loadProbes.js";

const SOAK_MS = 35_000;
const POLL_MS = 100;
const SLOTS = 10;
const CHANGES_PER_STEP = 3;
/** A file is deleted after this many modifications, so the population stays bounded. */
const MODIFICATIONS = 2;
/** heapUsed (after GC) of the last third of the soak may exceed the first third's by this much. */
const HEAP_BOUND = 4 * 1024 * 1024;
const DIR = "soak";

let testbed: Testbed;
const connectors: SftpConnector[] = [];
let listener: Listener | undefined;

beforeAll(async () => {
  testbed = await startTestbed();
});
afterAll(async () => {
  await listener?.stop();
  await Promise.all(connectors.map((connector) => connector.close()));
  await testbed?.stop();
});

/** One change as the churn made it, or as the listener delivered it: which step it belongs to, and the file's state. */
interface Change {
  step: number;
  event: "added" | "modified" | "removed";
  fileName: string;
  size: number;
  sha: string;
}
const key = (c: Change) => `${String(c.step).padStart(4, "0")} ${c.event} ${c.fileName} ${c.size} ${c.sha}`;

const readAll = async (content: Readable | Buffer | undefined): Promise<Buffer> => {
  if (content === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Resolves after `n` more completed poll cycles of the listener. */
const cycles = (of: Listener, n: number) => {
  let seen = 0;
  const off = of.poller.on("cycle", () => void (seen += 1));
  return waitFor(() => seen >= n, `${n} poll cycles`, 20_000, 10).finally(off);
};

describe("load: a listener soaking under churn", () => {
  it(`delivers every change of ~${SOAK_MS / 1000} s of churn exactly once, with its content, and keeps memory flat`, async () => {
    await testbed.exec(`mkdir -p ${testbed.users.password.home}/${DIR}`, { user: "tester" });
    const config = testbed.connectionConfig();
    const listening = createSftpConnector(config);
    const churner = createSftpConnector({ ...config, remoteDirectory: DIR, pool: { max: CHANGES_PER_STEP } });
    connectors.push(listening, churner);

    let step = 0; // the churn step the listener is in (changes of step s are delivered before step s + 1 begins)
    const received: Change[] = [];
    let polls = 0;
    listener = await listening.listen(
      // stableAfter { polls: 1 } (the default, said out loud): a new or changed file is delivered once two listings agree on it.
      { remoteDirectory: DIR, pollingIntervalMs: POLL_MS, stableAfter: { polls: 1 } },
      async (doc: ListenDocument) => {
        const content = await readAll(doc.content);
        received.push({
          step,
          event: doc.event,
          fileName: doc.properties.fileName,
          size: doc.properties.size ?? -1,
          sha: doc.event === "removed" ? "" : sha256(content),
        });
      },
    );
    const errors: string[] = [];
    listener.poller.on("error", (error) => void errors.push(error.message));
    listener.poller.on("cycle", () => void (polls += 1));
    await cycles(listener, 1); // the baseline

    // The churn. Each step changes CHANGES_PER_STEP slots at once through a second connector (create
    // an absent file; modify a present one by replacing it or appending to it, always to a new size;
    // delete it after MODIFICATIONS modifications), every fourth step also makes a file that lives
    // for a moment only (created and removed in one shell command). Then it waits for three completed
    // poll cycles: the cycle running when the step ended (its listing may predate the step), one that
    // lists the new state, and one that finds it unchanged, which is when `stableAfter` delivers.
    // So every change exists at two poll boundaries and must be delivered once, in its step; a file
    // that lived between two polls can never be seen and must never be delivered.
    const files = new Map<string, { content: Buffer; modifications: number }>();
    const expected: Change[] = [];
    const heap: number[] = [];
    const ephemeral: string[] = [];
    const started = performance.now();
    let lastSample = 0;
    while (performance.now() - started < SOAK_MS) {
      step += 1;
      const work: Array<Promise<unknown>> = [];
      for (let k = 0; k < CHANGES_PER_STEP; k++) {
        const fileName = `file-${(step * CHANGES_PER_STEP + k) % SLOTS}.txt`;
        const current = files.get(fileName);
        if (current === undefined) {
          const content = randomBytes(100 + Math.floor(Math.random() * 4000));
          files.set(fileName, { content, modifications: 0 });
          expected.push({ step, event: "added", fileName, size: content.length, sha: sha256(content) });
          work.push(churner.create({ fileName, content }));
        } else if (current.modifications >= MODIFICATIONS) {
          files.delete(fileName);
          expected.push({ step, event: "removed", fileName, size: current.content.length, sha: "" });
          work.push(churner.delete({ ids: [fileName] }, { failIfNotFound: true }));
        } else {
          const append = (step + k) % 2 === 0;
          const extra = randomBytes(1 + Math.floor(Math.random() * 2000));
          let content = append ? Buffer.concat([current.content, extra]) : extra;
          if (content.length === current.content.length) content = Buffer.concat([content, Buffer.from("!")]);
          files.set(fileName, { content, modifications: current.modifications + 1 });
          expected.push({ step, event: "modified", fileName, size: content.length, sha: sha256(content) });
          work.push(
            append ? churner.upsert({ fileName, content: content.subarray(current.content.length) }, { append: true }) : churner.upsert({ fileName, content }),
          );
        }
      }
      if (step % 4 === 0) {
        const name = `moment-${step}.txt`;
        ephemeral.push(name);
        work.push(testbed.exec(`cd ${testbed.users.password.home}/${DIR} && printf x > ${name} && rm ${name}`, { user: "tester" }));
      }
      await Promise.all(work);
      await cycles(listener, 3);
      if (performance.now() - lastSample >= 1_000) {
        heap.push(heapUsedAfterGc());
        lastSample = performance.now();
      }
    }
    const soakMs = performance.now() - started;
    step += 1; // anything delivered from now on is late (or a duplicate)
    await cycles(listener, 5);
    await listener.stop();
    listener = undefined;

    const count = (changes: Change[], event: Change["event"]) => changes.filter((c) => c.event === event).length;
    const third = Math.floor(heap.length / 3);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const firstThird = mean(heap.slice(0, third));
    const lastThird = mean(heap.slice(heap.length - third));
    console.log(
      `load.listenerSoak: ${(soakMs / 1000).toFixed(1)} s, ${step - 1} steps, ${polls} polls; churn ${expected.length} changes ` +
        `(${count(expected, "added")} added, ${count(expected, "modified")} modified, ${count(expected, "removed")} removed) + ${ephemeral.length} momentary files; ` +
        `delivered ${received.length} (${count(received, "added")} added, ${count(received, "modified")} modified, ${count(received, "removed")} removed); listener errors ${errors.length}; ` +
        `heap samples ${heap.length}: first third ${mib(firstThird)} MiB, last third ${mib(lastThird)} MiB (growth ${mib(lastThird - firstThird)} MiB, bound ${mib(HEAP_BOUND)})`,
    );

    // Exactly once: the same multiset of (step, event, name, size, content), so none missing, none duplicated, none late, none wrong.
    expect(received.map(key).sort()).toEqual(expected.map(key).sort());
    expect(received.filter((c) => c.fileName.startsWith("moment-"))).toEqual([]);
    expect(errors).toEqual([]);
    expect(step).toBeGreaterThan(20); // the soak really churned
    // The server holds what the churn says it should.
    const remaining = (await testbed.exec(`cd ${testbed.users.password.home}/${DIR} && ls -A`)).stdout.split("\n").filter(Boolean).sort();
    expect(remaining).toEqual([...files.keys()].sort());
    // Memory flat: the last third of the soak does not hold more than the first.
    expect(heap.length).toBeGreaterThanOrEqual(15);
    expect(lastThird - firstThird).toBeLessThan(HEAP_BOUND);

    await Promise.all(connectors.splice(0).map((connector) => connector.close()));
  }, 90_000);
});
