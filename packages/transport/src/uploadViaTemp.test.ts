// Unit tests of uploadViaTemp, openContent and temporary names over an in-memory fake session: rename strategies, conflicts, cleanup and retries.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { Readable, Writable } from "node:stream";
import { SftpConnectorError, isSftpConnectorError, type ErrorReason } from "@sftp-connector/core";
import { rejectionOf } from "@sftp-connector/testkit";
import type { FileStats, SftpSession } from "./SftpSession.js";
import type { SessionProvider } from "./SessionPool.js";
import { uploadViaTemp } from "./uploadViaTemp.js";
import { openContent } from "./openContent.js";
import { isTemporaryFileName, temporaryFileName } from "./temporaryFileName.js";

type Op = "open" | "write" | "rename" | "unlink" | "setstat";

/** An in-memory file system behind a fake SftpSession; `failures` make the next call of an op fail. */
class FakeServer {
  files = new Map<string, Buffer>();
  dirs = new Set<string>(["/", "/d"]);
  posixRename = true;
  calls: string[] = [];
  failures: Array<{ op: Op; path?: string; reason: ErrorReason; after?: () => void }> = [];

  fail(op: Op, path?: string): SftpConnectorError | undefined {
    const index = this.failures.findIndex((f) => f.op === op && (f.path === undefined || f.path === path));
    if (index < 0) return undefined;
    const [failure] = this.failures.splice(index, 1);
    failure!.after?.();
    return new SftpConnectorError(failure!.reason, `${op} failed for "${path}" (fake ${failure!.reason})`, { operation: op, path });
  }

  stats(path: string): FileStats | undefined {
    const file = this.files.get(path);
    const isDirectory = this.dirs.has(path);
    if (!file && !isDirectory) return undefined;
    const date = new Date(0);
    return {
      size: file?.length ?? 0,
      modifiedAt: date,
      accessedAt: date,
      mode: isDirectory ? 0o40755 : 0o100644,
      permissions: isDirectory ? 0o755 : 0o644,
      uid: 1,
      gid: 1,
      isFile: !isDirectory,
      isDirectory,
      isSymbolicLink: false,
    };
  }

