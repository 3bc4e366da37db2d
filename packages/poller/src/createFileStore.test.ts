// The file store: round trips, a corrupt or unreadable file refused, atomic writes, and a poller that resumes across restarts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDirectoryPoller, type DirectoryPoller } from "./createDirectoryPoller.js";
import { createFileStore, SNAPSHOT_FILE_FORMAT } from "./createFileStore.js";
import { FakeDirectory, until } from "./FakeDirectory.js";
import type { PollEvent } from "./PollEvent.js";
import { silentLogger } from "./PollerLogger.js";
import type { Snapshot } from "./SnapshotStore.js";

/** Lets a test make the next rename fail, as a crash between the temp write and the rename would. */
const crash = vi.hoisted(() => ({ nextRename: false, tempContent: undefined as string | undefined }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      if (crash.nextRename) {
        crash.nextRename = false;
        crash.tempContent = await actual.readFile(from, "utf8");
        throw Object.assign(new Error("simulated crash before rename"), { code: "EIO" });
      }
      return actual.rename(from, to);
    },
  };
});

const T0 = 1_700_000_000_000;
let dir: string;
const pollers: DirectoryPoller[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "poller-store-"));
});

afterEach(async () => {
  for (const poller of pollers.splice(0)) await poller.stop().catch(() => {});
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const snap = (...names: string[]): Snapshot => ({ entries: names.map((name, i) => ({ name, size: i, mtime: T0 + i, isDirectory: false })) });

describe("createFileStore", () => {
  it("reads a missing file as a first run, and keeps snapshots by key", async () => {
    const store = createFileStore(join(dir, "nested", "inbox.json"));
    expect(await store.load("a")).toBeUndefined();
    await store.save("a", snap("x.csv", "y.csv"));
    await store.save("b", { entries: [{ name: "d", size: 1, mtime: T0, isDirectory: true }] });
    expect(await store.load("c")).toBeUndefined();
    expect(await store.load("__proto__")).toBeUndefined();

    const again = createFileStore(join(dir, "nested", "inbox.json")); // another process reading it
    expect((await again.load("a"))?.entries).toEqual(snap("x.csv", "y.csv").entries);
    expect((await again.load("b"))?.entries).toEqual([{ name: "d", size: 1, mtime: T0, isDirectory: true }]);
    const file = JSON.parse(readFileSync(join(dir, "nested", "inbox.json"), "utf8"));
    expect(file).toMatchObject({ format: SNAPSHOT_FILE_FORMAT, version: 1 });
    expect(file.snapshots.a.entries[0]).toEqual(["x.csv", 0, T0, 0]);
  });

  it("sees what another store object wrote to the same file", async () => {
    const path = join(dir, "s.json");
    const one = createFileStore(path);
    const two = createFileStore(path);
    await one.save("k", snap("a"));
    expect((await two.load("k"))?.entries.map((e) => e.name)).toEqual(["a"]);
    await two.save("k", snap("a", "b"));
    expect((await one.load("k"))?.entries.map((e) => e.name)).toEqual(["a", "b"]);
  });

  it.each([
    ["not JSON", "{ this is not json", /not valid JSON/],
    ["empty", "", /the file is empty/],
    ["another format", JSON.stringify({ hello: "world" }), /expected an object with "format"/],
    ["a bad entry", JSON.stringify({ format: SNAPSHOT_FILE_FORMAT, version: 1, snapshots: { k: { entries: [["a", -1, 0, 0]] } } }), /entries\[0\] must be/],
    ["snapshots missing", JSON.stringify({ format: SNAPSHOT_FILE_FORMAT, version: 1 }), /"snapshots" must be an object/],
  ])("refuses a corrupt file (%s) at load and never overwrites it", async (_what, content, detail) => {
    const path = join(dir, "s.json");
    writeFileSync(path, content);
    const store = createFileStore(path);
    const error = await store.load("k").catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "SftpConnectorError", reason: "INVALID_CONFIG", path, operation: "store.load" });
    expect((error as Error).message).toMatch(detail);
    expect((error as Error).message).toContain("is corrupt");
    expect((error as Error).message).toContain("would deliver every file again");
    await expect(store.save("k", snap("a"))).rejects.toMatchObject({ reason: "INVALID_CONFIG" });
    expect(readFileSync(path, "utf8")).toBe(content);
  });

  it("refuses a file written by a newer format version", async () => {
    const path = join(dir, "s.json");
    writeFileSync(path, JSON.stringify({ format: SNAPSHOT_FILE_FORMAT, version: 2, snapshots: {} }));
    await expect(createFileStore(path).load("k")).rejects.toThrow(/newer version of @sftp-connector\/poller \(format version 2/);
  });

  it("reports a path it cannot read (a directory) as an error, not as a first run", async () => {
    const path = join(dir, "is-a-dir");
    mkdirSync(path);
    await expect(createFileStore(path).load("k")).rejects.toMatchObject({ reason: "FAILURE", message: expect.stringContaining("it is a directory") });
  });

  it("writes atomically: a crash between the temp write and the rename leaves the old snapshot valid", async () => {
    const path = join(dir, "s.json");
    const store = createFileStore(path);
    await store.save("k", snap("old"));
    crash.nextRename = true;
    await expect(store.save("k", snap("old", "new"))).rejects.toMatchObject({ reason: "FAILURE", operation: "store.save" });
    // the new snapshot was complete in the temp file before the rename...
    expect(JSON.parse(crash.tempContent!).snapshots.k.entries.map((e: unknown[]) => e[0])).toEqual(["old", "new"]);
    // ...and the file itself still holds the old one, whole
    expect((await createFileStore(path).load("k"))?.entries.map((e) => e.name)).toEqual(["old"]);
    expect(readdirSync(dir)).toEqual(["s.json"]); // the temp file was cleaned up
    await store.save("k", snap("old", "new"));
    expect((await createFileStore(path).load("k"))?.entries.map((e) => e.name)).toEqual(["old", "new"]);
  });

  it("ignores a temp file a crash left beside it", async () => {
    const path = join(dir, "s.json");
    await createFileStore(path).save("k", snap("a"));
    writeFileSync(`${path}.4242-deadbeef.tmp`, '{"format":"@sftp-connector/poller snapshot","version":1,"snap'); // torn
    expect((await createFileStore(path).load("k"))?.entries.map((e) => e.name)).toEqual(["a"]);
  });
});

describe("a poller with a file store", () => {
  /** Runs one poller "process" over `files` with the file store at `path` until `cycles` cycles completed, then stops it. */
  async function run(path: string, files: FakeDirectory, cycles: number, handler?: (event: PollEvent) => void | Promise<void>) {
    const log: string[] = [];
    let done = 0;
    const poller = createDirectoryPoller({
      list: files.list,
      intervalMs: 1000,
      logger: silentLogger,
      store: createFileStore(path),
      handler: async (event) => {
        await handler?.(event);
        log.push(`${event.type} ${event.entry.name}`);
      },
    });
    pollers.push(poller);
    poller.on("cycle", () => done++);
    await poller.start();
    await until(() => done === 1, "the first cycle");
    for (let i = 1; i < cycles; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      await until(() => done === i + 1, `cycle ${i + 1}`);
    }
    await poller.stop();
    return log;
  }

  it("after a restart delivers exactly the changes made while it was down, and nothing twice", async () => {
    vi.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const path = join(dir, "inbox.json");
    const files = new FakeDirectory().set("keep.csv", 1, T0).set("change.csv", 1, T0).set("delete.csv", 1, T0);

    expect(await run(path, files, 2)).toEqual([]); // the first run: baseline, then no change
    files.set("during.csv", 1);
    expect(await run(path, files, 2)).toEqual(["added during.csv"]);

    // while down:
    files
      .set("change.csv", 2, T0 + 60_000)
      .remove("delete.csv")
      .set("new.csv", 3);
    expect(await run(path, files, 3)).toEqual(["removed delete.csv", "added new.csv", "modified change.csv"]);

    // and again, without changes: nothing is delivered again
    expect(await run(path, files, 2)).toEqual([]);
  });

  it("delivers again after a restart what the handler had not completed", async () => {
    vi.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const path = join(dir, "inbox.json");
    const files = new FakeDirectory();
    await run(path, files, 1);
    files.set("a.csv", 1).set("b.csv", 1);
    const first = await run(path, files, 2, (event) => {
      if (event.entry.name === "b.csv") throw new Error("crashed while processing");
    });
    expect(first).toEqual(["added a.csv"]);
    expect(await run(path, files, 2)).toEqual(["added b.csv"]);
  });

  it("refuses to start on a corrupt snapshot file, and never lists", async () => {
    const path = join(dir, "inbox.json");
    writeFileSync(path, "garbage");
    const files = new FakeDirectory().set("a", 1);
    const poller = createDirectoryPoller({ list: files.list, logger: silentLogger, store: createFileStore(path) });
    await expect(poller.start()).rejects.toMatchObject({ reason: "INVALID_CONFIG", message: expect.stringContaining(`'${path}' is corrupt`) });
    expect(poller.state).toBe("stopped");
    expect(files.calls).toEqual([]);
    await expect(
      (async () => {
        for await (const _event of poller) void _event;
      })(),
    ).rejects.toMatchObject({ reason: "INVALID_CONFIG" });
    expect(readFileSync(path, "utf8")).toBe("garbage");
  });

  it("reports a failed save as an error event and saves again later", async () => {
    vi.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const path = join(dir, "inbox.json");
    const files = new FakeDirectory();
    const errors: string[] = [];
    let cycles = 0;
    const poller = createDirectoryPoller({ list: files.list, intervalMs: 1000, logger: silentLogger, store: createFileStore(path) });
    pollers.push(poller);
    poller.on("error", (e) => errors.push(`${e.operation} ${e.reason}`));
    poller.on("cycle", () => cycles++);
    await poller.start();
    await until(() => cycles === 1);
    files.set("a", 1);
    crash.nextRename = true;
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => cycles === 2);
    expect(errors).toEqual(["store.save FAILURE"]); // the snapshot stays dirty and the next save takes it
    await vi.advanceTimersByTimeAsync(1000);
    await until(() => cycles === 3);
    expect((await createFileStore(path).load("default"))?.entries.map((e) => e.name)).toEqual(["a"]);
  });
});
