// queryFiles over a fake session with gated opens: listing order whatever finishes first, error items, count, the concurrency bound, cancellation, buffers, retries.
import { describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";
import type { FileStats, SessionProvider, SftpSession } from "@sftp-connector/transport";
import { isQueryError, queryFiles, type QueryItem, type QueryOptions } from "./index.js";

const stats = (kind: "file" | "dir" | "fifo", size: number): FileStats => {
  const type = kind === "dir" ? 0o040000 : kind === "fifo" ? 0o010000 : 0o100000;
  return {
    size,
    modifiedAt: new Date(Date.UTC(2023, 2, 23, 12, 8, 56)),
    accessedAt: new Date(0),
    mode: type | 0o644,
    permissions: 0o644,
    uid: 1,
    gid: 1,
    isFile: kind === "file",
    isDirectory: kind === "dir",
    isSymbolicLink: false,
  };
};

interface FakeFile {
  data: Buffer;
  /** Fails the open with this error. */
  failOpen?: SftpConnectorError;
  /** Fails the read once this many bytes were delivered (first stream only). */
  failAfter?: number;
}

/** A deferred open: the test decides when (and in which order) files open. */
interface Gate {
  path: string;
  release: () => void;
}

class FakeReadStream extends Readable {
  constructor(
    private readonly file: FakeFile,
    private readonly start: number,
    private readonly gate: Promise<void>,
    private readonly failAfter: number | undefined,
    readonly onDestroy: () => void,
  ) {
    super({ highWaterMark: 4 });
    this.offset = start;
  }
  private offset: number;
  override _construct(callback: (error?: Error | null) => void): void {
    this.gate.then(() => {
      if (this.file.failOpen) return callback(this.file.failOpen);
      callback();
      this.emit("ready");
    });
  }
  override _read(): void {
    if (this.failAfter !== undefined && this.offset - this.start >= this.failAfter) {
      this.destroy(new SftpConnectorError("CONNECTION_LOST", "the session has ended"));
      return;
    }
    if (this.offset >= this.file.data.length) return void this.push(null);
    const chunk = this.file.data.subarray(this.offset, this.offset + 3);
    this.offset += chunk.length;
    this.push(chunk);
  }
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.onDestroy();
    callback(error);
  }
}

interface Fake {
  session: SftpSession;
  gates: Gate[];
  opened: string[];
  /** Streams created and not yet destroyed. */
  live: () => number;
  /** Opens every gated file from now on without waiting. */
  openAll: () => void;
}

/** /d with the given files (server order as given); opens wait for their gate unless `gated` is false. */
function fakeSession(files: Record<string, FakeFile | "dir" | "fifo">, options: { gated?: boolean; listingFailure?: SftpConnectorError } = {}): Fake {
  const gates: Gate[] = [];
  const opened: string[] = [];
  let live = 0;
  let ungated = options.gated === false;
  let listingFailure = options.listingFailure;
  const session = {
    closed: false,
    resolveDirectory: (perCall?: string) => (perCall ? `/${perCall}` : "/d"),
    async stat(path: string) {
      if (path === "/d" || files[path.slice(3)] === "dir") return stats("dir", 0);
      throw new SftpConnectorError("NO_SUCH_FILE", `no such file ${path}`, { path });
    },
    async realpath(path: string) {
      return path;
    },
    readdir(path: string) {
      return (async function* () {
        if (listingFailure) {
          const failure = listingFailure;
          listingFailure = undefined;
          throw failure;
        }
        if (path !== "/d") return;
        for (const [name, file] of Object.entries(files)) {
          yield { name, longname: name, stats: file === "dir" || file === "fifo" ? stats(file, 0) : stats("file", file.data.length) };
        }
      })();
    },
    createReadStream(path: string, readOptions: { start?: number } = {}) {
      const file = files[path.slice(3)];
      if (file === undefined || file === "dir" || file === "fifo") throw new Error(`not a file: ${path}`);
      opened.push(path);
      live += 1;
      let destroyed = false;
      const gate = ungated ? Promise.resolve() : new Promise<void>((release) => gates.push({ path, release }));
      const failAfter = readOptions.start ? undefined : file.failAfter;
      return new FakeReadStream(file, readOptions.start ?? 0, gate, failAfter, () => {
        if (!destroyed) live -= 1;
        destroyed = true;
      });
    },
  };
  return {
    session: session as unknown as SftpSession,
    gates,
    opened,
    live: () => live,
    openAll: () => {
      ungated = true;
      for (const gate of gates.splice(0)) gate.release();
    },
  };
}

