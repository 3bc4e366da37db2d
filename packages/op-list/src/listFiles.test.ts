// listFiles over a fake session: option validation before any request, the entry JSON, count, Boomi's recursion rule, and a provider's retry before the first entry.
import { describe, expect, it } from "vitest";
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";
import type { FileStats, SessionProvider, SftpSession } from "@sftp-connector/transport";
import { listFiles, type ListEntry, type ListOptions } from "./index.js";

const stats = (kind: "file" | "dir" | "link", size = 0, mtime = Date.UTC(2023, 2, 23, 12, 8, 56, 789)): FileStats => {
  const type = kind === "dir" ? 0o040000 : kind === "link" ? 0o120000 : 0o100000;
  return {
    size,
    modifiedAt: new Date(mtime),
    accessedAt: new Date(mtime),
    mode: type | 0o640,
    permissions: 0o640,
    uid: 1,
    gid: 1,
    isFile: kind === "file",
    isDirectory: kind === "dir",
    isSymbolicLink: kind === "link",
  };
};

/** /home/u/in: a.txt (10 B), logs/ (x.log, deep/ (y.log)), l -> a.txt; calls are recorded; `failures` makes the next readdir calls fail. */
function fakeSession(failures: SftpConnectorError[] = []): SftpSession & { calls: string[] } {
  const dirs: Record<string, [string, FileStats][]> = {
    "/home/u/in": [
      ["a.txt", stats("file", 10)],
      ["logs", stats("dir", 4096)],
      ["l", stats("link", 5)],
    ],
    "/home/u/in/logs": [
      ["x.log", stats("file", 3)],
      ["deep", stats("dir", 4096)],
    ],
    "/home/u/in/logs/deep": [["y.log", stats("file", 4)]],
  };
  const calls: string[] = [];
  const session = {
    calls,
    closed: false,
    info: { homeDirectory: "/home/u", remoteDirectory: "in" },
    resolveDirectory(perCall?: string) {
      calls.push("resolveDirectory");
      const chosen = perCall?.trim() || "in";
      return chosen.startsWith("/") ? chosen : `/home/u/${chosen}`;
    },
    async stat(path: string) {
      calls.push(`stat ${path}`);
      if (dirs[path]) return stats("dir", 4096);
      throw new SftpConnectorError("NO_SUCH_FILE", `no such file ${path}`, { path });
    },
    async realpath(path: string) {
      return path;
    },
    readdir(path: string) {
      calls.push(`readdir ${path}`);
      return (async function* () {
        const failure = failures.shift();
        if (failure) throw failure;
        for (const [name, s] of dirs[path] ?? []) yield { name, longname: name, stats: s };
      })();
    },
  };
  return session as unknown as SftpSession & { calls: string[] };
}

async function list(session: SftpSession | SessionProvider, options: ListOptions = {}, remoteDirectory?: string): Promise<ListEntry[]> {
  const out: ListEntry[] = [];
  for await (const entry of listFiles(session, remoteDirectory === undefined ? {} : { remoteDirectory }, options)) out.push(entry);
  return out;
}