  session(): SftpSession {
    const server = this;
    const missing = (op: string, path: string) => new SftpConnectorError("NO_SUCH_FILE", `${op}: no such file ${path}`, { operation: op, path });
    const fake = {
      closed: false,
      extensions: [] as string[],
      get hasPosixRename() {
        return server.posixRename;
      },
      async lstat(path: string) {
        return server.stats(path) ?? Promise.reject(missing("lstat", path));
      },
      async stat(path: string) {
        return server.stats(path) ?? Promise.reject(missing("stat", path));
      },
      async statIfExists(path: string) {
        return server.stats(path);
      },
      async open(path: string, flags: string) {
        server.calls.push(`open ${flags} ${path}`);
        const error = server.fail("open", path);
        if (error) throw error;
        if (!server.dirs.has(posix.dirname(path))) throw missing("open", path);
        if (flags === "wx" && (server.files.has(path) || server.dirs.has(path))) {
          throw new SftpConnectorError("FAILURE", `open failed for "${path}": Failure`, { operation: "open", path });
        }
        if (!server.files.has(path)) server.files.set(path, Buffer.alloc(0));
        return Buffer.from(path);
      },
      async close() {},
      async unlink(path: string) {
        server.calls.push(`unlink ${path}`);
        const error = server.fail("unlink", path);
        if (error) throw error;
        if (!server.files.delete(path)) throw missing("unlink", path);
      },
      async rename(from: string, to: string, options: { overwrite?: boolean } = {}) {
        const atomic = options.overwrite && server.posixRename;
        server.calls.push(`${atomic ? "posix-rename" : "rename"} ${from} ${to}`);
        const error = server.fail("rename", to);
        if (error) throw error;
        const data = server.files.get(from);
        if (!data) throw missing("rename", from);
        if (!atomic && (server.files.has(to) || server.dirs.has(to))) {
          throw new SftpConnectorError("FAILURE", `rename failed for "${from}": Failure`, { operation: "rename", path: from });
        }
        server.files.delete(from);
        server.files.set(to, data);
      },
      async request(_operation: string, _path: string, invoke: (cb: (error?: Error | null, ...results: unknown[]) => void) => void) {
        return new Promise((resolve, reject) => invoke((error, ...results) => (error ? reject(error) : resolve(results))));
      },
      raw: {
        sftp: {
          setstat(path: string, attrs: { size: number }, cb: (error?: Error) => void) {
            server.calls.push(`setstat ${path} ${attrs.size}`);
            const error = server.fail("setstat", path);
            if (error) return cb(error);
            const data = server.files.get(path);
            if (!data) return cb(missing("setstat", path));
            server.files.set(path, data.subarray(0, attrs.size));
            cb();
          },
        },
      },
      createWriteStream(path: string, options: { flags?: string; start?: number } = {}) {
        let position = options.start ?? 0;
        const stream = new Writable({
          construct(callback) {
            const error = server.fail("open", path);
            if (error) return callback(error);
            if (options.flags === "a") {
              if (!server.dirs.has(posix.dirname(path))) return callback(missing("open", path));
              if (!server.files.has(path)) server.files.set(path, Buffer.alloc(0));
              position = server.files.get(path)!.length;
            } else if (!server.files.has(path)) return callback(missing("open", path));
            Object.assign(stream, { startOffset: position, bytesWritten: 0 });
            callback();
            process.nextTick(() => stream.emit("ready"));
          },
          write(chunk: Buffer, _encoding, callback) {
            const error = server.fail("write", path);
            if (error) return callback(error);
            const data = server.files.get(path)!;
            const next = Buffer.concat([data.subarray(0, position), chunk, data.subarray(position + chunk.length)]);
            server.files.set(path, next);
            position += chunk.length;
            (stream as unknown as { bytesWritten: number }).bytesWritten += chunk.length;
            callback();
          },
        });
        return stream;
      },
    };
    return fake as unknown as SftpSession;
  }
}

const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

const text = (server: FakeServer, path: string) => server.files.get(path)?.toString();
const names = (server: FakeServer) => [...server.files.keys()].sort();

