// walkDirectory over an in-memory tree: streaming, depth and Boomi's descend rule, symlinks and loops, unsafe names, skipped failures, closed handles.
import { describe, expect, it } from "vitest";
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";
import type { FileStats } from "./SftpSession.js";
import { toFilterEntry, walkDirectory, type WalkEntry, type WalkSession } from "./walkDirectory.js";
import type { Logger } from "./Logger.js";

type Node =
  | { kind: "dir"; children: Record<string, Node>; unreadable?: boolean; failWith?: SftpConnectorError["reason"] }
  | { kind: "file"; size?: number }
  | { kind: "link"; target: string }
  | { kind: "fifo" };

const dir = (children: Record<string, Node>, extra: { unreadable?: boolean; failWith?: SftpConnectorError["reason"] } = {}): Node => ({
  kind: "dir",
  children,
  ...extra,
});
const file = (size = 1): Node => ({ kind: "file", size });
const link = (target: string): Node => ({ kind: "link", target });

function statsOf(node: Node): FileStats {
  const type = node.kind === "dir" ? 0o040000 : node.kind === "file" ? 0o100000 : node.kind === "link" ? 0o120000 : 0o010000;
  const mode = type | (node.kind === "dir" ? 0o755 : 0o644);
  return {
    size: node.kind === "file" ? (node.size ?? 1) : node.kind === "dir" ? 4096 : 7,
    modifiedAt: new Date(1_700_000_000_000),
    accessedAt: new Date(1_700_000_000_000),
    mode,
    permissions: mode & 0o7777,
    uid: 1000,
    gid: 1000,
    isFile: node.kind === "file",
    isDirectory: node.kind === "dir",
    isSymbolicLink: node.kind === "link",
  };
}

const noSuchFile = (path: string) => new SftpConnectorError("NO_SUCH_FILE", `no such file: ${path}`, { path });

/** An in-memory server: `stat` follows links, `readdir` yields entries one at a time and counts open handles and pulled entries. */
class FakeSession implements WalkSession {
  closed = false;
  openHandles = 0;
  pulled = 0;
  calls: string[] = [];
  constructor(private readonly root: Node) {}

  /** Resolves a path to its real path and node, following links (at most 40 hops). */
  private resolve(path: string, hops = 0): { real: string; node: Node } {
    if (hops > 40) throw new SftpConnectorError("FAILURE", `too many links: ${path}`, { path });
    const parts = path.split("/").filter(Boolean);
    let node: Node = this.root;
    let real: string[] = [];
    for (const part of parts) {
      if (part === "..") {
        real = real.slice(0, -1);
        node = this.nodeAt(real);
        continue;
      }
      if (node.kind !== "dir") throw noSuchFile(path);
      const child: Node | undefined = node.children[part];
      if (!child) throw noSuchFile(path);
      if (child.kind === "link") {
        const target = child.target.startsWith("/") ? child.target : `/${[...real, child.target].join("/")}`;
        const resolved = this.resolve(target, hops + 1);
        real = resolved.real.split("/").filter(Boolean);
        node = resolved.node;
      } else {
        real.push(part);
        node = child;
      }
    }
    return { real: `/${real.join("/")}`, node };
  }

  private nodeAt(parts: string[]): Node {
    let node = this.root;
    for (const part of parts) node = (node as { children: Record<string, Node> }).children[part]!;
    return node;
  }

  async stat(path: string): Promise<FileStats> {
    this.calls.push(`stat ${path}`);
    return statsOf(this.resolve(path).node);
  }

  async realpath(path: string): Promise<string> {
    this.calls.push(`realpath ${path}`);
    return this.resolve(path).real;
  }

  readdir(path: string): AsyncIterableIterator<{ name: string; longname: string; stats: FileStats }> {
    this.calls.push(`readdir ${path}`);
    const self = this;
    return (async function* () {
      const { node } = self.resolve(path);
      if (node.kind !== "dir") throw new SftpConnectorError("FAILURE", `not a directory: ${path}`, { path });
      if (node.unreadable) throw new SftpConnectorError("PERMISSION_DENIED", `permission denied: opendir ${path}`, { path });
      self.openHandles += 1;
      try {
        for (const [name, child] of Object.entries(node.children)) {
          if (node.failWith) throw new SftpConnectorError(node.failWith, `readdir ${path} failed`, { path });
          self.pulled += 1;
          yield { name, longname: name, stats: statsOf(child) };
        }
      } finally {
        self.openHandles -= 1;
      }
    })();
  }
}