describe("listFiles", () => {
  it("lists the connection's directory as Boomi's JSON (dates in whole seconds, UTC), links skipped", async () => {
    const entries = await list(fakeSession());
    expect(entries).toEqual([
      {
        fileName: "a.txt",
        directory: "/home/u/in",
        modifiedDate: "2023-03-23T12:08:56Z",
        fileSize: 10,
        isDirectory: false,
        permissions: "rw-r-----",
        isSymbolicLink: false,
      },
      {
        fileName: "logs",
        directory: "/home/u/in",
        modifiedDate: "2023-03-23T12:08:56Z",
        fileSize: 4096,
        isDirectory: true,
        permissions: "rw-r-----",
        isSymbolicLink: false,
      },
    ]);
  });

  it("recursive is one level; depth more; count stops the walk", async () => {
    const names = (e: ListEntry[]) => e.map((x) => `${x.directory}/${x.fileName}`);
    expect(names(await list(fakeSession(), { recursive: true }))).toEqual([
      "/home/u/in/a.txt",
      "/home/u/in/logs",
      "/home/u/in/logs/x.log",
      "/home/u/in/logs/deep",
    ]);
    expect(names(await list(fakeSession(), { depth: 2 }))).toContain("/home/u/in/logs/deep/y.log");
    const session = fakeSession();
    expect(names(await list(session, { depth: 2, count: 2 }))).toEqual(["/home/u/in/a.txt", "/home/u/in/logs"]);
    expect(session.calls.filter((c) => c.startsWith("readdir"))).toEqual(["readdir /home/u/in"]);
  });

  it("descends only into directories that pass the filter unless recurseInto: all", async () => {
    expect((await list(fakeSession(), { recursive: true, filter: 'fileName ~ "*.log"' })).map((e) => e.fileName)).toEqual([]);
    expect((await list(fakeSession(), { recursive: true, recurseInto: "all", filter: 'fileName ~ "*/*.log"' })).map((e) => e.fileName)).toEqual(["x.log"]);
  });

  it.each([
    [{ count: 0 }, "count: Limit must be positive or -1 (given: 0)"],
    [{ count: "5" }, 'count: expected a whole number, got "5"'],
    [{ recursive: "yes" }, 'recursive: expected true or false, got "yes"'],
    [{ followSymlinks: 1 }, "followSymlinks: expected true or false, got 1"],
    [{ includeTemporaryFiles: "yes" }, 'includeTemporaryFiles: expected true or false, got "yes"'],
    [{ depth: Number.NaN }, "depth: expected a whole number of at least 0 or Infinity, got NaN"],
    [{ onError: "ignore" }, 'onError: expected "skip", "fail" or a function, got "ignore"'],
    [{ retry: { attempts: -1 } }, "retry.attempts: expected a whole number of at least 0, got -1"],
    [
      { filter: { and: [{ field: "isDirectory", operator: "GREATER_THAN", argument: "true" }] } },
      "filter.and[0].operator: isDirectory supports only EQUALS and NOT_EQUALS",
    ],
    [{ filter: { field: "fileName", operator: "EQUALS", arguments: ["a", "b"] } }, "There should be exactly one argument. '2' given."],
  ])("refuses %j at once, before any request", (options, message) => {
    const session = fakeSession();
    let thrown: unknown;
    try {
      listFiles(session, {}, options as ListOptions);
    } catch (error) {
      thrown = error;
    }
    expect(isSftpConnectorError(thrown) && thrown.reason).toBe("INVALID_INPUT");
    expect((thrown as Error).message).toContain(message);
    expect(session.calls).toEqual([]);
  });

  it("refuses a remoteDirectory with NUL before any request", () => {
    const session = fakeSession();
    expect(() => listFiles(session, { remoteDirectory: "a\0" })).toThrow(/remoteDirectory: expected a path without NUL/);
    expect(session.calls).toEqual([]);
  });

  describe("with a provider", () => {
    function provider(sessions: SftpSession[]): SessionProvider & { released: { broken: boolean }[] } {
      const released: { broken: boolean }[] = [];
      return {
        released,
        async acquire() {
          const next = sessions.shift();
          if (!next) throw new Error("no more sessions");
          return next;
        },
        release(_session, options) {
          released.push({ broken: options?.broken ?? false });
        },
      };
    }

    it("starts again on a fresh session when the connection fails before the first entry", async () => {
      const lost = new SftpConnectorError("CONNECTION_LOST", "gone");
      const pool = provider([fakeSession([lost]), fakeSession()]);
      expect((await list(pool, { retry: { attempts: 1, backoffMs: 0 } })).map((e) => e.fileName)).toEqual(["a.txt", "logs"]);
      expect(pool.released).toEqual([{ broken: true }, { broken: false }]);
    });

    it("does not retry other failures, nor beyond attempts", async () => {
      const denied = new SftpConnectorError("PERMISSION_DENIED", "no");
      const pool = provider([fakeSession([denied]), fakeSession()]);
      await expect(list(pool, { retry: { attempts: 3, backoffMs: 0 } })).rejects.toBe(denied);
      expect(pool.released).toEqual([{ broken: false }]);
      const lost = () => new SftpConnectorError("CONNECTION_LOST", "gone");
      const flaky = provider([fakeSession([lost()]), fakeSession([lost()]), fakeSession()]);
      await expect(list(flaky, { retry: { attempts: 1, backoffMs: 0 } })).rejects.toMatchObject({ reason: "CONNECTION_LOST" });
      expect(flaky.released).toHaveLength(2);
    });

    it("never restarts once an entry was returned (it would repeat entries)", async () => {
      const lost = new SftpConnectorError("CONNECTION_LOST", "gone");
      const pool = provider([fakeSession([undefined as unknown as SftpConnectorError, lost]), fakeSession()]);
      const got: string[] = [];
      await expect(
        (async () => {
          for await (const entry of listFiles(pool, {}, { recursive: true, retry: { attempts: 1, backoffMs: 0 } })) got.push(entry.fileName);
        })(),
      ).rejects.toBe(lost);
      expect(got).toEqual(["a.txt", "logs"]);
      expect(pool.released).toEqual([{ broken: true }]);
    });
  });
});

