// listFiles against the real OpenSSH testbed: every option, Boomi's recursion and filter rules, symlinks, odd names, errors, and flat memory over 100 000 entries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { recordCalls, rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError, type ConnectionConfig, type SftpConnectorError } from "@sftp-connector/core";
import { openSession, SessionPool, type Logger, type SftpSession } from "@sftp-connector/transport";
import { listFiles, type ListEntry, type ListInput, type ListOptions } from "./index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let testbed: Testbed;
let session: SftpSession;
let home: string;
const as = { user: "tester" };

const config = (extra: Partial<ConnectionConfig> = {}): ConnectionConfig => testbed.connectionConfig({ hostKey: "fingerprint", extra });

const UNICODE = "ünïcødé ✓ 日本.txt";

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  // The fixture tree (mtimes pinned, modes pinned):
  //   list/ a.txt(5 B, 2020) b.csv(1000 B) big.bin(100000 B) "with space.txt" UNICODE .hidden
  //         sub/ c.txt  sub/deeper/ d.txt  sub/deeper/deepest/ e.txt   other/ f.txt
  //         link-a -> a.txt   link-sub -> sub   broken -> nowhere
  await testbed.exec(
    [
      "set -e",
      `cd ${home} && mkdir -p list/sub/deeper/deepest list/other && cd list`,
      "printf hello > a.txt && head -c 1000 /dev/zero > b.csv && head -c 100000 /dev/zero > big.bin",
      `printf x > 'with space.txt' && printf y > '${UNICODE}' && printf z > .hidden`,
      "printf c > sub/c.txt && printf d > sub/deeper/d.txt && printf e > sub/deeper/deepest/e.txt && printf f > other/f.txt",
      "ln -s a.txt link-a && ln -s sub link-sub && ln -s nowhere broken",
      "chmod 644 a.txt b.csv big.bin && chmod 755 sub other && chmod 4750 big.bin",
      "touch -d '2020-01-01T00:00:00Z' a.txt && touch -d '2022-06-15T12:30:45Z' b.csv big.bin 'with space.txt' .hidden",
      `touch -d '2024-02-29T23:59:59Z' '${UNICODE}' sub/c.txt other/f.txt`,
    ].join("\n"),
    as,
  );
  session = await openSession(config());
});

afterAll(async () => {
  await session?.close();
  await testbed?.stop();
});

async function list(input: ListInput, options: ListOptions = {}): Promise<ListEntry[]> {
  const out: ListEntry[] = [];
  for await (const entry of listFiles(session, input, options)) out.push(entry);
  return out;
}

/** Paths relative to the listed directory, sorted. */
function paths(entries: ListEntry[], base = `${home}/list`): string[] {
  return entries.map((e) => (e.directory === base ? e.fileName : `${e.directory.slice(base.length + 1)}/${e.fileName}`)).sort();
}

const rejection = (run: () => Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(run, isSftpConnectorError);

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} };
}