const text = (s: string): FakeFile => ({ data: Buffer.from(s) });
const tick = () => new Promise((resolve) => setImmediate(resolve));

async function readAll(stream: Readable): Promise<string> {
  let out = "";
  for await (const chunk of stream as AsyncIterable<Buffer>) out += chunk.toString();
  return out;
}

/** Runs the query to the end, reading each content; "name=content" or "name!REASON". */
async function run(session: SftpSession | SessionProvider, options: QueryOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const item of queryFiles(session, {}, options) as AsyncIterable<QueryItem<Readable | Buffer>>) {
    if (isQueryError(item)) out.push(`${item.properties.fileName}!${item.error.reason}`);
    else out.push(`${item.properties.fileName}=${Buffer.isBuffer(item.content) ? item.content.toString() : await readAll(item.content)}`);
  }
  return out;
}

const denied = (name: string) => new SftpConnectorError("PERMISSION_DENIED", `permission denied: open /d/${name}`, { path: `/d/${name}` });

describe("queryFiles", () => {
  it("returns documents in listing order even when later files open first; skips directories and FIFOs", async () => {
    const fake = fakeSession({ a: text("A"), sub: "dir", pipe: "fifo", b: text("BB"), c: text("CCC") });
    const results = run(fake.session, { concurrency: 3 });
    while (fake.gates.length < 3) await tick();
    expect(fake.gates.map((g) => g.path)).toEqual(["/d/a", "/d/b", "/d/c"]);
    fake.gates[2]!.release();
    fake.gates[1]!.release();
    await tick();
    fake.gates[0]!.release();
    expect(await results).toEqual(["a=A", "b=BB", "c=CCC"]);
    expect(fake.opened).toEqual(["/d/a", "/d/b", "/d/c"]);
  });

  it("gives documents Boomi's properties: the relative name, the absolute directory, timestamp and size", async () => {
    const fake = fakeSession({ "a.txt": text("hello") }, { gated: false });
    for await (const item of queryFiles(fake.session)) {
      expect(isQueryError(item)).toBe(false);
      expect(item.properties).toEqual({
        fileName: "a.txt",
        remoteDirectory: "/d",
        timestamp: expect.stringMatching(/^2023-03-2\d \d\d:\d\d:56\.000$/),
        size: 5,
      });
      if (!isQueryError(item)) item.content.destroy();
    }
  });

  it("reports a file that cannot be opened in its place (report), leaves it out (skip), or fails there (fail)", async () => {
    const files = { a: text("A"), b: { data: Buffer.from("B"), failOpen: denied("b") }, c: text("C") };
    expect(await run(fakeSession(files, { gated: false }).session)).toEqual(["a=A", "b!PERMISSION_DENIED", "c=C"]);
    expect(await run(fakeSession(files, { gated: false }).session, { onError: "skip" })).toEqual(["a=A", "c=C"]);
    const seen: string[] = [];
    const failing = (async () => {
      for await (const item of queryFiles(fakeSession(files, { gated: false }).session, {}, { onError: "fail" })) {
        seen.push(item.properties.fileName);
        if (!isQueryError(item)) await readAll(item.content);
      }
    })();
    await expect(failing).rejects.toMatchObject({
      reason: "PERMISSION_DENIED",
      path: "/d/b",
      message: expect.stringContaining("Error fetching file from '/d/b'"),
    });
    expect(seen).toEqual(["a"]);
  });

  it("counts only documents (failed files do not count) and stops listing once count is reached", async () => {
    const files = { a: { data: Buffer.from("A"), failOpen: denied("a") }, b: text("B"), c: text("C"), d: text("D") };
    expect(await run(fakeSession(files, { gated: false }).session, { count: 2 })).toEqual(["a!PERMISSION_DENIED", "b=B", "c=C"]);
    const fake = fakeSession({ a: text("A"), b: text("B"), c: text("C"), d: text("D") }, { gated: false });
    expect(await run(fake.session, { count: 1, concurrency: 4 })).toEqual(["a=A"]);
    expect(fake.opened).toEqual(["/d/a"]); // with one document wanted, no more were started
  });

  it("starts at most `concurrency` downloads, and the next only when a content is done with", async () => {
    const files: Record<string, FakeFile> = {};
    for (let i = 0; i < 10; i += 1) files[`f${i}`] = text(`content ${i}`);
    const fake = fakeSession(files);
    const results = queryFiles(fake.session, {}, { concurrency: 2 });
    const first = results.next();
    while (fake.gates.length < 2) await tick();
    await tick();
    expect(fake.opened).toHaveLength(2);
    fake.openAll();
    const a = await first;
    const b = await results.next();
    await tick();
    expect(fake.opened).toHaveLength(2); // both places are held by contents not yet read
    if (a.done || b.done || isQueryError(a.value) || isQueryError(b.value)) throw new Error("expected documents");
    let third = false;
    const pending = results.next().then((r) => ((third = true), r));
    await tick();
    await tick();
    expect(third).toBe(false);
    expect(await readAll(a.value.content)).toBe("content 0");
    const c = await pending;
    expect(fake.opened).toHaveLength(3);
    b.value.content.destroy();
    if (!c.done && !isQueryError(c.value)) c.value.content.destroy();
    await results.return();
  });

  it("stopping early destroys every download not handed out", async () => {
    const files: Record<string, FakeFile> = {};
    for (let i = 0; i < 10; i += 1) files[`f${i}`] = text(`content ${i}`);
    const fake = fakeSession(files, { gated: false });
    for await (const item of queryFiles(fake.session, {}, { concurrency: 5 })) {
      if (!isQueryError(item)) item.content.destroy();
      break;
    }
    await tick();
    expect(fake.opened.length).toBeGreaterThan(1);
    expect(fake.live()).toBe(0);
  });

  it("as: buffer reads each file whole; includeAllMetadata wraps it in Boomi's JSON", async () => {
    const files = { a: text("héllo\r\n"), b: { data: Buffer.from("B"), failAfter: 0 } };
    expect(await run(fakeSession(files, { gated: false }).session, { as: "buffer" })).toEqual(["a=héllo\r\n", "b!CONNECTION_LOST"]);
    expect(await run(fakeSession({ a: text("héllo\r\n") }, { gated: false }).session, { includeAllMetadata: true })).toEqual([
      'a={"fileContent":"héllo\\r\\n","modifiedDate":"2023-03-23T12:08:56Z"}',
    ]);
  });

  it("refuses bad options at once, naming each", () => {
    const fake = fakeSession({});
    const refuse = (options: unknown) => {
      try {
        queryFiles(fake.session, {}, options as QueryOptions);
      } catch (error) {
        return isSftpConnectorError(error) ? [error.reason, error.message] : error;
      }
      return "accepted";
    };
    expect(refuse({ concurrency: 2.5 })).toEqual(["INVALID_INPUT", "Invalid query request: concurrency: expected a whole number of at least 1, got 2.5"]);
    expect(refuse({ includeAllMetadata: "yes", onProgress: 3 })).toEqual([
      "INVALID_INPUT",
      'Invalid query request: includeAllMetadata: expected true or false, got "yes"; onProgress: expected a function, got 3',
    ]);
    expect(refuse({ filter: "isDirectory = true" })).toEqual(["INVALID_INPUT", expect.stringContaining("Unknown property: isDirectory (not available here")]);
    expect(fake.opened).toEqual([]);
  });

  describe("with a provider", () => {
    function provider(sessions: SftpSession[]): SessionProvider & { released: { broken: boolean }[]; acquired: number } {
      const released: { broken: boolean }[] = [];
      const p = {
        released,
        acquired: 0,
        async acquire() {
          const next = sessions.shift();
          if (!next) throw new Error("no more sessions");
          p.acquired += 1;
          return next;
        },
        release(_session: SftpSession, options?: { broken?: boolean }) {
          released.push({ broken: options?.broken ?? false });
        },
      };
      return p;
    }

    it("starts the query again when the listing fails before the first document", async () => {
      const lost = new SftpConnectorError("CONNECTION_LOST", "gone");
      const pool = provider([
        fakeSession({ a: text("A") }, { gated: false, listingFailure: lost }).session,
        fakeSession({ a: text("A") }, { gated: false }).session,
      ]);
      expect(await run(pool, { retry: { attempts: 1, backoffMs: 0 } })).toEqual(["a=A"]);
      await tick();
      expect(pool.released).toEqual([{ broken: true }, { broken: false }]);
    });

    it("resumes a download that loses its connection at the byte reached, on a fresh session", async () => {
      const data = "0123456789abcdefghij";
      const first = fakeSession({ a: { data: Buffer.from(data), failAfter: 7 } }, { gated: false });
      const second = fakeSession({ a: text(data) }, { gated: false });
      const pool = provider([first.session, second.session]);
      expect(await run(pool, { retry: { attempts: 1, backoffMs: 0 } })).toEqual([`a=${data}`]);
      expect(second.opened).toEqual(["/d/a"]);
      await tick();
      expect(pool.released).toHaveLength(2); // the resume's session, then the query's once its last content ended
    });

    it("gives the session back only once the contents handed out have ended", async () => {
      const fake = fakeSession({ a: text("A"), b: text("B") }, { gated: false });
      const pool = provider([fake.session]);
      const contents: Readable[] = [];
      for await (const item of queryFiles(pool)) if (!isQueryError(item)) contents.push(item.content);
      await tick();
      expect(pool.released).toEqual([]);
      expect(await readAll(contents[0]!)).toBe("A");
      await tick();
      expect(pool.released).toEqual([]);
      contents[1]!.destroy();
      await tick();
      expect(pool.released).toEqual([{ broken: false }]);
    });
  });
});

