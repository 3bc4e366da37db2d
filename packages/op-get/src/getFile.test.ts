// getFile against an in-memory fake session: ordering of the after-read actions, properties, not-found rules and errors.
import { describe, expect, it } from "vitest";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SftpConnectorError, isSftpConnectorError, resolveRemoteDirectory, formatTimestamp } from "@sftp-connector/core";
import type { FileStats, SessionProvider, SftpSession } from "@sftp-connector/transport";
import { rejectionOf } from "@sftp-connector/testkit";
import { AfterReadError, getFile } from "./index.js";

interface Entry {
  data?: Buffer;
  mtime: Date;
}

/** An in-memory SFTP session: the calls getFile makes, each logged. */
class FakeSession {
  readonly entries = new Map<string, Entry>();
  readonly log: string[] = [];
  info = { homeDirectory: "/home/u", remoteDirectory: undefined as string | undefined };
  hasPosixRename = true;
  failUnlink: SftpConnectorError | undefined;
  /** Size stat reports, when it should lie. */
  statSize: number | undefined;

  constructor(files: Record<string, string | Buffer>, dirs: string[] = []) {
    for (const dir of ["/", "/home", "/home/u", ...dirs]) this.entries.set(dir, { mtime: new Date(0) });
    for (const [path, data] of Object.entries(files)) {
      this.entries.set(path, { data: Buffer.from(data), mtime: new Date(Date.UTC(2024, 1, 29, 13, 5, 7)) });
    }
  }

  private missing(operation: string, path: string) {
    return new SftpConnectorError("NO_SUCH_FILE", `${operation} failed for "${path}": no such file or directory`, { operation, path });
  }

  resolveDirectory(perCall?: string): string {
    return resolveRemoteDirectory({ perCall, connection: this.info.remoteDirectory, home: this.info.homeDirectory });
  }

  async stat(path: string): Promise<FileStats> {
    this.log.push(`stat ${path}`);
    const entry = this.entries.get(path);
    if (!entry) throw this.missing("stat", path);
    const isDirectory = entry.data === undefined;
    return {
      size: this.statSize ?? entry.data?.length ?? 4096,
      modifiedAt: entry.mtime,
      accessedAt: entry.mtime,
      mode: isDirectory ? 0o40755 : 0o100644,
      permissions: isDirectory ? 0o755 : 0o644,
      uid: 1000,
      gid: 1000,
      isFile: !isDirectory,
      isDirectory,
      isSymbolicLink: false,
    };
  }

  async statIfExists(path: string): Promise<FileStats | undefined> {
    return this.entries.has(path) ? this.stat(path) : undefined;
  }

  createReadStream(path: string): Readable {
    this.log.push(`open ${path}`);
    const entry = this.entries.get(path);
    const log = this.log;
    const missing = this.missing("open", path);
    async function* chunks(): AsyncGenerator<Buffer> {
      if (!entry?.data) throw missing;
      for (let at = 0; at < entry.data.length; at += 4) {
        log.push(`read ${at}`);
        yield entry.data.subarray(at, at + 4);
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async unlink(path: string): Promise<void> {
    this.log.push(`unlink ${path}`);
    if (this.failUnlink) throw this.failUnlink;
    if (!this.entries.delete(path)) throw this.missing("unlink", path);
  }

  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    this.log.push(`rename ${from} ${to}${options.overwrite ? " overwrite" : ""}`);
    const entry = this.entries.get(from);
    if (!entry) throw this.missing("rename", from);
    if (this.entries.has(to) && !options.overwrite) throw new SftpConnectorError("FAILURE", `rename failed for "${from}"`, { path: from });
    this.entries.delete(from);
    this.entries.set(to, entry);
  }

  async mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    this.log.push(`mkdir ${path}${options.recursive ? " -p" : ""}`);
    const parts = path.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i += 1) {
      const dir = `/${parts.slice(0, i).join("/")}`;
      if (!this.entries.has(dir)) this.entries.set(dir, { mtime: new Date() });
    }
  }

  get session(): SftpSession {
    return this as unknown as SftpSession;
  }
}

/** A consumer that logs what it receives into the session's log, optionally slowly. */
function collector(log: string[], delayMs = 0): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      log.push(`got ${chunk.length}`);
      setTimeout(callback, delayMs);
    },
  });
  return { stream, text: () => Buffer.concat(parts).toString("utf8") };
}

