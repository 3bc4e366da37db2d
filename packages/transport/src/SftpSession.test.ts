// SftpSession's logic over a fake ssh2 client and SFTP object: timeouts ending the session, errors mapped to reasons, lost sessions, readdir, mkdir -p, rename, copying reads.
import { afterEach, describe, expect, it, vi } from "vitest";
import { EventEmitter } from "node:events";
import type { Client, SFTPWrapper } from "ssh2";
import { isSftpConnectorError } from "@sftp-connector/core";
import { rejectionOf } from "@sftp-connector/testkit";
import { silentLogger } from "./Logger.js";
import { SftpSession, toFileStats } from "./SftpSession.js";

type Cb = (error: (Error & { code?: number }) | null | undefined, ...results: unknown[]) => void;

const status = (code: number, message = `status ${code}`) => Object.assign(new Error(message), { code });
const DIR = 0o040755;
const FILE = 0o100644;

/**
 * An ssh2 Client and SFTP object whose methods answer from `handlers` (by method name), each
 * getting the call's arguments with the callback last. A method without a handler never answers.
 */
// biome-ignore lint/suspicious/noExplicitAny: a handler takes the arguments of whichever ssh2 method it stands in for.
function fakeSession(handlers: Record<string, (...args: any[]) => void> = {}, options: { readMs?: number; internals?: object } = {}) {
  const calls: Array<[string, ...unknown[]]> = [];
  const client = new (class extends EventEmitter {
    ended = 0;
    destroyed = 0;
    end() {
      this.ended += 1;
      setImmediate(() => this.emit("close"));
    }
    destroy() {
      this.destroyed += 1;
    }
  })();
  const hop = {
    ended: 0,
    end() {
      this.ended += 1;
    },
  };
  const sftp = new Proxy(Object.assign(new EventEmitter(), options.internals ?? {}), {
    get(target, key, receiver) {
      if (typeof key === "string" && key in handlers) {
        return (...args: unknown[]) => {
          calls.push([key, ...args]);
          handlers[key]!(...args);
        };
      }
      const value = Reflect.get(target, key, receiver);
      if (value !== undefined || typeof key !== "string" || key.startsWith("_") || key in EventEmitter.prototype) return value;
      return (...args: unknown[]) => void calls.push([key, ...args]);
    },
  });
  const session = new SftpSession({
    client: client as unknown as Client,
    sftp: sftp as unknown as SFTPWrapper,
    hops: [hop as unknown as Client],
    info: {
      host: "sftp.example",
      port: 2222,
      banner: "SSH-2.0-Fake",
      algorithms: { kex: "k", serverHostKey: "h", cipher: "c", mac: "m", compress: "none" },
      hostKey: { type: "ssh-ed25519", fingerprint: "SHA256:x" },
    },
    readMs: options.readMs ?? 0,
    logger: silentLogger,
  });
  session.info = { ...session.info, homeDirectory: "/home/u", extensions: [], limits: session.limits } as SftpSession["info"];
  return { session, client, sftp, hop, calls };
}