describe("listing one directory", () => {
  it("lists every entry but links, . and ..; in Boomi's JSON plus permissions and isSymbolicLink", async () => {
    const entries = await list({ remoteDirectory: "list" });
    expect(paths(entries)).toEqual([".hidden", "a.txt", "b.csv", "big.bin", "other", "sub", UNICODE, "with space.txt"].sort());
    const a = entries.find((e) => e.fileName === "a.txt");
    expect(a).toEqual({
      fileName: "a.txt",
      directory: `${home}/list`,
      modifiedDate: "2020-01-01T00:00:00Z",
      fileSize: 5,
      isDirectory: false,
      permissions: "rw-r--r--",
      isSymbolicLink: false,
    });
    expect(JSON.stringify(a)).toBe(
      `{"fileName":"a.txt","directory":"${home}/list","modifiedDate":"2020-01-01T00:00:00Z","fileSize":5,"isDirectory":false,"permissions":"rw-r--r--","isSymbolicLink":false}`,
    );
    expect(entries.find((e) => e.fileName === "big.bin")).toMatchObject({ fileSize: 100_000, permissions: "rwsr-x---", modifiedDate: "2022-06-15T12:30:45Z" });
    expect(entries.find((e) => e.fileName === "sub")).toMatchObject({ isDirectory: true, permissions: "rwxr-xr-x", directory: `${home}/list` });
  });

  it("keeps Unicode and space-containing names exactly", async () => {
    const entries = await list(
      { remoteDirectory: "list" },
      {
        filter: {
          or: [
            { field: "fileName", operator: "EQUALS", argument: UNICODE },
            { field: "fileName", operator: "WILDCARD", argument: "* *" },
          ],
        },
      },
    );
    expect(entries.map((e) => e.fileName).sort()).toEqual([UNICODE, "with space.txt"].sort());
    expect(entries.find((e) => e.fileName === UNICODE)).toMatchObject({ fileSize: 1, modifiedDate: "2024-02-29T23:59:59Z" });
  });

  it("resolves the directory as Boomi: per call, relative to home, else the connection's, else home", async () => {
    expect(paths(await list({ remoteDirectory: `${home}/list/sub` }), `${home}/list/sub`)).toEqual(["c.txt", "deeper"]);
    expect(paths(await list({ remoteDirectory: "list/other" }), `${home}/list/other`)).toEqual(["f.txt"]);
    const homeListing = await list({});
    expect(homeListing.map((e) => e.fileName)).toContain("list");
    expect(homeListing.every((e) => e.directory === home)).toBe(true);
    const other = await openSession(config({ remoteDirectory: "list/sub" }));
    try {
      const names: string[] = [];
      for await (const entry of listFiles(other)) names.push(entry.fileName);
      expect(names.sort()).toEqual(["c.txt", "deeper"]);
      const overridden: string[] = [];
      for await (const entry of listFiles(other, { remoteDirectory: "list/other" })) overridden.push(entry.fileName);
      expect(overridden).toEqual(["f.txt"]);
    } finally {
      await other.close();
    }
  });

  it("fails with NO_SUCH_FILE 'Remote directory does not exist' naming a missing directory (or a file)", async () => {
    const missing = await rejection(() => list({ remoteDirectory: "nope/none" }));
    expect(missing.reason).toBe("NO_SUCH_FILE");
    expect(missing.message).toBe(`Remote directory does not exist: '${home}/nope/none'`);
    expect(missing.path).toBe(`${home}/nope/none`);
    const file = await rejection(() => list({ remoteDirectory: "list/a.txt" }));
    expect(file.reason).toBe("NO_SUCH_FILE");
    expect(file.message).toContain("Remote directory does not exist");
  });
});