const rejection = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

describe("getFile (fake session)", () => {
  it("streams a file with its properties; nothing is read until the caller reads", async () => {
    const fake = new FakeSession({ "/home/u/in/sub/a.txt": "hello world" }, ["/home/u/in", "/home/u/in/sub"]);
    const doc = await getFile(fake.session, { fileName: "sub/a.txt", remoteDirectory: "in" });
    expect(doc!.properties).toEqual({
      fileName: "sub/a.txt",
      remoteDirectory: "/home/u/in",
      timestamp: formatTimestamp(new Date(Date.UTC(2024, 1, 29, 13, 5, 7))),
      size: 11,
    });
    expect(fake.log).toEqual(["stat /home/u/in/sub/a.txt"]);
    const sink = collector(fake.log);
    await pipeline(doc!.content, sink.stream);
    expect(sink.text()).toBe("hello world");
  });

  it("deleteAfter runs only after the consumer was handed the last byte", async () => {
    const fake = new FakeSession({ "/home/u/a.txt": "0123456789abcdef!" });
    const doc = await getFile(fake.session, { fileName: "a.txt" }, { deleteAfter: true });
    const sink = collector(fake.log, 2);
    await pipeline(doc!.content, sink.stream);
    const unlinkAt = fake.log.indexOf("unlink /home/u/a.txt");
    expect(unlinkAt).toBeGreaterThan(fake.log.lastIndexOf("got 1")); // the last chunk is "!" (1 byte)
    expect(fake.log.filter((line) => line.startsWith("got")).length).toBe(5);
    expect(fake.entries.has("/home/u/a.txt")).toBe(false);
  });

  it("a stream destroyed before its end leaves the file in place", async () => {
    const fake = new FakeSession({ "/home/u/a.txt": "0123456789abcdef" });
    const doc = await getFile(fake.session, { fileName: "a.txt" }, { deleteAfter: true });
    for await (const _chunk of doc!.content) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.log).not.toContain("unlink /home/u/a.txt");
    expect(fake.entries.has("/home/u/a.txt")).toBe(true);
  });

  it("failDeleteAfter: the stream delivers the whole content, then errors with the delete's reason and Boomi's message", async () => {
    const fake = new FakeSession({ "/home/u/a.txt": "content" });
    fake.failUnlink = new SftpConnectorError("PERMISSION_DENIED", 'unlink failed for "/home/u/a.txt": permission denied', { path: "/home/u/a.txt" });
    const doc = await getFile(fake.session, { fileName: "a.txt" }, { deleteAfter: true, failDeleteAfter: true });
    const sink = collector(fake.log);
    const error = await rejection(pipeline(doc!.content, sink.stream));
    expect(sink.text()).toBe("content");
    expect(error).toBeInstanceOf(AfterReadError);
    expect(error.reason).toBe("PERMISSION_DENIED");
    expect(error.message).toMatch(/^Unable to delete the file '\/home\/u\/a\.txt': unlink failed/);
    expect(error.path).toBe("/home/u/a.txt");
  });

  it("without failDeleteAfter, a failed delete is a warning and the stream ends normally", async () => {
    const fake = new FakeSession({ "/home/u/a.txt": "content" });
    fake.failUnlink = new SftpConnectorError("PERMISSION_DENIED", "denied", { path: "/home/u/a.txt" });
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    const doc = await getFile(fake.session, { fileName: "a.txt" }, { deleteAfter: true, logger });
    const sink = collector(fake.log);
    await pipeline(doc!.content, sink.stream);
    expect(sink.text()).toBe("content");
    expect(warnings).toEqual(["Unable to delete the file '/home/u/a.txt': denied"]);
  });

  it("buffer mode: failDeleteAfter rejects with the document attached", async () => {
    const fake = new FakeSession({ "/home/u/a.txt": "content" });
    fake.failUnlink = new SftpConnectorError("FAILURE", "nope", { path: "/home/u/a.txt" });
    const error = await rejection(getFile(fake.session, { fileName: "a.txt" }, { as: "buffer", deleteAfter: true, failDeleteAfter: true }));
    expect(error).toBeInstanceOf(AfterReadError);
    expect((error as AfterReadError).document?.content.toString()).toBe("content");
    expect((error as AfterReadError).action).toBe("delete");
  });

  it("includeAllMetadata: the JSON with the exact text; the mtime is read before the delete", async () => {
    const fake = new FakeSession({ "/home/u/a.txt": "a\r\nb\r\n" });
    const doc = await getFile(fake.session, { fileName: "a.txt" }, { as: "buffer", includeAllMetadata: true, deleteAfter: true });
    const date = formatTimestamp(new Date(Date.UTC(2024, 1, 29, 13, 5, 7)));
    expect(doc!.content.toString("utf8")).toBe(`{"fileContent":"a\\r\\nb\\r\\n","modifiedDate":"${date}"}`);
    expect(fake.log.indexOf("stat /home/u/a.txt")).toBeLessThan(fake.log.indexOf("unlink /home/u/a.txt"));
    expect(doc!.properties.size).toBe(6);
  });

  it("includeAllMetadata streamed gives the same bytes as buffered", async () => {
    const text = "Grüße 😀\r\nzwei\n";
    const streamed = await getFile(new FakeSession({ "/home/u/a.txt": text }).session, { fileName: "a.txt" }, { includeAllMetadata: true });
    const sink = collector([]);
    await pipeline(streamed!.content, sink.stream);
    const buffered = await getFile(new FakeSession({ "/home/u/a.txt": text }).session, { fileName: "a.txt" }, { as: "buffer", includeAllMetadata: true });
    expect(sink.text()).toBe(buffered!.content.toString("utf8"));
    expect(JSON.parse(sink.text()).fileContent).toBe(text);
  });

  it("reads to the end whatever stat says; size becomes the bytes read once the stream ends", async () => {
    const fake = new FakeSession({ "/home/u/a.txt": "twelve bytes" });
    fake.statSize = 0;
    const doc = await getFile(fake.session, { fileName: "a.txt" });
    expect(doc!.properties.size).toBe(0);
    const progress: number[] = [];
    const withProgress = await getFile(fake.session, { fileName: "a.txt" }, { onProgress: (n) => progress.push(n) });
    const sink = collector([]);
    await pipeline(withProgress!.content, sink.stream);
    expect(sink.text()).toBe("twelve bytes");
    expect(withProgress!.properties.size).toBe(12);
    expect(progress).toEqual([4, 8, 12]);
  });

  it("not found: undefined (Boomi), or NO_SUCH_FILE naming the path with failIfNotFound", async () => {
    const fake = new FakeSession({});
    expect(await getFile(fake.session, { fileName: "nope.txt" })).toBeUndefined();
    const error = await rejection(getFile(fake.session, { fileName: "nope.txt" }, { failIfNotFound: true }));
    expect(error.reason).toBe("NO_SUCH_FILE");
    expect(error.message).toBe("File Not Found: '/home/u/nope.txt'");
  });

  it("a missing remote directory is NO_SUCH_FILE with Boomi's message and the path", async () => {
    const fake = new FakeSession({});
    const error = await rejection(getFile(fake.session, { fileName: "a.txt", remoteDirectory: "/data/none" }));
    expect(error.reason).toBe("NO_SUCH_FILE");
    expect(error.message).toBe("Remote directory does not exist: '/data/none'");
    expect(error.path).toBe("/data/none");
  });

  it("a remote directory that is a file is NO_SUCH_FILE too, as in every operation (not INVALID_INPUT)", async () => {
    const fake = new FakeSession({ "/home/u/plain": "x" });
    const error = await rejection(getFile(fake.session, { fileName: "a.txt", remoteDirectory: "/home/u/plain" }));
    expect([error.reason, error.message, error.path]).toEqual([
      "NO_SUCH_FILE",
      "Remote directory does not exist: '/home/u/plain' is not a directory",
      "/home/u/plain",
    ]);
  });

  it("the remote directory is checked only for a missing file inside it", async () => {
    const fake = new FakeSession({ "/srv/x/b.bin": "b" }, ["/srv", "/srv/x"]);
    const outside = await getFile(fake.session, { fileName: "/srv/x/none", remoteDirectory: "/nowhere" }, { allowAbsolutePaths: true });
    expect(outside).toBeUndefined();
    const found = await getFile(fake.session, { fileName: "/srv/x/b.bin", remoteDirectory: "/nowhere" }, { allowAbsolutePaths: true, as: "buffer" });
    expect(found!.content.toString()).toBe("b");
    expect(fake.log).toEqual(["stat /srv/x/none", "stat /srv/x/b.bin", "open /srv/x/b.bin", "read 0"]);
  });

  it("a directory given as the file, and escaping names, are INVALID_INPUT before any read", async () => {
    const fake = new FakeSession({}, ["/home/u/dir"]);
    const dir = await rejection(getFile(fake.session, { fileName: "dir" }));
    expect(dir.reason).toBe("INVALID_INPUT");
    expect(dir.message).toBe("fileName: '/home/u/dir' is a directory, not a file");
    const escaping = await rejection(getFile(fake.session, { fileName: "../other/a.txt" }));
    expect(escaping.reason).toBe("INVALID_INPUT");
    expect(escaping.message).toContain("escapes the remote directory '/home/u'");
    const absolute = await rejection(getFile(fake.session, { fileName: "/etc/passwd" }));
    expect(absolute.message).toContain("is absolute");
    expect(fake.log).toEqual(["stat /home/u/dir"]);
  });

  it("an absolute name (allowAbsolutePaths) gets its own directory as remoteDirectory", async () => {
    const fake = new FakeSession({ "/srv/x/b.bin": "b" }, ["/srv", "/srv/x"]);
    const doc = await getFile(fake.session, { fileName: "/srv/x/b.bin" }, { allowAbsolutePaths: true, as: "buffer" });
    expect(doc!.properties).toMatchObject({ fileName: "b.bin", remoteDirectory: "/srv/x", size: 1 });
  });

  describe("moveAfter", () => {
    it("moves the file into the directory after the content was consumed", async () => {
      const fake = new FakeSession({ "/home/u/in/a.txt": "data" }, ["/home/u/in", "/home/u/in/done"]);
      const doc = await getFile(fake.session, { fileName: "a.txt", remoteDirectory: "in" }, { moveAfter: "done" });
      expect(fake.entries.has("/home/u/in/a.txt")).toBe(true);
      await pipeline(doc!.content, collector(fake.log).stream);
      expect(fake.log.at(-1)).toBe("rename /home/u/in/a.txt /home/u/in/done/a.txt");
      expect(fake.entries.has("/home/u/in/done/a.txt")).toBe(true);
    });

    it("a missing directory is NO_SUCH_FILE before the download, unless createDirectories", async () => {
      const fake = new FakeSession({ "/home/u/a.txt": "data" });
      const error = await rejection(getFile(fake.session, { fileName: "a.txt" }, { moveAfter: "archive/2026" }));
      expect(error.reason).toBe("NO_SUCH_FILE");
      expect(error.message).toContain("'/home/u/archive/2026' does not exist; set createDirectories");
      expect(fake.log.some((line) => line.startsWith("open"))).toBe(false);
      await getFile(fake.session, { fileName: "a.txt" }, { moveAfter: "archive/2026", createDirectories: true, as: "buffer" });
      expect(fake.log.slice(-2)).toEqual(["mkdir /home/u/archive/2026 -p", "rename /home/u/a.txt /home/u/archive/2026/a.txt"]);
    });

    it("a clash is ALREADY_EXISTS before the download; overwrite replaces", async () => {
      const fake = new FakeSession({ "/home/u/a.txt": "new", "/home/u/done/a.txt": "old" }, ["/home/u/done"]);
      const error = await rejection(getFile(fake.session, { fileName: "a.txt" }, { moveAfter: "done" }));
      expect(error.reason).toBe("ALREADY_EXISTS");
      expect(error.message).toContain("the '/home/u/done/a.txt' file already exists");
      await getFile(fake.session, { fileName: "a.txt" }, { moveAfter: "done", overwrite: true, as: "buffer" });
      expect(fake.entries.get("/home/u/done/a.txt")!.data!.toString()).toBe("new");
    });

    it("a clash that appears during the download fails the stream with ALREADY_EXISTS", async () => {
      const fake = new FakeSession({ "/home/u/a.txt": "new" }, ["/home/u/done"]);
      const doc = await getFile(fake.session, { fileName: "a.txt" }, { moveAfter: "done" });
      fake.entries.set("/home/u/done/a.txt", { data: Buffer.from("raced"), mtime: new Date() });
      const error = await rejection(pipeline(doc!.content, collector([]).stream));
      expect(error).toBeInstanceOf(AfterReadError);
      expect(error.reason).toBe("ALREADY_EXISTS");
      expect(fake.entries.get("/home/u/done/a.txt")!.data!.toString()).toBe("raced");
      expect(fake.entries.has("/home/u/a.txt")).toBe(true);
    });

    it("refuses escaping or absolute targets without allowAbsolutePaths, and the file's own directory", async () => {
      const fake = new FakeSession({ "/home/u/a.txt": "x" });
      expect((await rejection(getFile(fake.session, { fileName: "a.txt" }, { moveAfter: "../x" }))).message).toContain("escapes the remote directory");
      expect((await rejection(getFile(fake.session, { fileName: "a.txt" }, { moveAfter: "/tmp" }))).message).toContain("is absolute");
      expect((await rejection(getFile(fake.session, { fileName: "a.txt" }, { moveAfter: "." }))).message).toBe(
        "moveAfter: '/home/u' is the directory the file is already in",
      );
    });
  });
});