describe("queryFiles: strict options and Boomi's names", () => {
  const refusal = (options: unknown) => {
    try {
      queryFiles(fakeSession({}).session, {}, options as QueryOptions);
    } catch (error) {
      if (isSftpConnectorError(error) && error.reason === "INVALID_INPUT") return error;
      throw error;
    }
    throw new Error("expected INVALID_INPUT at the call");
  };

  it("refuses an unknown option at the call, naming the closest known one", () => {
    expect(refusal({ includeAll: true }).message).toBe('Invalid query request: unknown option "includeAll"; did you mean "includeAllMetadata"?');
    expect(refusal({ concurency: 2 }).problems).toEqual(['unknown option "concurency"; did you mean "concurrency"?']);
    expect(refusal({ recurseInto: "all" }).problems).toEqual(['unknown option "recurseInto"']);
  });

  it("recursiveList (Boomi's id) reads the sub-directories as recursive does", async () => {
    const readOf = async (options: QueryOptions) => {
      const { session } = fakeSession({ a: text("A"), sub: "dir" }, { gated: false });
      const read: string[] = [];
      const readdir = session.readdir.bind(session);
      session.readdir = ((path: string) => (read.push(path), readdir(path))) as typeof session.readdir;
      return { results: await run(session, options), read };
    };
    const ours = await readOf({ recursive: true });
    expect(ours).toEqual({ results: ["a=A"], read: ["/d", "/d/sub"] });
    expect(await readOf({ recursiveList: true })).toEqual(ours);
    expect(await readOf({ recursiveList: false })).toEqual({ results: ["a=A"], read: ["/d"] });
    expect(refusal({ recursiveList: false, recursive: true }).problems).toEqual([
      '"recursiveList" and "recursive" name the same option, "recursive", with different values (false and true); give one',
    ]);
  });

  it("accepts every documented option, also set to undefined", async () => {
    const options = {
      count: undefined,
      filter: undefined,
      includeAllMetadata: undefined,
      concurrency: undefined,
      onError: undefined,
      as: undefined,
      recursive: undefined,
      recursiveList: undefined,
      depth: undefined,
      followSymlinks: undefined,
      includeTemporaryFiles: undefined,
      retry: undefined,
      onProgress: undefined,
      logger: undefined,
      signal: undefined,
    } satisfies Required<{ [K in keyof QueryOptions]: unknown }>;
    expect(await run(fakeSession({ a: text("A") }, { gated: false }).session, options)).toEqual(["a=A"]);
  });
});
