// LISTEN against the real testbed: changes delivered once each, stable files, restarts, handler retries, singletons, bad input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { sha256, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError } from "@sftp-connector/core";
import { SessionPool } from "@sftp-connector/transport";
import { createFileLock } from "@sftp-connector/poller";
import { listen, listenEvents, MISSING_DIRECTORY_MESSAGE, type ListenDocument, type Listener } from "./index.js";

let testbed: Testbed;
let pool: SessionPool;
let home: string;
let dirCount = 0;

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint", timeoutMs: 10_000 }), { healthCheckAfterMs: 0 });
});
afterAll(async () => {
  await pool?.close();
  await testbed?.stop();
});

/** A fresh directory in the tester's home, and a shell helper that runs as tester inside it. */
async function freshDir(): Promise<{ dir: string; sh: (cmd: string) => Promise<string> }> {
  const dir = `${home}/listen${++dirCount}`;
  await testbed.exec(`mkdir -p ${dir}`, { user: "tester" });
  return { dir, sh: async (cmd) => (await testbed.exec(`cd ${dir} && ${cmd}`, { user: "tester" })).stdout };
}

const readAll = async (content: Readable | Buffer | undefined) => {
  if (!content) return Buffer.alloc(0);
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Waits a few poll cycles of `listener` (so "nothing more arrives" is a real check). */
async function cycles(listener: Listener, n: number): Promise<void> {
  let seen = 0;
  const off = listener.poller.on("cycle", () => void (seen += 1));
  try {
    await waitFor(() => seen >= n, `${n} poll cycles`);
  } finally {
    off();
  }
}

describe("listen", () => {
  it("delivers files created, modified and deleted while listening, once each, in order, with the right event", async () => {
    const { dir, sh } = await freshDir();
    await sh("echo old > before.txt");
    const got: Array<[string, string, string]> = [];
    const listener = await listen(pool, { remoteDirectory: dir, pollingIntervalMs: 200, stableAfter: { polls: 0 } }, async (doc) => {
      got.push([doc.event, doc.properties.fileName, (await readAll(doc.content)).toString()]);
    });
    try {
      await cycles(listener, 1);
      await sh("printf one > a.txt");
      await waitFor(() => got.length >= 1, "added a.txt");
      await sh("sleep 1.1 && printf 'one two' > a.txt");
      await waitFor(() => got.length >= 2, "modified a.txt");
      await sh("rm a.txt before.txt");
      await waitFor(() => got.length >= 4, "two removals");
      await cycles(listener, 3);
      // Within one cycle removals have no order of their own.
      expect([...got.slice(0, 2), ...got.slice(2).sort()]).toEqual([
        ["added", "a.txt", "one"],
        ["modified", "a.txt", "one two"],
        ["removed", "a.txt", ""],
        ["removed", "before.txt", ""],
      ]);
    } finally {
      await listener.stop();
    }
  });

  it("gives Boomi's payloads and the document properties", async () => {
    const { dir, sh } = await freshDir();
    const docs: ListenDocument[] = [];
    const listener = await listen(pool, { remoteDirectory: dir, pollingIntervalMs: 200, stableAfter: { polls: 0 }, boomiPayloads: true }, (doc) => {
      docs.push(doc);
    });
    try {
      await cycles(listener, 1);
      await sh("printf 'a,b\\r\\n' > 'report ü.csv'");
      await waitFor(() => docs.length >= 1, "added");
      await sh("rm 'report ü.csv'");
      await waitFor(() => docs.length >= 2, "removed");
      expect(Buffer.isBuffer(docs[0]!.content) && docs[0]!.content.toString()).toBe("a,b\r\n");
      expect(docs[0]!.properties).toMatchObject({ fileName: "report ü.csv", remoteDirectory: dir, event: "added", size: 5 });
      expect(docs[0]!.properties.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
      expect(docs[1]!.event).toBe("removed");
      expect((docs[1]!.content as Buffer).toString()).toBe("report ü.csv");
    } finally {
      await listener.stop();
    }
  });

  it("delivers a 50 MiB file written slowly once, complete, not before", async () => {
    const { dir, sh } = await freshDir();
    const delivered: Array<{ size: number; sha: string }> = [];
    const listener = await listen(pool, { remoteDirectory: dir, pollingIntervalMs: 250, stableAfter: { polls: 2 } }, async (doc) => {
      const data = await readAll(doc.content);
      delivered.push({ size: data.length, sha: sha256(data) });
    });
    try {
      await cycles(listener, 1);
      await sh("(for i in $(seq 1 50); do head -c 1048576 /dev/urandom; sleep 0.08; done) > big.bin");
      const sha = await testbed.sha256(`${dir}/big.bin`);
      await waitFor(() => delivered.length >= 1, "the big file");
      await cycles(listener, 3);
      expect(delivered).toEqual([{ size: 50 * 1024 * 1024, sha }]);
    } finally {
      await listener.stop();
    }
  });

  it("after a restart with a file store, delivers exactly the changes made while it was down", async () => {
    const { dir, sh } = await freshDir();
    const stateFile = join(mkdtempSync(join(tmpdir(), "listen-state-")), "state.json");
    await sh("printf 1 > keep.txt && printf 1 > change.txt && printf 1 > gone.txt");
    const got: string[] = [];
    const handler = (doc: ListenDocument) => void got.push(`${doc.event} ${doc.properties.fileName}`);
    const first = await listen(pool, { remoteDirectory: dir, pollingIntervalMs: 200, stableAfter: { polls: 0 }, stateFile }, handler);
    await cycles(first, 2);
    await first.stop();
    expect(got).toEqual([]);
    await sh("sleep 1.1 && printf 22 > change.txt && rm gone.txt && printf 1 > new.txt");
    const second = await listen(pool, { remoteDirectory: dir, pollingIntervalMs: 200, stableAfter: { polls: 0 }, stateFile }, handler);
    try {
      await waitFor(() => got.length >= 3, "three changes");
      await cycles(second, 3);
      expect(got).toEqual(["removed gone.txt", "added new.txt", "modified change.txt"]);
    } finally {
      await second.stop();
    }
    // A third start delivers nothing again.
    const third = await listen(pool, { remoteDirectory: dir, pollingIntervalMs: 200, stableAfter: { polls: 0 }, stateFile }, handler);
    await cycles(third, 3);
    await third.stop();
    expect(got).toHaveLength(3);
  });

  it("recovers when the server restarts mid-listen and delivers what changed", async () => {
    const { dir, sh } = await freshDir();
    const got: string[] = [];
    const errors: string[] = [];
    const listener = await listen(pool, { remoteDirectory: dir, pollingIntervalMs: 200, stableAfter: { polls: 0 } }, (doc) => {
      got.push(`${doc.event} ${doc.properties.fileName}`);
    });
    listener.poller.on("error", (e) => errors.push(e.reason));
    try {
      await cycles(listener, 1);
      await testbed.restart();
      await sh("printf x > after-restart.txt");
      await waitFor(() => got.includes("added after-restart.txt"), "the file written after the restart", 60_000);
      expect(got).toEqual(["added after-restart.txt"]);
    } finally {
      await listener.stop();
    }
  });

  it("retries a handler that throws: delivered three times, processed once, deleted once", async () => {
    const { dir, sh } = await freshDir();
    let calls = 0;
    let processed = 0;
    const removals: string[] = [];
    const listener = await listen(
      pool,
      { remoteDirectory: dir, pollingIntervalMs: 150, stableAfter: { polls: 0 }, retryBackoffMs: 100, afterProcessing: "delete" },
      async (doc) => {
        if (doc.event === "removed") return void removals.push(doc.properties.fileName);
        calls += 1;
        expect(doc.attempt).toBe(calls);
        await readAll(doc.content);
        if (calls <= 2) throw new Error(`handler failure ${calls}`);
        processed += 1;
      },
    );
    try {
      await cycles(listener, 1);
      await sh("printf data > job.txt");
      await waitFor(() => processed === 1, "the third attempt");
      await cycles(listener, 3);
      expect(calls).toBe(3);
      expect(processed).toBe(1);
      expect((await sh("ls -A")).trim()).toBe("");
      expect(removals).toEqual([]); // our own delete is not a removal
    } finally {
      await listener.stop();
    }
  });

  it("recursive: a file in a sub-directory is fileName 'sub/n.txt' in the listened remoteDirectory (GET/QUERY's convention), one level deep", async () => {
    const { dir, sh } = await freshDir();
    await sh("mkdir -p sub/deeper");
    const docs: ListenDocument[] = [];
    const listener = await listen(pool, { remoteDirectory: dir, recursive: true, pollingIntervalMs: 150, stableAfter: { polls: 0 } }, async (doc) => {
      await readAll(doc.content);
      docs.push(doc);
    });
    try {
      await cycles(listener, 1);
      await sh("printf new > sub/n.txt && printf deep > sub/deeper/x.txt && printf top > t.txt");
      await waitFor(() => docs.length >= 2, "sub/n.txt and t.txt");
      await cycles(listener, 2);
      const added = docs.map((d) => d.properties).sort((a, b) => String(a.fileName).localeCompare(String(b.fileName)));
      expect(added.map((p) => [p.event, p.fileName, p.remoteDirectory])).toEqual([
        ["added", "sub/n.txt", dir],
        ["added", "t.txt", dir],
      ]);
      // Joining the two names the file that exists.
      const joined = `${added[0]!.remoteDirectory}/${added[0]!.fileName}`;
      expect((await testbed.exec(`cat '${joined}'`, { user: "tester" })).stdout).toBe("new");
      await sh("rm sub/n.txt");
      await waitFor(() => docs.length >= 3, "removed sub/n.txt");
      expect(docs[2]!.properties).toMatchObject({ event: "removed", fileName: "sub/n.txt", remoteDirectory: dir });
    } finally {
      await listener.stop();
    }
  });

  it("recursive with a moveTo inside the tree: moved files are not delivered again", async () => {
    const { dir, sh } = await freshDir();
    const got: string[] = [];
    const listener = await listen(
      pool,
      { remoteDirectory: dir, depth: Infinity, pollingIntervalMs: 150, stableAfter: { polls: 0 }, afterProcessing: { moveTo: "done" } },
      async (doc) => {
        got.push(`${doc.event} ${doc.properties.fileName}`);
        await readAll(doc.content);
      },
    );
    try {
      await cycles(listener, 1);
      await sh("mkdir -p in && printf 1 > in/a.csv");
      await waitFor(() => got.length >= 1, "in/a.csv");
      await cycles(listener, 3);
      expect(got).toEqual(["added in/a.csv"]);
      expect((await sh("ls -A done/in")).trim()).toBe("a.csv");
    } finally {
      await listener.stop();
    }
  });

  it("moves processed files and never delivers our own temporary upload names or ignored names", async () => {
    const { dir, sh } = await freshDir();
    const got: string[] = [];
    const listener = await listen(
      pool,
      { remoteDirectory: dir, pollingIntervalMs: 150, stableAfter: { polls: 0 }, afterProcessing: { moveTo: "done" }, ignore: ["*.part"], pattern: "*.csv" },
      async (doc) => {
        got.push(`${doc.event} ${doc.properties.fileName}`);
        await readAll(doc.content);
      },
    );
    try {
      await cycles(listener, 1);
      await sh("printf 1 > .a.csv.123e4567-e89b-12d3-a456-426614174000.sftp-tmp && printf 1 > b.csv.part && printf 1 > c.txt && printf 1 > d.csv");
      await waitFor(() => got.length >= 1, "d.csv");
      await cycles(listener, 3);
      expect(got).toEqual(["added d.csv"]);
      expect((await sh("ls -A done")).trim()).toBe("d.csv");
    } finally {
      await listener.stop();
    }
  });

  it("with isSingleton only one of two listeners polls; when it stops, the other takes over", async () => {
    const { dir, sh } = await freshDir();
    const lockPath = join(mkdtempSync(join(tmpdir(), "listen-lock-")), "dir.lock");
    const byA: string[] = [];
    const byB: string[] = [];
    const options = { remoteDirectory: dir, pollingIntervalMs: 150, stableAfter: { polls: 0 } as const };
    const a = await listen(pool, { ...options, lock: createFileLock(lockPath) }, (d) => void byA.push(d.properties.fileName));
    await cycles(a, 1);
    const b = await listen(pool, { ...options, lock: createFileLock(lockPath) }, (d) => void byB.push(d.properties.fileName));
    try {
      expect(a.poller.holdsLock).toBe(true);
      expect(b.poller.holdsLock).toBe(false);
      await sh("printf 1 > one.txt");
      await waitFor(() => byA.length === 1, "A delivers");
      await cycles(a, 2);
      expect(byB).toEqual([]);
      await a.stop();
      await waitFor(() => b.poller.holdsLock, "B takes the lock");
      await sh("printf 2 > two.txt");
      await waitFor(() => byB.includes("two.txt"), "B delivers");
      expect(byA).toEqual(["one.txt"]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it("works as an async iterable", async () => {
    const { dir, sh } = await freshDir();
    const events = listenEvents(pool, { remoteDirectory: dir, pollingIntervalMs: 150, stableAfter: { polls: 0 }, emitInitial: true });
    await sh("printf hi > x.txt");
    const seen: string[] = [];
    for await (const doc of events) {
      seen.push(`${doc.event} ${doc.properties.fileName} ${(await readAll(doc.content)).toString()}`);
      break;
    }
    expect(seen).toEqual(["added x.txt hi"]);
  });
});

describe("listen: bad input, refused at start", () => {
  const attempt = async (run: () => Promise<unknown>) => {
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSftpConnectorError(error)).toBe(true);
    return error as Error & { reason: string };
  };

  it("a missing remote directory option gets Boomi's message", async () => {
    const error = await attempt(() => listen(pool, { remoteDirectory: " " }, () => {}));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toContain(MISSING_DIRECTORY_MESSAGE);
  });

  it("a remote directory that does not exist", async () => {
    const error = await attempt(() => listen(pool, { remoteDirectory: "no/such/dir" }, () => {}));
    expect(error.reason).toBe("NO_SUCH_FILE");
    expect(error.message).toContain(`${home}/no/such/dir`);
  });

  it("an invalid filter and absurd polling intervals", async () => {
    expect((await attempt(() => listen(pool, { remoteDirectory: ".", filter: "fileSize > banana" }, () => {}))).message).toMatch(/filter/);
    expect((await attempt(() => listen(pool, { remoteDirectory: ".", pollingIntervalMs: -1 }, () => {}))).message).toMatch(/pollingIntervalMs/);
    expect((await attempt(() => listen(pool, { remoteDirectory: ".", pollingIntervalMs: 5 }, () => {}))).message).toMatch(/at least 100/);
  });

  it("a corrupt checkpoint file is refused, never treated as empty", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "listen-corrupt-")), "state.json");
    writeFileSync(stateFile, "{ this is not json");
    const error = await attempt(() => listen(pool, { remoteDirectory: ".", stateFile }, () => {}));
    expect(error.message).toMatch(/state\.json/);
  });
});

describe("listen: Boomi's operation field ids", () => {
  it("pollingInterval (Boomi's id, ms) sets the interval and isSingleton takes the lock; an unknown option is refused", async () => {
    const { dir, sh } = await freshDir();
    const got: string[] = [];
    // With the default interval (5 s) three cycles and a delivery would take over 10 s; waitFor allows 30 s, so this shows
    // the option took effect only by what happens (several cycles, the file delivered), not by timing it.
    const listener = await listen(pool, { remoteDirectory: dir, pollingInterval: 100, isSingleton: true, stableAfter: { polls: 0 } }, (doc) => {
      got.push(`${doc.event} ${doc.properties.fileName}`);
    });
    try {
      expect(listener.poller.holdsLock).toBe(true);
      await cycles(listener, 3);
      await sh("echo hi > n.txt");
      await waitFor(() => got.length === 1, "the new file");
      expect(got).toEqual(["added n.txt"]);
      const error = await listen(pool, { remoteDirectory: dir, pollingIntervall: 100 } as never, () => {}).then(
        () => undefined,
        (e: unknown) => e as Error & { reason: string },
      );
      expect(error?.reason).toBe("INVALID_INPUT");
      expect(error?.message).toContain('unknown option "pollingIntervall"; did you mean "pollingInterval"?');
    } finally {
      await listener.stop();
    }
  });
});
