// queryFiles against the real OpenSSH testbed: documents and properties, every option, an unreadable file, bounded concurrent downloads, resume.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { recordCalls, rejectionOf, sha256, startTestbed, type Testbed } from "@sftp-connector/testkit";
import {
  formatIsoSeconds,
  formatTimestamp,
  fromBoomiOperationProperties,
  isSftpConnectorError,
  type ConnectionConfig,
  type SftpConnectorError,
} from "@sftp-connector/core";
import { openSession, SessionPool, type Logger, type SftpSession } from "@sftp-connector/transport";
import { isQueryError, queryFiles, type QueryError, type QueryInput, type QueryItem, type QueryOptions } from "./index.js";
import type { FileDocument } from "@sftp-connector/core";

let testbed: Testbed;
let session: SftpSession;
let home: string;
const as = { user: "tester" };
const UNICODE = "ünïcødé ✓ 日本.txt";
const TEXT = 'héllo ✓ "quoted" \\ tab\t\r\nline2\n';

const config = (extra: Partial<ConnectionConfig> = {}): ConnectionConfig => testbed.connectionConfig({ hostKey: "fingerprint", extra });

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  // q/ a.txt "hello" (2020)  b.csv (1000 random bytes)  empty.txt (0 B)  "with space.txt"  UNICODE (TEXT)
  //    secret.txt (mode 000)  pipe (a FIFO)  emptydir/  sub/ d.txt  sub/deeper/ e.txt  link-a -> a.txt  link-sub -> sub
  await testbed.exec(
    [
      "set -e",
      `mkdir -p ${home}/q/sub/deeper ${home}/q/emptydir && cd ${home}/q`,
      "printf hello > a.txt && head -c 1000 /dev/urandom > b.csv && : > empty.txt && printf 'space' > 'with space.txt'",
      "printf secret > secret.txt && mkfifo pipe && printf d > sub/d.txt && printf e > sub/deeper/e.txt",
      "ln -s a.txt link-a && ln -s sub link-sub",
      "touch -d '2020-01-01T00:00:00Z' a.txt && touch -d '2022-06-15T12:30:45Z' b.csv empty.txt 'with space.txt' secret.txt",
    ].join("\n"),
    as,
  );
  session = await openSession(config());
  // Exact bytes through SFTP itself (no shell quoting in the way).
  await writeRemote(session, `${home}/q/${UNICODE}`, Buffer.from(TEXT, "utf8"));
  await testbed.exec(`touch -d '2024-02-29T23:59:59Z' '${home}/q/${UNICODE}' && chmod 000 ${home}/q/secret.txt`);
});

afterAll(async () => {
  await session?.close();
  await testbed?.stop();
});

async function writeRemote(s: SftpSession, path: string, data: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const stream = s.createWriteStream(path);
    stream.once("error", reject);
    stream.once("finish", () => resolve());
    stream.end(data);
  });
}

async function readStream(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

interface Collected {
  documents: { fileName: string; content: Buffer; properties: FileDocument["properties"] }[];
  errors: QueryError[];
  order: string[];
}

/** Runs a query, reading every document's content in order. */
async function collect(input: QueryInput, options: QueryOptions = {}, s: SftpSession | SessionPool = session): Promise<Collected> {
  const out: Collected = { documents: [], errors: [], order: [] };
  for await (const item of queryFiles(s, input, options) as AsyncIterable<QueryItem<Readable | Buffer>>) {
    out.order.push(item.properties.fileName);
    if (isQueryError(item)) out.errors.push(item);
    else {
      const content = Buffer.isBuffer(item.content) ? item.content : await readStream(item.content);
      out.documents.push({ fileName: item.properties.fileName, content, properties: item.properties });
    }
  }
  return out;
}

const names = (c: Collected) => c.documents.map((d) => d.fileName).sort();

async function remoteStats(path: string): Promise<{ mtime: Date; size: number }> {
  const stats = await session.stat(path);
  return { mtime: stats.modifiedAt, size: stats.size };
}

const rejection = (run: () => Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(run, isSftpConnectorError);

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} };
}