async function walk(session: WalkSession, directory: string, options: Parameters<typeof walkDirectory>[2] = {}): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  for await (const entry of walkDirectory(session, directory, options)) out.push(entry);
  return out;
}

const rel = (entries: WalkEntry[]) => entries.map((e) => e.relativePath);

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} };
}

const tree = () =>
  new FakeSession(
    dir({
      data: dir({
        "a.txt": file(5),
        sub: dir({ "b.txt": file(), deeper: dir({ "c.txt": file(), deepest: dir({ "d.txt": file() }) }) }),
        other: dir({ "e.txt": file() }),
        "z.txt": file(),
      }),
    }),
  );

describe("walkDirectory", () => {
  it("lists one directory by default, in server order, with relative paths, directories and stats", async () => {
    const entries = await walk(tree(), "/data");
    expect(rel(entries)).toEqual(["a.txt", "sub", "other", "z.txt"]);
    expect(entries[0]).toMatchObject({ name: "a.txt", relativePath: "a.txt", directory: "/data", path: "/data/a.txt", depth: 0, isSymbolicLink: false });
    expect(entries[0]!.stats.size).toBe(5);
    expect(entries[1]!.stats.isDirectory).toBe(true);
  });

  it("descends depth first down to `depth` (Infinity: the whole tree)", async () => {
    expect(rel(await walk(tree(), "/data", { depth: 1 }))).toEqual(["a.txt", "sub", "sub/b.txt", "sub/deeper", "other", "other/e.txt", "z.txt"]);
    expect(rel(await walk(tree(), "/data", { depth: 2 }))).toEqual([
      "a.txt",
      "sub",
      "sub/b.txt",
      "sub/deeper",
      "sub/deeper/c.txt",
      "sub/deeper/deepest",
      "other",
      "other/e.txt",
      "z.txt",
    ]);
    const all = await walk(tree(), "/data/", { depth: Infinity });
    expect(all.at(-1)).toMatchObject({ relativePath: "z.txt", directory: "/data" });
    expect(all.find((e) => e.name === "d.txt")).toMatchObject({ directory: "/data/sub/deeper/deepest", path: "/data/sub/deeper/deepest/d.txt", depth: 3 });
  });

  it("descends only into directories that passed the filter (Boomi), unless `descend` says otherwise", async () => {
    const filter = (e: WalkEntry) => e.name !== "other";
    expect(rel(await walk(tree(), "/data", { depth: 1, filter }))).toEqual(["a.txt", "sub", "sub/b.txt", "sub/deeper", "z.txt"]);
    const txt = (e: WalkEntry) => e.name.endsWith(".txt");
    expect(rel(await walk(tree(), "/data", { depth: 1, filter: txt }))).toEqual(["a.txt", "z.txt"]);
    expect(rel(await walk(tree(), "/data", { depth: 1, filter: txt, descend: () => true }))).toEqual(["a.txt", "sub/b.txt", "other/e.txt", "z.txt"]);
    expect(rel(await walk(tree(), "/data", { depth: 1, includeDirectories: false }))).toEqual(["a.txt", "sub/b.txt", "other/e.txt", "z.txt"]);
  });

  it("streams: pulls entries from the server only as the consumer asks, and closes every handle on early exit", async () => {
    const children: Record<string, Node> = {};
    for (let i = 0; i < 10_000; i += 1) children[`f${i}`] = file();
    const session = new FakeSession(dir({ big: dir({ sub: dir(children), ...children }) }));
    const walker = walkDirectory(session, "/big", { depth: 1 });
    const first = await walker.next();
    expect(first.value?.relativePath).toBe("sub");
    const second = await walker.next();
    expect(second.value?.relativePath).toBe("sub/f0");
    expect(session.pulled).toBeLessThanOrEqual(2);
    expect(session.openHandles).toBe(2);
    await walker.return();
    expect(session.openHandles).toBe(0);
  });

  it("skips unsafe names with a warning", async () => {
    const logger = recordingLogger();
    const session = new FakeSession(
      dir({ d: dir({ ok: file(), "a\nb": file(), "x/y": file(), "nul\0": file(), "del\u007f": file(), ".": dir({}), "..": dir({}) }) }),
    );
    expect(rel(await walk(session, "/d", { logger }))).toEqual(["ok"]);
    expect(logger.warnings).toHaveLength(6);
    expect(logger.warnings[0]).toContain('"a\\nb"');
  });

  it("skips C1 control characters too, and its warnings carry no raw control character (JSON leaves DEL and C1 raw)", async () => {
    const logger = recordingLogger();
    const session = new FakeSession(dir({ d: dir({ ok: file(), "csi\u009b2J": file(), "del\u007f": file(), "nbsp\u00a0": file() }) }));
    expect(rel(await walk(session, "/d", { logger }))).toEqual(["ok", "nbsp\u00a0"]);
    expect(logger.warnings).toHaveLength(2);
    for (const warning of logger.warnings) expect(warning).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(logger.warnings.join(" ")).toContain('"csi\\u009b2J"');
  });

  describe("symbolic links", () => {
    const linked = () =>
      new FakeSession(
        dir({
          d: dir({ "f.txt": file(3), "to-f": link("f.txt"), "to-sub": link("sub"), sub: dir({ "g.txt": file() }), broken: link("nowhere"), up: link("..") }),
        }),
      );

    it("are skipped unless followed", async () => {
      expect(rel(await walk(linked(), "/d", { depth: 1 }))).toEqual(["f.txt", "sub", "sub/g.txt"]);
    });

    it("followed: stat'ed as their targets, linked directories descended, broken ones reported, loops refused", async () => {
      const errors: SftpConnectorError[] = [];
      const entries = await walk(linked(), "/d", { depth: 3, followSymlinks: true, onError: (e) => errors.push(e) });
      expect(rel(entries)).toEqual(["f.txt", "to-f", "to-sub", "to-sub/g.txt", "sub", "sub/g.txt", "up", "up/d"]);
      // "up" points to "/", an ancestor: descended (it is not on the path yet); "up/d" is /d again: listed, not descended (a loop)
      expect(entries.find((e) => e.relativePath === "to-f")).toMatchObject({ isSymbolicLink: true });
      expect(entries.find((e) => e.relativePath === "to-f")!.stats).toMatchObject({ isFile: true, size: 3, isSymbolicLink: false });
      expect(errors.map((e) => [e.path, e.reason])).toEqual([
        ["/d/broken", "NO_SUCH_FILE"],
        ["/d/up/d", "FAILURE"],
      ]);
      expect(errors[1]!.message).toContain("symbolic link loop");
    });

    it("a link to itself or to its own directory ends (depth Infinity)", async () => {
      const errors: SftpConnectorError[] = [];
      const session = new FakeSession(dir({ d: dir({ self: link("/d"), inner: dir({ back: link("..") }) }) }));
      expect(rel(await walk(session, "/d", { depth: Infinity, followSymlinks: true, onError: (e) => errors.push(e) }))).toEqual([
        "self",
        "inner",
        "inner/back",
      ]);
      expect(errors.map((e) => e.path)).toEqual(["/d/self", "/d/inner/back"]);
    });
  });

  describe("failures", () => {
    it("a missing directory, or a file, is NO_SUCH_FILE 'Remote directory does not exist'", async () => {
      const missing = await walk(tree(), "/nope").catch((e: unknown) => e);
      expect(isSftpConnectorError(missing) && [missing.reason, missing.message, missing.path]).toEqual([
        "NO_SUCH_FILE",
        "Remote directory does not exist: '/nope'",
        "/nope",
      ]);
      const notDir = await walk(tree(), "/data/a.txt").catch((e: unknown) => e);
      expect(isSftpConnectorError(notDir) && [notDir.reason, notDir.message]).toEqual([
        "NO_SUCH_FILE",
        "Remote directory does not exist: '/data/a.txt' is not a directory",
      ]);
    });

    it("refuses a relative directory and a bad depth at once, before any request", () => {
      const session = tree();
      expect(() => walkDirectory(session, "data")).toThrow(/directory: expected an absolute remote path/);
      expect(() => walkDirectory(session, "/data", { depth: -1 })).toThrow(/depth: expected a whole number/);
      expect(() => walkDirectory(session, "/data", { depth: 0.5 })).toThrow(/depth/);
      expect(session.calls).toEqual([]);
    });

    it("skips a sub-directory it cannot read, reporting it; the listed directory itself is an error", async () => {
      const session = new FakeSession(dir({ d: dir({ locked: dir({ x: file() }, { unreadable: true }), open: dir({ y: file() }) }) }));
      const errors: SftpConnectorError[] = [];
      expect(rel(await walk(session, "/d", { depth: 1, onError: (e) => errors.push(e) }))).toEqual(["locked", "open", "open/y"]);
      expect(errors.map((e) => [e.reason, e.path])).toEqual([["PERMISSION_DENIED", "/d/locked"]]);
      const logger = recordingLogger();
      await walk(session, "/d", { depth: 1, logger });
      expect(logger.warnings).toEqual([expect.stringContaining("cannot read sub-directory '/d/locked'")]);
      await expect(walk(session, "/d/locked")).rejects.toMatchObject({ reason: "PERMISSION_DENIED" });
    });

    it("ends the walk when onError throws, and on connection failures (never skipped)", async () => {
      const session = new FakeSession(dir({ d: dir({ locked: dir({}, { unreadable: true }), after: file() }) }));
      await expect(
        walk(session, "/d", {
          depth: 1,
          onError: (e) => {
            throw e;
          },
        }),
      ).rejects.toMatchObject({ reason: "PERMISSION_DENIED" });
      const lost = new FakeSession(dir({ d: dir({ sub: dir({ x: file() }, { failWith: "CONNECTION_LOST" }), after: file() }) }));
      const errors: unknown[] = [];
      await expect(walk(lost, "/d", { depth: 1, onError: (e) => errors.push(e) })).rejects.toMatchObject({ reason: "CONNECTION_LOST" });
      expect(errors).toEqual([]);
      expect(lost.openHandles).toBe(0);
    });

    it("stops at the next directory read once its signal fires: ABORTED naming the walked directory, handles closed, never skipped", async () => {
      const session = tree();
      const controller = new AbortController();
      const reason = new Error("stop");
      const errors: unknown[] = [];
      const seen: string[] = [];
      const walking = (async () => {
        for await (const entry of walkDirectory(session, "/data", {
          depth: Infinity,
          signal: controller.signal,
          onError: (e) => errors.push(e),
          operation: "list",
        })) {
          seen.push(entry.relativePath);
          if (entry.relativePath === "sub") controller.abort(reason);
        }
      })();
      await expect(walking).rejects.toMatchObject({ reason: "ABORTED", message: "list of '/data' aborted", path: "/data", retryable: false, cause: reason });
      expect(seen).toEqual(["a.txt", "sub"]);
      expect(session.calls.filter((call) => call.startsWith("readdir"))).toEqual(["readdir /data"]);
      expect(session.openHandles).toBe(0);
      expect(errors).toEqual([]);

      const before = tree();
      await expect(walk(before, "/data", { signal: AbortSignal.abort() })).rejects.toMatchObject({ reason: "ABORTED" });
      expect(before.calls).toEqual([]);
    });

    it("walks the root directory without doubled slashes", async () => {
      const session = new FakeSession(dir({ etc: dir({ hosts: file() }), "x.txt": file() }));
      const entries = await walk(session, "/", { depth: 1 });
      expect(entries.map((e) => e.path)).toEqual(["/etc", "/etc/hosts", "/x.txt"]);
      expect(entries.map((e) => e.directory)).toEqual(["/", "/etc", "/"]);
    });
  });
});

describe("toFilterEntry", () => {
  it("gives a filter the entry's name, relative path, size, mtime and type", () => {
    const entry: WalkEntry = {
      name: "a.csv",
      relativePath: "in/a.csv",
      directory: "/data/in",
      path: "/data/in/a.csv",
      stats: statsOf(file(42)),
      isSymbolicLink: false,
      depth: 1,
    };
    expect(toFilterEntry(entry)).toEqual({ name: "a.csv", relativePath: "in/a.csv", size: 42, mtime: new Date(1_700_000_000_000), isDirectory: false });
    expect(toFilterEntry({ ...entry, stats: statsOf(dir({})) }).isDirectory).toBe(true);
  });
});