/** A provider lending `fake` and counting its leases: how many were taken, how many came back (and how), how many were out at once at the most. */
function countingProvider(fake: FakeSession) {
  const counts = { acquired: 0, released: 0, broken: 0, out: 0, peak: 0 };
  const provider: SessionProvider = {
    async acquire() {
      counts.acquired += 1;
      counts.out += 1;
      counts.peak = Math.max(counts.peak, counts.out);
      fake.log.push("acquire");
      return fake.session;
    },
    release(_session, options) {
      counts.released += 1;
      counts.out -= 1;
      if (options?.broken) counts.broken += 1;
      fake.log.push("release");
    },
  };
  return { provider, counts };
}

describe("getFile on a provider: one lease per GET", () => {
  it("stream + deleteAfter: stat, read and delete on one lease, given back once the stream has ended", async () => {
    const fake = new FakeSession({ "/home/u/a.txt": "0123456789" });
    const { provider, counts } = countingProvider(fake);
    const doc = await getFile(provider, { fileName: "a.txt" }, { deleteAfter: true });
    expect(counts).toMatchObject({ acquired: 1, released: 0 }); // held by the document until its stream closes
    await pipeline(doc!.content, collector([]).stream);
    await new Promise((resolve) => setImmediate(resolve));
    expect(counts).toEqual({ acquired: 1, released: 1, broken: 0, out: 0, peak: 1 });
    expect(fake.log.filter((line) => !line.startsWith("read") && !line.startsWith("got"))).toEqual([
      "acquire",
      "stat /home/u/a.txt",
      "open /home/u/a.txt",
      "unlink /home/u/a.txt",
      "release",
    ]);
  });

  it("buffer + moveAfter + includeAllMetadata: one lease, given back before the call resolves", async () => {
    const fake = new FakeSession({ "/home/u/a.txt": "line 1\r\nline 2\n" }, ["/home/u/done"]);
    const { provider, counts } = countingProvider(fake);
    const doc = await getFile(provider, { fileName: "a.txt" }, { as: "buffer", moveAfter: "done", includeAllMetadata: true });
    expect(JSON.parse(doc!.content.toString("utf8"))).toEqual({ fileContent: "line 1\r\nline 2\n", modifiedDate: doc!.properties.timestamp });
    expect(counts).toEqual({ acquired: 1, released: 1, broken: 0, out: 0, peak: 1 });
    expect(fake.entries.has("/home/u/done/a.txt")).toBe(true);
  });

  it("a missing file, a stream destroyed early, a failed after-read: the lease comes back each time, once", async () => {
    const fake = new FakeSession({ "/home/u/a.txt": "0123456789abcdef" });
    const { provider, counts } = countingProvider(fake);
    expect(await getFile(provider, { fileName: "missing.txt" })).toBeUndefined();
    expect(counts).toMatchObject({ acquired: 1, released: 1 });

    const doc = await getFile(provider, { fileName: "a.txt" }, { deleteAfter: true });
    for await (const _chunk of doc!.content) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(counts).toMatchObject({ acquired: 2, released: 2 });

    fake.failUnlink = new SftpConnectorError("PERMISSION_DENIED", "denied", { path: "/home/u/a.txt" });
    await rejection(getFile(provider, { fileName: "a.txt" }, { as: "buffer", deleteAfter: true, failDeleteAfter: true }));
    expect(counts).toEqual({ acquired: 3, released: 3, broken: 0, out: 0, peak: 1 });
  });
});