/** Tracks the files a session holds open (every download opens one handle). */
function trackOpens(s: SftpSession): { open: () => number; max: () => number; calls: () => number } {
  let open = 0;
  let max = 0;
  let calls = 0;
  const realOpen = s.open.bind(s);
  const realClose = s.close.bind(s) as (handle?: Buffer, path?: string) => Promise<void>;
  s.open = async (path: string, flags: string, mode?: number) => {
    calls += 1;
    const handle = await realOpen(path, flags, mode);
    open += 1;
    max = Math.max(max, open);
    return handle;
  };
  (s as { close: (handle?: Buffer, path?: string) => Promise<void> }).close = async (handle?: Buffer, path?: string) => {
    if (handle) open -= 1;
    return realClose(handle, path);
  };
  return { open: () => open, max: () => max, calls: () => calls };
}

describe("documents", () => {
  it("returns regular files only (no directories, links, FIFOs), content and properties exact; the unreadable file as an error item", async () => {
    const result = await collect({ remoteDirectory: "q" });
    expect(names(result)).toEqual(["a.txt", "b.csv", "empty.txt", UNICODE, "with space.txt"].sort());
    const a = result.documents.find((d) => d.fileName === "a.txt")!;
    expect(a.content.toString()).toBe("hello");
    expect(a.properties).toEqual({
      fileName: "a.txt",
      remoteDirectory: `${home}/q`,
      timestamp: formatTimestamp(new Date("2020-01-01T00:00:00Z")),
      size: 5,
    });
    const b = result.documents.find((d) => d.fileName === "b.csv")!;
    expect(sha256(b.content)).toBe(await testbed.sha256(`${home}/q/b.csv`));
    expect(result.documents.find((d) => d.fileName === "empty.txt")!.content.length).toBe(0);
    expect(result.documents.find((d) => d.fileName === "with space.txt")!.content.toString()).toBe("space");
    expect(result.documents.find((d) => d.fileName === UNICODE)!.content.toString("utf8")).toBe(TEXT);

    expect(result.errors).toHaveLength(1);
    const [secret] = result.errors;
    expect(secret!.properties).toMatchObject({ fileName: "secret.txt", remoteDirectory: `${home}/q`, size: 6 });
    expect(secret!.error.reason).toBe("PERMISSION_DENIED");
    expect(secret!.error.path).toBe(`${home}/q/secret.txt`);
    expect(secret!.error.message).toContain(`Error fetching file from '${home}/q/secret.txt'`);
  });

  it("keeps the server's listing order, whatever finishes first", async () => {
    const listed: string[] = [];
    for await (const entry of session.readdir(`${home}/q`)) if (entry.stats.isFile) listed.push(entry.name);
    const result = await collect({ remoteDirectory: "q" }, { concurrency: 8 });
    expect(result.order).toEqual(listed);
  });

  it("onError: skip leaves the unreadable file out with a warning; fail ends the query with its error", async () => {
    const logger = recordingLogger();
    const skipped = await collect({ remoteDirectory: "q" }, { onError: "skip", logger });
    expect(skipped.errors).toEqual([]);
    expect(names(skipped)).toHaveLength(5);
    expect(logger.warnings.some((w) => w.includes("secret.txt"))).toBe(true);
    const failed = await rejection(() => collect({ remoteDirectory: "q" }, { onError: "fail" }));
    expect(failed.reason).toBe("PERMISSION_DENIED");
    expect(failed.path).toBe(`${home}/q/secret.txt`);
  });

  it("as: buffer gives Buffers, the same bytes", async () => {
    const documents: FileDocument<Buffer>[] = [];
    for await (const item of queryFiles(session, { remoteDirectory: "q" }, { as: "buffer", filter: 'fileName ~ "*.csv" or fileName = "a.txt"' })) {
      if (!isQueryError(item)) documents.push(item);
    }
    expect(documents.map((d) => d.properties.fileName).sort()).toEqual(["a.txt", "b.csv"]);
    expect(documents.every((d) => Buffer.isBuffer(d.content))).toBe(true);
    expect(documents.find((d) => d.properties.fileName === "a.txt")!.content.toString()).toBe("hello");
  });

  it("includeAllMetadata gives Boomi's JSON {fileContent, modifiedDate}, streamed or buffered, text kept exactly", async () => {
    const { mtime } = await remoteStats(`${home}/q/${UNICODE}`);
    for (const mode of ["stream", "buffer"] as const) {
      const result = await collect(
        { remoteDirectory: "q" },
        { includeAllMetadata: true, as: mode, filter: { field: "fileName", operator: "EQUALS", argument: UNICODE } },
      );
      expect(result.documents).toHaveLength(1);
      const json = result.documents[0]!.content.toString("utf8");
      expect(JSON.parse(json)).toEqual({ fileContent: TEXT, modifiedDate: "2024-02-29T23:59:59Z" });
      expect(json).toBe(JSON.stringify({ fileContent: TEXT, modifiedDate: formatIsoSeconds(mtime) }));
    }
    const empty = await collect({ remoteDirectory: "q" }, { includeAllMetadata: true, filter: 'fileName = "empty.txt"' });
    expect(empty.documents[0]!.content.toString()).toBe('{"fileContent":"","modifiedDate":"2022-06-15T12:30:45Z"}');
  });

  it("reports progress per file, up to its size", async () => {
    const last = new Map<string, number>();
    await collect({ remoteDirectory: "q" }, { onProgress: (bytes, properties) => last.set(properties.fileName, bytes), filter: 'fileName ~ "[ab]*"' });
    expect(Object.fromEntries(last)).toEqual({ "a.txt": 5, "b.csv": 1000 });
  });
});