describe("listFiles: strict options and Boomi's names", () => {
  const refusal = (options: unknown, input: unknown = {}) => {
    try {
      listFiles(fakeSession(), input as never, options as ListOptions);
    } catch (error) {
      if (isSftpConnectorError(error) && error.reason === "INVALID_INPUT") return error;
      throw error;
    }
    throw new Error("expected INVALID_INPUT at the call");
  };

  it("refuses an unknown option or input field at the call, naming the closest known one", () => {
    expect(refusal({ recursve: true }).message).toBe('Invalid list request: unknown option "recursve"; did you mean "recursive"?');
    expect(refusal({ followSymLinks: true }).problems).toEqual(['unknown option "followSymLinks"; did you mean "followSymlinks"?']);
    expect(refusal({ includeAllMetadata: true }).problems).toEqual(['unknown option "includeAllMetadata"']);
    expect(refusal({}, { directory: "in" }).problems).toEqual(['unknown input field "directory"; did you mean "remoteDirectory"?']);
  });

  it("recursiveList (Boomi's id) lists what recursive lists", async () => {
    const ours = await list(fakeSession(), { recursive: true });
    expect(ours.map((e) => e.fileName)).toEqual(["a.txt", "logs", "x.log", "deep"]);
    expect(await list(fakeSession(), { recursiveList: true })).toEqual(ours);
    expect(await list(fakeSession(), { recursiveList: false })).toEqual(await list(fakeSession(), { recursive: false }));
    expect(await list(fakeSession(), { recursiveList: true, recursive: true })).toEqual(ours);
  });

  it("refuses recursiveList and recursive with different values", () => {
    expect(refusal({ recursiveList: true, recursive: false }).problems).toEqual([
      '"recursiveList" and "recursive" name the same option, "recursive", with different values (true and false); give one',
    ]);
  });

  it("accepts every documented option, also set to undefined", async () => {
    const options = {
      count: undefined,
      recursive: undefined,
      recursiveList: undefined,
      depth: undefined,
      recurseInto: undefined,
      filter: undefined,
      followSymlinks: undefined,
      includeTemporaryFiles: undefined,
      onError: undefined,
      retry: undefined,
      logger: undefined,
      signal: undefined,
    } satisfies Required<{ [K in keyof ListOptions]: unknown }>;
    expect(await list(fakeSession(), options)).toHaveLength(2);
  });
});