describe("recursion", () => {
  it("recursive goes one level deeper (Boomi); depth 2 two levels; Infinity the whole tree", async () => {
    const one = paths(await list({ remoteDirectory: "list" }, { recursive: true }));
    expect(one).toEqual([".hidden", "a.txt", "b.csv", "big.bin", "other", "other/f.txt", "sub", "sub/c.txt", "sub/deeper", UNICODE, "with space.txt"].sort());
    const two = paths(await list({ remoteDirectory: "list" }, { depth: 2 }));
    expect(two).toEqual([...one, "sub/deeper/d.txt", "sub/deeper/deepest"].sort());
    const all = paths(await list({ remoteDirectory: "list" }, { depth: Infinity }));
    expect(all).toEqual([...one, "sub/deeper/d.txt", "sub/deeper/deepest", "sub/deeper/deepest/e.txt"].sort());
    // depth wins over recursive
    expect(paths(await list({ remoteDirectory: "list" }, { recursive: true, depth: 0 }))).not.toContain("sub/c.txt");
  });

  it("recursiveList (Boomi's id) lists the sub-directories as recursive does, through a pool too; a misspelt option is refused", async () => {
    const flat = paths(await list({ remoteDirectory: "list" }));
    expect(flat).not.toContain("sub/c.txt");
    const boomi = paths(await list({ remoteDirectory: "list" }, { recursiveList: true }));
    expect(boomi).toContain("sub/c.txt");
    expect(boomi).toEqual(paths(await list({ remoteDirectory: "list" }, { recursive: true })));
    const pool = new SessionPool(config());
    try {
      const pooled: ListEntry[] = [];
      for await (const entry of listFiles(pool, { remoteDirectory: "list" }, { recursiveList: true })) pooled.push(entry);
      expect(paths(pooled)).toEqual(boomi);
      expect(() => listFiles(pool, {}, { recursiveLst: true } as ListOptions)).toThrow('unknown option "recursiveLst"; did you mean "recursiveList"?');
    } finally {
      await pool.close();
    }
  });

  it("reports each entry's own directory and lists a sub-directory's entries right after it", async () => {
    const entries = await list({ remoteDirectory: "list" }, { depth: 2 });
    const c = entries.find((e) => e.fileName === "c.txt");
    expect(c?.directory).toBe(`${home}/list/sub`);
    expect(entries.find((e) => e.fileName === "d.txt")?.directory).toBe(`${home}/list/sub/deeper`);
    const at = (name: string) => entries.findIndex((e) => e.fileName === name);
    expect(at("c.txt")).toBeGreaterThan(at("sub"));
    expect(at("d.txt")).toBeGreaterThan(at("deeper"));
    // depth first: the five entries from "sub" on are sub's whole subtree (down to depth 2)
    const subtree = entries
      .slice(at("sub"), at("sub") + 5)
      .map((e) => e.fileName)
      .sort();
    expect(subtree).toEqual(["c.txt", "d.txt", "deeper", "deepest", "sub"]);
  });

  it("descends only into directories that passed the filter (Boomi), or into all with recurseInto: all", async () => {
    const matching = paths(await list({ remoteDirectory: "list" }, { recursive: true, filter: 'fileName = "sub" or fileName ~ "sub/*"' }));
    expect(matching).toEqual(["sub", "sub/c.txt", "sub/deeper"]);
    // *.txt does not match sub/c.txt (a glob * never crosses "/"), and "sub" itself fails it: nothing below
    expect(paths(await list({ remoteDirectory: "list" }, { recursive: true, filter: 'fileName ~ "*.txt"' }))).toEqual(
      ["a.txt", UNICODE, "with space.txt"].sort(),
    );
    expect(paths(await list({ remoteDirectory: "list" }, { recursive: true, recurseInto: "all", filter: 'fileName ~ "*/*.txt"' }))).toEqual([
      "other/f.txt",
      "sub/c.txt",
    ]);
    expect(paths(await list({ remoteDirectory: "list" }, { depth: 3, recurseInto: "all", filter: 'fileName ~ "**.txt"' }))).toEqual(
      ["a.txt", "other/f.txt", "sub/c.txt", "sub/deeper/d.txt", "sub/deeper/deepest/e.txt", UNICODE, "with space.txt"].sort(),
    );
  });

  it("skips a sub-directory it cannot read (Boomi), reports it, or fails with onError: fail", async () => {
    await testbed.exec(
      `mkdir -p ${home}/locked/closed ${home}/locked/open && touch ${home}/locked/open/x ${home}/locked/closed/y && chmod 000 ${home}/locked/closed`,
      as,
    );
    const errors: SftpConnectorError[] = [];
    const logger = recordingLogger();
    expect(paths(await list({ remoteDirectory: "locked" }, { recursive: true, onError: (e) => errors.push(e) }), `${home}/locked`)).toEqual([
      "closed",
      "open",
      "open/x",
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.reason).toBe("PERMISSION_DENIED");
    expect(errors[0]!.path).toBe(`${home}/locked/closed`);
    expect(errors[0]!.message).toContain(`cannot read sub-directory '${home}/locked/closed'`);
    // default: skip with a warning
    expect(paths(await list({ remoteDirectory: "locked" }, { recursive: true, logger }), `${home}/locked`)).toEqual(["closed", "open", "open/x"]);
    expect(logger.warnings.some((w) => w.includes(`${home}/locked/closed`))).toBe(true);
    const failed = await rejection(() => list({ remoteDirectory: "locked" }, { recursive: true, onError: "fail" }));
    expect(failed.reason).toBe("PERMISSION_DENIED");
    expect(failed.path).toBe(`${home}/locked/closed`);
    // The listed directory itself unreadable: always an error
    const base = await rejection(() => list({ remoteDirectory: "locked/closed" }));
    expect(base.reason).toBe("PERMISSION_DENIED");
  });
});

describe("filters", () => {
  const names = async (options: ListOptions) => paths(await list({ remoteDirectory: "list" }, options));

  it("wildcard and regex match the whole name", async () => {
    expect(await names({ filter: { field: "fileName", operator: "WILDCARD", argument: "*.csv" } })).toEqual(["b.csv"]);
    expect(await names({ filter: { field: "fileName", operator: "WILDCARD", argument: "?.txt" } })).toEqual(["a.txt"]);
    expect(await names({ filter: { field: "fileName", operator: "REGEX", argument: "b.*" } })).toEqual(["b.csv", "big.bin"]);
    expect(await names({ filter: { field: "fileName", operator: "REGEX", argument: "b" } })).toEqual([]);
    expect(await names({ filter: { field: "fileName", operator: "REGEX", arguments: ["s.*"] }, recursive: true })).toEqual(["sub", "sub/c.txt", "sub/deeper"]);
  });

  it("size, date and isDirectory comparisons; LESS_THAN and GREATER_THAN are strict", async () => {
    expect(await names({ filter: "fileSize > 999 and isDirectory = false" })).toEqual(["b.csv", "big.bin"]);
    expect(await names({ filter: "fileSize = 1000" })).toEqual(["b.csv"]);
    expect(await names({ filter: "fileSize < 1 and isDirectory = false" })).toEqual([]);
    expect(await names({ filter: 'modifiedDate < "2021-01-01T00:00:00Z"' })).toEqual(["a.txt"]);
    expect(await names({ filter: 'modifiedDate = "2020-01-01T00:00:00Z"' })).toEqual(["a.txt"]);
    expect(await names({ filter: 'modifiedDate > "2024-02-29T23:59:58Z" and isDirectory = false' })).toEqual([UNICODE]);
    expect(await names({ filter: 'modifiedDate > "2024-02-29T23:59:59Z" and isDirectory = false' })).toEqual([]);
    expect(await names({ filter: { field: "isDirectory", operator: "EQUALS", argument: "TRUE" } })).toEqual(["other", "sub"]);
    expect(await names({ filter: { field: "isDirectory", operator: "NOT_EQUALS", argument: "true" } })).toHaveLength(6);
  });

  it("AND and OR groups, nested, as trees and as strings", async () => {
    const tree = {
      or: [
        {
          and: [
            { field: "fileName", operator: "WILDCARD", argument: "*.bin" },
            { field: "fileSize", operator: "GREATER_THAN", argument: "10" },
          ],
        },
        { field: "fileName", operator: "EQUALS", argument: "a.txt" },
      ],
    } as const;
    expect(await names({ filter: tree })).toEqual(["a.txt", "big.bin"]);
    expect(await names({ filter: '(fileName ~ "*.bin" and fileSize > 10) or fileName = "a.txt"' })).toEqual(["a.txt", "big.bin"]);
    expect(await names({ filter: { and: [] } })).toHaveLength(8);
    expect(await names({ filter: { or: [] } })).toEqual([]);
  });
});

describe("count", () => {
  it("returns at most count entries, counting across levels; -1 is unlimited", async () => {
    expect(await list({ remoteDirectory: "list" }, { count: 3 })).toHaveLength(3);
    expect(await list({ remoteDirectory: "list" }, { count: 1, filter: 'fileName = "b.csv"' })).toHaveLength(1);
    expect(await list({ remoteDirectory: "list" }, { count: -1 })).toHaveLength(8);
    expect(await list({ remoteDirectory: "list" }, { count: 100 })).toHaveLength(8);
    const deep = await list({ remoteDirectory: "list" }, { depth: Infinity, recurseInto: "all", filter: 'fileName ~ "**/*.txt"', count: 2 });
    expect(deep).toHaveLength(2);
    expect(deep.every((e) => e.directory !== `${home}/list`)).toBe(true);
  });
});

describe("symbolic links", () => {
  it("are skipped by default, as Boomi does", async () => {
    const entries = await list({ remoteDirectory: "list" }, { depth: Infinity });
    expect(entries.some((e) => e.fileName.startsWith("link-") || e.fileName === "broken")).toBe(false);
    expect(entries.every((e) => !e.isSymbolicLink)).toBe(true);
  });

  it("with followSymlinks are listed as their targets, linked directories descended, broken links reported", async () => {
    const errors: SftpConnectorError[] = [];
    const entries = await list({ remoteDirectory: "list" }, { followSymlinks: true, recursive: true, onError: (e) => errors.push(e) });
    expect(entries.find((e) => e.fileName === "link-a")).toMatchObject({
      isSymbolicLink: true,
      isDirectory: false,
      fileSize: 5,
      modifiedDate: "2020-01-01T00:00:00Z",
    });
    expect(entries.find((e) => e.fileName === "link-sub")).toMatchObject({ isSymbolicLink: true, isDirectory: true });
    expect(entries.find((e) => e.fileName === "c.txt" && e.directory === `${home}/list/link-sub`)).toMatchObject({ isSymbolicLink: false, fileSize: 1 });
    expect(entries.find((e) => e.fileName === "a.txt")?.isSymbolicLink).toBe(false);
    expect(entries.some((e) => e.fileName === "broken")).toBe(false);
    expect(errors.map((e) => e.path)).toEqual([`${home}/list/broken`]);
    expect(errors[0]!.message).toContain("cannot follow symbolic link");
    expect(
      await list({ remoteDirectory: "list" }, { followSymlinks: true, filter: "isDirectory = true" }).then((e) => e.map((x) => x.fileName).sort()),
    ).toEqual(["link-sub", "other", "sub"]);
  });

  it("never goes round a link loop, even with depth Infinity", async () => {
    await testbed.exec(
      `mkdir -p ${home}/loop/inner && touch ${home}/loop/inner/file && ln -s .. ${home}/loop/inner/up && ln -s ${home}/loop ${home}/loop/self`,
      as,
    );
    const errors: SftpConnectorError[] = [];
    const entries = await list({ remoteDirectory: "loop" }, { followSymlinks: true, depth: Infinity, onError: (e) => errors.push(e) });
    expect(paths(entries, `${home}/loop`)).toEqual(["inner", "inner/file", "inner/up", "self"]);
    expect(errors.map((e) => e.path).sort()).toEqual([`${home}/loop/inner/up`, `${home}/loop/self`]);
    expect(errors.every((e) => e.message.includes("symbolic link loop"))).toBe(true);
  });
});

describe("unsafe names", () => {
  it("skips a name holding a control character, with a warning", async () => {
    await testbed.exec(`mkdir -p ${home}/odd && cd ${home}/odd && touch "$(printf 'bad\\nname')" "$(printf 'tab\\there')" fine`, as);
    const logger = recordingLogger();
    const entries = await list({ remoteDirectory: "odd" }, { logger });
    expect(entries.map((e) => e.fileName)).toEqual(["fine"]);
    expect(logger.warnings).toHaveLength(2);
    expect(logger.warnings.join("\n")).toContain('"bad\\nname"');
  });
});

describe("bad input", () => {
  it.each([
    [{ count: 0 }, "count: Limit must be positive or -1 (given: 0)"],
    [{ count: -2 }, "count: Limit must be positive or -1 (given: -2)"],
    [{ count: 1.5 }, "count: expected a whole number, got 1.5"],
    [{ depth: -1 }, "depth: expected a whole number of at least 0 or Infinity, got -1"],
    [{ recurseInto: "some" }, 'recurseInto: expected "matching" or "all", got "some"'],
    [
      { filter: { field: "fileSize", operator: "REGEX", argument: "1" } },
      "Pattern type operators (regex and wildcard) are currently only supported for filenames",
    ],
    [{ filter: { field: "owner", operator: "EQUALS", argument: "x" } }, "Unknown property: owner"],
    [{ filter: 'fileName ~ "[abc"' }, "Invalid wildcard"],
    [{ filter: "fileSize >" }, "expected a value"],
    [{ filter: 'modifiedDate > "yesterday"' }, 'Unable to parse date: "yesterday"'],
  ] as [ListOptions, string][])("refuses %j before touching the server", async (options, message) => {
    const { proxy: spy, calls } = recordCalls(session);
    let thrown: unknown;
    try {
      listFiles(spy, { remoteDirectory: "list" }, options);
    } catch (error) {
      thrown = error;
    }
    expect(isSftpConnectorError(thrown)).toBe(true);
    expect((thrown as SftpConnectorError).reason).toBe("INVALID_INPUT");
    expect((thrown as SftpConnectorError).message).toContain(message);
    expect(calls).toEqual([]);
  });

  it("names every problem at once", () => {
    try {
      listFiles(session, { remoteDirectory: "a\0b" }, { count: 0, filter: "fileSize > x" });
      expect.unreachable();
    } catch (error) {
      expect((error as SftpConnectorError).problems.filter((p) => !p.startsWith(" "))).toHaveLength(3);
      expect((error as SftpConnectorError).message).toMatch(/remoteDirectory: .*count: .*filter/);
    }
  });
});

describe("sessions from a provider", () => {
  it("takes a session on the first pull and gives it back when the listing ends or stops early", async () => {
    const pool = new SessionPool(config(), { max: 1 });
    try {
      const entries: ListEntry[] = [];
      for await (const entry of listFiles(pool, { remoteDirectory: "list" }, { count: 2 })) entries.push(entry);
      expect(entries).toHaveLength(2);
      for await (const _entry of listFiles(pool, { remoteDirectory: "list" })) break;
      // max 1: a third listing gets the session back
      expect(await list({ remoteDirectory: "list" }).then((e) => e.length)).toBe(8);
      const again: ListEntry[] = [];
      for await (const entry of listFiles(pool, { remoteDirectory: "list" })) again.push(entry);
      expect(again).toHaveLength(8);
      expect(pool.size).toBe(1);
    } finally {
      await pool.close();
    }
  });
});

describe("memory over 100 000 entries", () => {
  beforeAll(async () => {
    await testbed.exec(
      `mkdir -p ${home}/many ${home}/some && cd ${home}/many && seq 1 100000 | xargs touch && cd ${home}/some && seq 1 10000 | xargs touch`,
      as,
    );
  });

  /** Lists `directory` and returns the number of entries and the peak RSS growth (bytes), sampled during the iteration. */
  async function peakRssGrowth(directory: string, keep?: ListEntry[]): Promise<{ entries: number; growth: number }> {
    gc();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    let entries = 0;
    try {
      for await (const entry of listFiles(session, { remoteDirectory: directory })) {
        entries += 1;
        keep?.push(entry);
        if (entries % 500 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
    } finally {
      clearInterval(timer);
    }
    return { entries, growth: Math.max(peak, process.memoryUsage().rss) - base };
  }

  it("lists 100 000 entries with memory that does not grow with the count", { timeout: 300_000 }, async () => {
    await peakRssGrowth("some"); // warm up (JIT, buffers)
    const small = await peakRssGrowth("some");
    const large = await peakRssGrowth("many");
    expect(small.entries).toBe(10_000);
    expect(large.entries).toBe(100_000);
    const MiB = 1024 * 1024;
    // Ten times the entries, (almost) no more memory.
    expect(large.growth - small.growth).toBeLessThan(8 * MiB);
    expect(large.growth).toBeLessThan(16 * MiB);
    // The measurement can see growth: keeping the entries makes it far larger.
    const kept: ListEntry[] = [];
    const keeping = await peakRssGrowth("many", kept);
    expect(kept).toHaveLength(100_000);
    expect(keeping.growth).toBeGreaterThan(large.growth + 8 * MiB);
  });

  it("stops early and leaves the session usable", async () => {
    let n = 0;
    for await (const _entry of listFiles(session, { remoteDirectory: "many" })) if (++n === 10) break;
    expect(n).toBe(10);
    expect(await list({ remoteDirectory: "list" }).then((e) => e.length)).toBe(8);
  });
});