describe("filters, count, recursion, symlinks", () => {
  it("filters by wildcard, regex, size, date, and AND/OR; isDirectory is not a QUERY field", async () => {
    const q = async (filter: QueryOptions["filter"]) => names(await collect({ remoteDirectory: "q" }, { filter }));
    expect(await q({ field: "fileName", operator: "WILDCARD", argument: "*.csv" })).toEqual(["b.csv"]);
    expect(await q({ field: "fileName", operator: "REGEX", argument: "[ae].*\\.txt" })).toEqual(["a.txt", "empty.txt"]);
    expect(await q("fileSize > 5")).toEqual(["b.csv", UNICODE].sort());
    expect(await q("fileSize = 0")).toEqual(["empty.txt"]);
    expect(await q('modifiedDate < "2021-01-01T00:00:00Z"')).toEqual(["a.txt"]);
    expect(await q('modifiedDate > "2024-01-01T00:00:00Z"')).toEqual([UNICODE]);
    expect(await q('(fileName ~ "*.txt" and fileSize < 6) or fileName = "b.csv"')).toEqual(["a.txt", "b.csv", "empty.txt", "with space.txt"]);
    expect(
      await q({
        and: [
          { field: "fileName", operator: "WILDCARD", argument: "*.txt" },
          { field: "fileSize", operator: "GREATER_THAN", argument: "5" },
        ],
      }),
    ).toEqual([UNICODE]);
    expect(() => queryFiles(session, { remoteDirectory: "q" }, { filter: "isDirectory = false" })).toThrow(/Unknown property: isDirectory/);
  });

  it("count limits the documents; failed files do not count (Boomi)", async () => {
    expect((await collect({ remoteDirectory: "q" }, { count: 2 })).documents).toHaveLength(2);
    const oneGood = await collect({ remoteDirectory: "q" }, { count: 1, onError: "skip", filter: 'fileName ~ "{secret,a}.txt"' });
    expect(names(oneGood)).toEqual(["a.txt"]);
    const reported = await collect({ remoteDirectory: "q" }, { count: 1, filter: 'fileName ~ "{secret,a}.txt"' });
    expect(names(reported)).toEqual(["a.txt"]);
    expect((await collect({ remoteDirectory: "q" }, { count: -1 })).documents).toHaveLength(5);
  });

  it("recursive goes one level deeper, depth 2 two; fileName is the path relative to the queried directory", async () => {
    const one = await collect({ remoteDirectory: "q" }, { recursive: true, onError: "skip" });
    expect(names(one)).toEqual(["a.txt", "b.csv", "empty.txt", "sub/d.txt", UNICODE, "with space.txt"].sort());
    const d = one.documents.find((x) => x.fileName === "sub/d.txt")!;
    expect(d.content.toString()).toBe("d");
    expect(d.properties.remoteDirectory).toBe(`${home}/q`);
    const two = await collect({ remoteDirectory: "q" }, { depth: 2, filter: 'fileName ~ "**.txt" and fileSize < 2' });
    expect(names(two)).toEqual(["empty.txt", "sub/d.txt", "sub/deeper/e.txt"]);
    // a glob * does not cross "/": *.txt matches top-level files only
    expect(names(await collect({ remoteDirectory: "q" }, { depth: 2, filter: 'fileName ~ "*.txt" and fileSize < 2' }))).toEqual(["empty.txt"]);
  });

  it("recursiveList (Boomi's id) queries the sub-directories as recursive does; fromBoomiOperationProperties keeps Boomi's QUERY, which ignored it", async () => {
    const boomi = await collect({ remoteDirectory: "q" }, { recursiveList: true, onError: "skip" });
    expect(names(boomi)).toContain("sub/d.txt");
    expect(names(boomi)).toEqual(names(await collect({ remoteDirectory: "q" }, { recursive: true, onError: "skip" })));
    const migrated = fromBoomiOperationProperties("QUERY", { count: "-1", includeAllMetadata: "false", recursiveList: "true" });
    expect(names(await collect({ remoteDirectory: "q" }, { ...migrated, onError: "skip" }))).toEqual(
      ["a.txt", "b.csv", "empty.txt", UNICODE, "with space.txt"].sort(),
    );
    expect(() => queryFiles(session, { remoteDirectory: "q" }, { includeAll: true } as QueryOptions)).toThrow(
      'unknown option "includeAll"; did you mean "includeAllMetadata"?',
    );
  });

  it("skips links by default; follows them with followSymlinks", async () => {
    const plain = await collect({ remoteDirectory: "q" }, { recursive: true, onError: "skip" });
    expect(plain.order.some((n) => n.startsWith("link-"))).toBe(false);
    const followed = await collect({ remoteDirectory: "q" }, { recursive: true, followSymlinks: true, onError: "skip" });
    expect(followed.documents.find((x) => x.fileName === "link-a")?.content.toString()).toBe("hello");
    expect(followed.documents.find((x) => x.fileName === "link-a")?.properties.size).toBe(5);
    expect(followed.documents.find((x) => x.fileName === "link-sub/d.txt")?.content.toString()).toBe("d");
  });

  it("reports a sub-directory it cannot read as an error item, by onError", async () => {
    await testbed.exec(`mkdir -p ${home}/qlock/closed && printf ok > ${home}/qlock/ok.txt && chmod 000 ${home}/qlock/closed`, as);
    const reported = await collect({ remoteDirectory: "qlock" }, { recursive: true });
    expect(names(reported)).toEqual(["ok.txt"]);
    expect(reported.errors.map((e) => [e.properties.fileName, e.error.reason])).toEqual([["closed", "PERMISSION_DENIED"]]);
    expect((await collect({ remoteDirectory: "qlock" }, { recursive: true, onError: "skip" })).errors).toEqual([]);
    expect((await rejection(() => collect({ remoteDirectory: "qlock" }, { recursive: true, onError: "fail" }))).reason).toBe("PERMISSION_DENIED");
  });
});