const last = (args: unknown[]) => args[args.length - 1] as Cb;

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("SftpSession requests", () => {
  it("maps SFTP status codes to reasons, naming the operation and the path", async () => {
    const { session } = fakeSession({
      stat: (...args) => last(args)(status(2, "No such file")),
      lstat: (...args) => last(args)(status(3, "Permission denied")),
      open: (...args) => last(args)(status(11, "File already exists")),
    });
    const missing = await rejectionOf(session.stat("/data/a.txt"), isSftpConnectorError);
    expect([missing.reason, missing.operation, missing.path]).toEqual(["NO_SUCH_FILE", "stat", "/data/a.txt"]);
    expect(missing.message).toContain("'/data/a.txt'");
    expect((await rejectionOf(session.lstat("/data/b"), isSftpConnectorError)).reason).toBe("PERMISSION_DENIED");
    expect((await rejectionOf(session.open("/data/c", "wx"), isSftpConnectorError)).reason).toBe("ALREADY_EXISTS");
    expect(session.closed).toBe(false);
  });

  it("turns a synchronous throw of ssh2 into a rejection with a reason", async () => {
    const { session } = fakeSession({
      read: () => {
        throw new Error("handle is not a Buffer");
      },
    });
    const error = await rejectionOf(session.read(Buffer.alloc(1), Buffer.alloc(10), 0, 10, 0, "/x"), isSftpConnectorError);
    expect(error.operation).toBe("read");
    expect(error.path).toBe("/x");
  });

  it("a request unanswered within readMs rejects with TIMEOUT naming readMs and the path, and ends the session", async () => {
    const { session, client, hop } = fakeSession({}, { readMs: 30 });
    const closes: unknown[] = [];
    session.on("close", (error) => closes.push(error));
    const error = await rejectionOf(session.stat("/slow/file"), isSftpConnectorError);
    expect(error.reason).toBe("TIMEOUT");
    expect(error.message).toBe("no answer from sftp.example:2222 within 30 ms (timeouts.readMs) to stat '/slow/file'");
    expect(session.closed).toBe(true);
    expect(client.destroyed).toBe(1);
    expect(hop.ended).toBe(1);
    expect(closes).toEqual([error]);
    // Every later call fails at once with CONNECTION_LOST, its cause the timeout.
    const lost = await rejectionOf(session.stat("/other"), isSftpConnectorError);
    expect(lost.reason).toBe("CONNECTION_LOST");
    expect(lost.message).toBe("cannot stat '/other': the session to sftp.example:2222 has ended");
    expect(lost.cause).toBe(error);
  });

  it("an answer within readMs clears the timer (the session stays open)", async () => {
    const { session } = fakeSession({ realpath: (...args) => setImmediate(() => last(args)(undefined, "/home/u")) }, { readMs: 60_000 });
    expect(await session.realpath(".")).toBe("/home/u");
    expect(session.closed).toBe(false);
  });

  it("a connection error ends the session once, classified, and close() afterwards does nothing", async () => {
    const { session, client, hop } = fakeSession();
    const closes: unknown[] = [];
    session.on("close", (error) => closes.push(error));
    client.emit("error", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    client.emit("close");
    expect(session.closed).toBe(true);
    expect(closes).toHaveLength(1);
    expect(isSftpConnectorError(closes[0]) && closes[0].reason).toBe("CONNECTION_LOST");
    expect(hop.ended).toBe(1);
    await session.close();
    expect(client.ended).toBe(0);
  });

  it("close() ends the client and its hops, once; destroy() fails later calls with CONNECTION_LOST", async () => {
    const { session, client, hop } = fakeSession();
    const closes: unknown[] = [];
    session.on("close", (error) => closes.push(error));
    await session.close();
    await session.close();
    expect([client.ended, hop.ended, closes]).toEqual([1, 1, [undefined]]);
    const other = fakeSession();
    other.session.destroy();
    other.session.destroy();
    expect(other.client.destroyed).toBe(1);
    const error = await rejectionOf(other.session.unlink("/f"), isSftpConnectorError);
    expect(error.reason).toBe("CONNECTION_LOST");
    expect((error.cause as Error).message).toBe("session to sftp.example:2222 destroyed");
  });
});

describe("SftpSession limits and extensions", () => {
  it("takes read/write limits from ssh2 (limits@openssh.com), else 32 KiB", () => {
    expect(fakeSession({}, { internals: { _maxReadLen: 261_120, _maxWriteLen: 261_107 } }).session.limits).toEqual({
      maxReadLength: 261_120,
      maxWriteLength: 261_107,
    });
    expect(fakeSession().session.limits).toEqual({ maxReadLength: 32_768, maxWriteLength: 32_768 });
  });

  it("renames with posix-rename@openssh.com only when overwriting and offered", async () => {
    const answer = (...args: unknown[]) => last(args)(undefined);
    const offered = fakeSession({ rename: answer, ext_openssh_rename: answer }, { internals: { _extensions: { "posix-rename@openssh.com": "1" } } });
    expect(offered.session.hasPosixRename).toBe(true);
    await offered.session.rename("/a", "/b", { overwrite: true });
    await offered.session.rename("/a", "/c");
    expect(offered.calls.map(([name, from, to]) => [name, from, to])).toEqual([
      ["ext_openssh_rename", "/a", "/b"],
      ["rename", "/a", "/c"],
    ]);
    const plain = fakeSession({ rename: answer, ext_openssh_rename: answer });
    expect(plain.session.hasPosixRename).toBe(false);
    await plain.session.rename("/a", "/b", { overwrite: true });
    expect(plain.calls.map(([name]) => name)).toEqual(["rename"]);
  });
});

describe("SftpSession directories", () => {
  const entry = (name: string, mode = FILE) => ({
    filename: name,
    longname: `-rw ${name}`,
    attrs: { mode, size: 3, mtime: 1_700_000_000, atime: 0, uid: 1, gid: 2 },
  });

  it("readdir streams every batch until EOF, skipping . and .., then closes the handle", async () => {
    const batches = [
      [entry("."), entry(".."), entry("a")],
      [entry("b"), entry("sub", DIR)],
    ];
    const { session, calls } = fakeSession({
      opendir: (...args) => last(args)(undefined, Buffer.from("d")),
      readdir: (...args) => {
        const batch = batches.shift();
        return batch ? last(args)(undefined, batch) : last(args)(status(1, "EOF"));
      },
      close: (...args) => last(args)(undefined),
    });
    const names: string[] = [];
    for await (const item of session.readdir("/dir")) names.push(`${item.name}${item.stats.isDirectory ? "/" : ""}`);
    expect(names).toEqual(["a", "b", "sub/"]);
    expect(calls.map(([name]) => name)).toEqual(["opendir", "readdir", "readdir", "readdir", "close"]);
  });

  it("breaking out of readdir closes the handle without reading further", async () => {
    const { session, calls } = fakeSession({
      opendir: (...args) => last(args)(undefined, Buffer.from("d")),
      readdir: (...args) => last(args)(undefined, [entry("a"), entry("b")]),
      close: (...args) => last(args)(undefined),
    });
    for await (const item of session.readdir("/dir")) if (item.name === "a") break;
    expect(calls.map(([name]) => name)).toEqual(["opendir", "readdir", "close"]);
  });

  it("mkdir recursive creates the missing parents top down, accepts an existing directory, refuses a file in the way", async () => {
    const existing = new Map<string, number>([
      ["/", DIR],
      ["/a", DIR],
      ["/a/file", FILE],
    ]);
    const made: string[] = [];
    const { session } = fakeSession({
      stat: (path: string, cb: Cb) => (existing.has(path) ? cb(undefined, { mode: existing.get(path) }) : cb(status(2))),
      mkdir: (path: string, _attrs: object, cb: Cb) => {
        made.push(path);
        existing.set(path, DIR);
        cb(undefined);
      },
    });
    await session.mkdir("/a/b/c", { recursive: true });
    expect(made).toEqual(["/a/b", "/a/b/c"]);
    await session.mkdir("/a/b/c", { recursive: true });
    expect(made).toHaveLength(2);
    const error = await rejectionOf(session.mkdir("/a/file/x", { recursive: true }), isSftpConnectorError);
    expect(error.reason).toBe("ALREADY_EXISTS");
    expect(error.message).toBe("cannot create directory '/a/file': a file is in the way");
  });

  it("mkdir recursive accepts a directory another client made meanwhile, and rethrows when there is none", async () => {
    let raced = true;
    const { session } = fakeSession({
      stat: (path: string, cb: Cb) => (path === "/" || (path === "/new" && !raced) ? cb(undefined, { mode: DIR }) : cb(status(2))),
      mkdir: (_path: string, _attrs: object, cb: Cb) => {
        raced = false; // someone else created it just before us
        cb(status(4, "Failure"));
      },
    });
    await session.mkdir("/new", { recursive: true });
    const failing = fakeSession({
      stat: (path: string, cb: Cb) => (path === "/" ? cb(undefined, { mode: DIR }) : cb(status(2))),
      mkdir: (_path: string, _attrs: object, cb: Cb) => cb(status(3, "Permission denied")),
    });
    expect((await rejectionOf(failing.session.mkdir("/new", { recursive: true }), isSftpConnectorError)).reason).toBe("PERMISSION_DENIED");
  });

  it("statIfExists is undefined only for NO_SUCH_FILE", async () => {
    const { session } = fakeSession({ stat: (path: string, cb: Cb) => cb(status(path === "/gone" ? 2 : 3)) });
    expect(await session.statIfExists("/gone")).toBeUndefined();
    expect((await rejectionOf(session.statIfExists("/locked"), isSftpConnectorError)).reason).toBe("PERMISSION_DENIED");
  });
});

describe("SftpSession.readChunk, copying (no ssh2 internals, or SFTP_CONNECTOR_COPY_READS=1)", () => {
  const file = Buffer.from("0123456789");
  const reader = (internals?: object) =>
    fakeSession(
      {
        read: (_h: Buffer, buffer: Buffer, offset: number, length: number, position: number, cb: Cb) => {
          const n = position >= file.length ? 0 : file.copy(buffer, offset, position, Math.min(position + length, file.length));
          // As ssh2's read: end of file answers 0 bytes, not an error.
          cb(undefined, Math.max(0, n), buffer, position);
        },
      },
      { internals },
    );

  it("reads into a buffer of its own: whole, short at the end, null past it", async () => {
    const { session } = reader();
    expect((await session.readChunk(Buffer.from("h"), 4, 0))!.toString()).toBe("0123");
    expect((await session.readChunk(Buffer.from("h"), 4, 8))!.toString()).toBe("89");
    expect(await session.readChunk(Buffer.from("h"), 4, 10)).toBeNull();
  });

  it("SFTP_CONNECTOR_COPY_READS=1 copies even when ssh2's internals are there", async () => {
    vi.stubEnv("SFTP_CONNECTOR_COPY_READS", "1");
    const { session, calls } = reader({ _requests: {}, _writeReqid: -1, _maxReadLen: 32_768 });
    expect((await session.readChunk(Buffer.from("h"), 10, 0))!.toString()).toBe("0123456789");
    expect(calls.map(([name]) => name)).toEqual(["read"]);
  });
});

describe("toFileStats", () => {
  it("splits the mode into type and permissions and turns seconds into dates", () => {
    const stats = toFileStats({ mode: 0o120777, size: 12, mtime: 1_700_000_000, atime: 1_600_000_000, uid: 5, gid: 6 } as never);
    expect(stats).toEqual({
      size: 12,
      modifiedAt: new Date(1_700_000_000_000),
      accessedAt: new Date(1_600_000_000_000),
      mode: 0o120777,
      permissions: 0o777,
      uid: 5,
      gid: 6,
      isFile: false,
      isDirectory: false,
      isSymbolicLink: true,
    });
    expect(toFileStats({} as never)).toMatchObject({ size: 0, mode: 0, isFile: false, modifiedAt: new Date(0) });
  });
});