describe("uploadViaTemp", () => {
  it("writes to a hidden temporary name and renames it into place", async () => {
    const server = new FakeServer();
    const result = await uploadViaTemp(server.session(), { content: "hello", finalPath: "/d/a.txt" });
    expect(result.path).toBe("/d/a.txt");
    expect(result.bytesWritten).toBe(5);
    expect(isTemporaryFileName(posix.basename(result.tempPath!))).toBe(true);
    expect(posix.dirname(result.tempPath!)).toBe("/d");
    expect(server.calls).toEqual([`open wx ${result.tempPath}`, `rename ${result.tempPath} /d/a.txt`]);
    expect(names(server)).toEqual(["/d/a.txt"]);
  });

  it("replaces with posix-rename when offered, else with Boomi's delete-then-rename", async () => {
    const server = new FakeServer();
    server.files.set("/d/a.txt", Buffer.from("old"));
    const atomic = await uploadViaTemp(server.session(), { content: "new", finalPath: "/d/a.txt", overwrite: "replace" });
    expect(server.calls.at(-1)).toBe(`posix-rename ${atomic.tempPath} /d/a.txt`);
    expect(text(server, "/d/a.txt")).toBe("new");
    server.posixRename = false;
    server.calls = [];
    const fallback = await uploadViaTemp(server.session(), { content: "newer", finalPath: "/d/a.txt", overwrite: "replace" });
    expect(server.calls.slice(-2)).toEqual(["unlink /d/a.txt", `rename ${fallback.tempPath} /d/a.txt`]);
    expect(text(server, "/d/a.txt")).toBe("newer");
    server.posixRename = true;
    server.calls = [];
    const forced = await uploadViaTemp(server.session(), {
      content: "newest",
      finalPath: "/d/a.txt",
      overwrite: "replace",
      replaceStrategy: "delete-then-rename",
    });
    expect(server.calls.slice(-2)).toEqual(["unlink /d/a.txt", `rename ${forced.tempPath} /d/a.txt`]);
    expect(names(server)).toEqual(["/d/a.txt"]);
  });

  it("says so when delete-then-rename lost the old file, and removes the temporary file", async () => {
    const server = new FakeServer();
    server.posixRename = false;
    server.files.set("/d/a.txt", Buffer.from("old"));
    server.failures.push({ op: "rename", path: "/d/a.txt", reason: "PERMISSION_DENIED" });
    const error = await failure(uploadViaTemp(server.session(), { content: "new", finalPath: "/d/a.txt", overwrite: "replace" }));
    expect(error.reason).toBe("PERMISSION_DENIED");
    expect(error.message).toContain("Could not rename path");
    expect(error.message).toContain("the former '/d/a.txt' was deleted before the rename failed");
    expect(names(server)).toEqual([]);
  });

  it("a failed atomic replace keeps the old file and removes the temporary file", async () => {
    const server = new FakeServer();
    server.files.set("/d/a.txt", Buffer.from("old"));
    server.failures.push({ op: "rename", path: "/d/a.txt", reason: "FAILURE" });
    const error = await failure(uploadViaTemp(server.session(), { content: "new", finalPath: "/d/a.txt", overwrite: "replace" }));
    expect(error.reason).toBe("FAILURE");
    expect(error.path).toBe("/d/a.txt");
    expect(names(server)).toEqual(["/d/a.txt"]);
    expect(text(server, "/d/a.txt")).toBe("old");
  });

  it("error mode: a file that appeared is ALREADY_EXISTS with Boomi's message, or onConflict picks another name (at most 10 times)", async () => {
    const server = new FakeServer();
    server.files.set("/d/a.txt", Buffer.from("theirs"));
    const error = await failure(uploadViaTemp(server.session(), { content: "mine", finalPath: "/d/a.txt" }));
    expect(error.reason).toBe("ALREADY_EXISTS");
    expect(error.message).toBe("the 'a.txt' file already exists in the remote directory on the SFTP server.");
    expect(names(server)).toEqual(["/d/a.txt"]);
    const tried: string[] = [];
    const result = await uploadViaTemp(server.session(), {
      content: "mine",
      finalPath: "/d/a.txt",
      onConflict: async (_session, path) => {
        tried.push(path);
        return "/d/a1.txt";
      },
    });
    expect(tried).toEqual(["/d/a.txt"]);
    expect(result.path).toBe("/d/a1.txt");
    expect(text(server, "/d/a1.txt")).toBe("mine");
    let asked = 0;
    const endless = await failure(
      uploadViaTemp(server.session(), {
        content: "x",
        finalPath: "/d/a.txt",
        onConflict: async () => {
          asked += 1;
          return asked % 2 ? "/d/a1.txt" : "/d/a.txt";
        },
      }),
    );
    expect(endless.reason).toBe("ALREADY_EXISTS");
    expect(asked).toBe(10);
    expect(names(server)).toEqual(["/d/a.txt", "/d/a1.txt"]);
  });

  it("never touches an existing file at the temporary path", async () => {
    const server = new FakeServer();
    server.files.set("/d/fixed.tmp", Buffer.from("someone's"));
    const error = await failure(uploadViaTemp(server.session(), { content: "x", finalPath: "/d/a.txt", tempPath: "/d/fixed.tmp" }));
    expect(error.reason).toBe("ALREADY_EXISTS");
    expect(error.message).toContain("the temporary file '/d/fixed.tmp' already exists");
    expect(text(server, "/d/fixed.tmp")).toBe("someone's");
    expect(names(server)).toEqual(["/d/fixed.tmp"]);
  });

  it("removes the temporary file after a write failure and names the final path", async () => {
    const server = new FakeServer();
    server.failures.push({ op: "write", reason: "PERMISSION_DENIED" });
    const error = await failure(uploadViaTemp(server.session(), { content: "x", finalPath: "/d/a.txt" }));
    expect(error.reason).toBe("PERMISSION_DENIED");
    expect(error.message).toMatch(/^An error occurred while creating the file at path '\/d\/a\.txt'\. Cause: /);
    expect(names(server)).toEqual([]);
  });

  it("reports a temporary file it could not remove", async () => {
    const server = new FakeServer();
    server.failures.push({ op: "write", reason: "FAILURE" }, { op: "unlink", reason: "PERMISSION_DENIED" });
    const error = await failure(uploadViaTemp(server.session(), { content: "x", finalPath: "/d/a.txt" }));
    expect(error.message).toMatch(/the temporary file '\/d\/\.a\.txt\.[0-9a-f-]+\.sftp-tmp' could not be removed/);
  });

  it("append: appends to the file itself; on failure truncates back, or removes a file it created", async () => {
    const server = new FakeServer();
    server.files.set("/d/log.txt", Buffer.from("one "));
    const result = await uploadViaTemp(server.session(), { content: "two", finalPath: "/d/log.txt", overwrite: "append" });
    expect(result).toEqual({ path: "/d/log.txt", bytesWritten: 3, appendedAt: 4 });
    expect(text(server, "/d/log.txt")).toBe("one two");
    expect(server.calls.some((c) => c.includes("sftp-tmp"))).toBe(false);
    const failing = new Readable({
      read() {
        this.push("three");
        this.destroy(new Error("source broke"));
      },
    });
    const error = await failure(uploadViaTemp(server.session(), { content: failing, finalPath: "/d/log.txt", overwrite: "append" }));
    expect(error.reason).toBe("FAILURE");
    expect(error.message).toContain("content: reading the content failed");
    expect(error.message).toContain("source broke");
    expect(text(server, "/d/log.txt")).toBe("one two");
    server.failures.push({ op: "write", reason: "FAILURE" });
    await failure(uploadViaTemp(server.session(), { content: "x", finalPath: "/d/new.txt", overwrite: "append" }));
    expect(names(server)).toEqual(["/d/log.txt"]);
  });

  it("with a provider: retries a lost rename whose effect happened, without failing or duplicating", async () => {
    const server = new FakeServer();
    let acquired = 0;
    const provider: SessionProvider = {
      acquire: async () => {
        acquired += 1;
        return server.session();
      },
      release: () => {},
    };
    // The rename happens on the server, but its answer is lost with the connection.
    server.failures.push({ op: "rename", path: "/d/a.txt", reason: "CONNECTION_LOST" });
    const first = server.failures[0]!;
    first.after = () => {
      const temp = [...server.files.keys()].find((k) => isTemporaryFileName(posix.basename(k)))!;
      server.files.set("/d/a.txt", server.files.get(temp)!);
      server.files.delete(temp);
    };
    const result = await uploadViaTemp(provider, { content: "data", finalPath: "/d/a.txt", retry: { attempts: 2, backoffMs: 1 } });
    expect(result.path).toBe("/d/a.txt");
    expect(text(server, "/d/a.txt")).toBe("data");
    expect(names(server)).toEqual(["/d/a.txt"]);
    // reserve, write, rename (answer lost), rename again: found done, not repeated.
    expect(acquired).toBe(4);
    expect(server.calls.filter((c) => c.startsWith("rename")).length).toBe(1);
  });

  it("with a provider: a lost connection keeps its reason (not the content's), and a temporary file it could not remove is left to the pool", async () => {
    const server = new FakeServer();
    const deferred: string[] = [];
    const provider: SessionProvider = { acquire: async () => server.session(), release: () => {}, removeWhenReconnected: (path) => void deferred.push(path) };
    server.failures.push({ op: "write", reason: "CONNECTION_LOST" }, { op: "unlink", reason: "CONNECTION_LOST" });
    // A generator source: pipeline destroys it with the upload's error, which must not make it a content failure.
    const content = Readable.from(
      (async function* () {
        yield Buffer.from("part one");
        yield Buffer.from("part two");
      })(),
    );
    const error = await failure(uploadViaTemp(provider, { content, finalPath: "/d/a.txt", retry: { attempts: 0, backoffMs: 1 } }));
    expect(error.reason).toBe("CONNECTION_LOST");
    expect(error.message).not.toContain("reading the content failed");
    expect(error.message).toContain("it will be removed once the connection is re-established");
    expect(deferred).toHaveLength(1);
    expect(isTemporaryFileName(posix.basename(deferred[0]!))).toBe(true);
  });

  it("rejects bad arguments as INVALID_INPUT before touching the server", async () => {
    const server = new FakeServer();
    const cases: Array<[Parameters<typeof uploadViaTemp>[1], string]> = [
      [{ content: "x", finalPath: "relative.txt" }, "finalPath"],
      [{ content: "x", finalPath: "/d/a.txt", tempPath: "/d/a.txt" }, "tempPath"],
      [{ content: "x", finalPath: "/d/a.txt", tempPath: "tmp" }, "tempPath"],
      [{ content: "x", finalPath: "/d/a.txt", overwrite: "merge" as never }, "overwrite"],
      [{ content: 5 as never, finalPath: "/d/a.txt" }, "content"],
    ];
    for (const [options, field] of cases) {
      const error = await failure(uploadViaTemp(server.session(), options));
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toContain(field);
    }
    expect(server.calls).toEqual([]);
  });
});