describe("bad input", () => {
  it("a missing remote directory is NO_SUCH_FILE 'Remote directory does not exist'", async () => {
    const error = await rejection(() => collect({ remoteDirectory: "no/such" }));
    expect(error.reason).toBe("NO_SUCH_FILE");
    expect(error.message).toBe(`Remote directory does not exist: '${home}/no/such'`);
  });

  it.each([
    [{ count: 0 }, "count: Limit must be positive or -1 (given: 0)"],
    [{ count: -5 }, "count: Limit must be positive or -1 (given: -5)"],
    [{ concurrency: 0 }, "concurrency: expected a whole number of at least 1, got 0"],
    [{ onError: "ignore" }, 'onError: expected "report", "skip" or "fail", got "ignore"'],
    [{ as: "text" }, 'as: expected "stream" or "buffer", got "text"'],
    [{ depth: 1.5 }, "depth: expected a whole number"],
    [{ filter: { field: "fileName", operator: "REGEX", argument: "(" } }, "filter"],
    [{ filter: 'fileSize > "big"' }, '"big" is not a valid file size'],
    [{ filter: { or: [{ field: "fileName", operator: "LIKE", argument: "x" }] } }, "filter.or[0].operator: expected one of"],
  ] as [QueryOptions, string][])("refuses %j before touching the server", (options, message) => {
    const { proxy: spy, calls } = recordCalls(session);
    let thrown: unknown;
    try {
      queryFiles(spy, { remoteDirectory: "q" }, options);
    } catch (error) {
      thrown = error;
    }
    expect(isSftpConnectorError(thrown) && thrown.reason).toBe("INVALID_INPUT");
    expect((thrown as SftpConnectorError).message).toContain(message);
    expect(calls).toEqual([]);
  });
});

describe("concurrency", () => {
  beforeAll(async () => {
    await testbed.exec(
      `mkdir -p ${home}/many ${home}/big && cd ${home}/many && for i in $(seq 1 200); do head -c $(( (i * 7919) % 70000 + 1 )) /dev/urandom > f$i.bin; done` +
        ` && cd ${home}/big && for i in $(seq 1 8); do head -c 4194304 /dev/urandom > big$i.bin; done`,
      as,
    );
  });

  async function expectedShas(dir: string): Promise<Map<string, string>> {
    const { stdout } = await testbed.exec(`cd ${home}/${dir} && sha256sum *`);
    return new Map(
      stdout
        .trim()
        .split("\n")
        .map((line) => {
          const [hash, name] = line.split(/\s+/);
          return [name!, hash!];
        }),
    );
  }

  it("downloads 200 files byte-identical (SHA-256) with a sequential reader and with a concurrent one", async () => {
    const expected = await expectedShas("many");
    expect(expected.size).toBe(200);
    for (const concurrency of [1, 8, 32]) {
      const result = await collect({ remoteDirectory: "many" }, { concurrency });
      expect(result.errors).toEqual([]);
      expect(new Map(result.documents.map((d) => [d.fileName, sha256(d.content)]))).toEqual(expected);
    }
    // A reader that keeps several contents in flight at once.
    const got = new Map<string, string>();
    const reading = new Set<Promise<void>>();
    for await (const item of queryFiles(session, { remoteDirectory: "many" }, { concurrency: 6 })) {
      if (isQueryError(item)) throw item.error;
      const p: Promise<void> = readStream(item.content).then((data) => void got.set(item.properties.fileName, sha256(data)));
      reading.add(p);
      void p.finally(() => reading.delete(p));
      if (reading.size >= 6) await Promise.race(reading);
    }
    await Promise.all(reading);
    expect(got).toEqual(expected);
  });

  it("holds at most `concurrency` files open and runs ahead of the reader by at most `concurrency` documents", async () => {
    const own = await openSession(config());
    const opens = trackOpens(own);
    try {
      const expected = await expectedShas("big");
      const got = new Map<string, string>();
      for await (const item of queryFiles(own, { remoteDirectory: "big" }, { concurrency: 3 })) {
        if (isQueryError(item)) throw item.error;
        got.set(item.properties.fileName, sha256(await readStream(item.content)));
      }
      expect(got).toEqual(expected);
      expect(opens.max()).toBe(3); // the downloads ahead were started (and no more)
      expect(opens.open()).toBe(0);

      // Take three documents without reading them: the fourth waits until one of them is done with.
      const before = opens.calls();
      const results = queryFiles(own, { remoteDirectory: "big" }, { concurrency: 3 });
      const held: FileDocument[] = [];
      for (let i = 0; i < 3; i += 1) {
        const next = await results.next();
        if (next.done || isQueryError(next.value)) throw new Error("expected a document");
        held.push(next.value);
      }
      let fourth = false;
      const pending = results.next().then((r) => {
        fourth = true;
        return r;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fourth).toBe(false);
      expect(opens.calls() - before).toBe(3);
      held[0]!.content.destroy();
      const next = await pending;
      expect(next.done).toBe(false);
      expect(opens.calls() - before).toBe(4);
      // Stopping early ends every download not handed out, and those handed out when destroyed.
      await results.return();
      for (const doc of held) doc.content.destroy();
      if (!next.done && !isQueryError(next.value)) next.value.content.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await own.stat(home); // a round trip: every close sent before it has been answered
      expect(opens.open()).toBe(0);
    } finally {
      await own.close();
    }
  });

  it("breaking out of the loop stops the query and closes what it opened", async () => {
    const own = await openSession(config());
    const opens = trackOpens(own);
    try {
      for await (const item of queryFiles(own, { remoteDirectory: "many" }, { concurrency: 8 })) {
        if (!isQueryError(item)) item.content.destroy();
        break;
      }
      await own.stat(home);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await own.stat(home);
      expect(opens.open()).toBe(0);
      expect(opens.calls()).toBeLessThanOrEqual(8);
      expect((await collect({ remoteDirectory: "q" }, { count: 1 }, own)).documents).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});

describe("sessions from a provider", () => {
  it("lists and downloads over one pooled session and gives it back once the contents are read", async () => {
    const pool = new SessionPool(config(), { max: 1 });
    try {
      const result = await collect({ remoteDirectory: "q" }, {}, pool);
      expect(names(result)).toHaveLength(5);
      await new Promise((resolve) => setImmediate(resolve));
      expect(pool.size).toBe(1);
      // The single session is free again: a second query gets it.
      expect(names(await collect({ remoteDirectory: "q" }, { onError: "skip" }, pool))).toHaveLength(5);
    } finally {
      await pool.close();
    }
  });

  it("resumes a download at the byte reached when the server drops the connection (byte-identical)", { timeout: 120_000 }, async () => {
    await testbed.exec(`mkdir -p ${home}/resume && head -c 33554432 /dev/urandom > ${home}/resume/large.bin`, as);
    const expected = await testbed.sha256(`${home}/resume/large.bin`);
    const pool = new SessionPool(config(), { max: 4 });
    try {
      const logger = recordingLogger();
      for await (const item of queryFiles(pool, { remoteDirectory: "resume" }, { retry: { attempts: 2, backoffMs: 100 }, logger })) {
        if (isQueryError(item)) throw item.error;
        const hash = createHash("sha256");
        let bytes = 0;
        let killed = false;
        for await (const chunk of item.content as AsyncIterable<Buffer>) {
          hash.update(chunk);
          bytes += chunk.length;
          if (!killed && bytes >= 8 * 1024 * 1024) {
            killed = true;
            await testbed.dropSessions();
          }
        }
        expect(killed).toBe(true);
        expect(bytes).toBe(33_554_432);
        expect(hash.digest("hex")).toBe(expected);
        expect(logger.warnings.some((w) => /reading '.*large\.bin' failed at byte \d+ \(CONNECTION_LOST\); resuming/.test(w))).toBe(true);
      }
    } finally {
      await pool.close();
    }
  });
});