describe("openContent", () => {
  const collect = async (stream: Readable) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  it("opens Buffers (in pieces, without copying), Uint8Arrays, UTF-8 strings, Readables and local files", async () => {
    const bytes = Buffer.from("0123456789");
    const pieces: Buffer[] = [];
    for await (const piece of await openContent(bytes, { chunkSize: 4 })) pieces.push(piece as Buffer);
    expect(pieces.map(String)).toEqual(["0123", "4567", "89"]);
    expect(pieces[0]!.buffer).toBe(bytes.buffer);
    expect(String(await collect(await openContent(new Uint8Array([104, 105]))))).toBe("hi");
    expect(await collect(await openContent("é✓"))).toEqual(Buffer.from("é✓", "utf8"));
    const stream = Readable.from(["a"]);
    expect(await openContent(stream)).toBe(stream);
    const file = join(mkdtempSync(join(tmpdir(), "content-")), "f.txt");
    writeFileSync(file, "local");
    expect(String(await collect(await openContent({ path: file })))).toBe("local");
    expect((await collect(await openContent(Buffer.alloc(0)))).length).toBe(0);
  });

  it("refuses a missing, unreadable or non-regular local file and other types with INVALID_INPUT naming the field", async () => {
    const missing = await failure(openContent({ path: "/no/such/file" }));
    expect(missing.message).toBe("content.path: no such local file '/no/such/file'");
    expect((await failure(openContent({ path: tmpdir() }))).message).toContain("is not a regular file");
    expect((await failure(openContent({ path: "" }))).message).toContain("content.path");
    expect((await failure(openContent(null as never, { field: "body" }))).message).toMatch(/^body: expected/);
  });
});

describe("temporary names", () => {
  it("are hidden, unique, recognizable, and short enough", () => {
    const name = temporaryFileName("dir/report.csv");
    expect(name).toMatch(/^\.report\.csv\.[0-9a-f-]{36}\.sftp-tmp$/);
    expect(temporaryFileName("a")).not.toBe(temporaryFileName("a"));
    expect(isTemporaryFileName(name)).toBe(true);
    expect(isTemporaryFileName(temporaryFileName("été ✓ .txt"))).toBe(true);
    expect(isTemporaryFileName("report.csv")).toBe(false);
    expect(isTemporaryFileName(".report.csv.sftp-tmp")).toBe(false);
    expect(isTemporaryFileName("report.csv.0b9f6c1e-6a8f-4c57-9d36-2f5b0c3f8a11.sftp-tmp")).toBe(false);
    const long = temporaryFileName("é".repeat(300));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255);
    expect(isTemporaryFileName(long)).toBe(true);
  });
});
