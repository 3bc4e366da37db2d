// deleteFiles against an in-memory fake session and provider: results per ID, failure policy, bad input, and resuming after a lost connection.
import { describe, expect, it } from "vitest";
import { SftpConnectorError, isSftpConnectorError, resolveRemoteDirectory } from "@sftp-connector/core";
import type { FileStats, SessionProvider, SftpSession } from "@sftp-connector/transport";
import { rejectionOf } from "@sftp-connector/testkit";
import { BLANK_FILE_NAME_MESSAGE, DeleteFilesError, deleteFile, deleteFiles } from "./index.js";

/** An in-memory session: files, directories, read-only directories; every call logged. */
class FakeSession {
  readonly log: string[] = [];
  readonly files = new Set<string>();
  readonly dirs = new Set<string>(["/", "/home", "/home/u"]);
  readonly readOnly = new Set<string>();
  closed = false;
  /** Drop the connection on the Nth unlink (1-based), after (or before) doing it. */
  dropOnUnlink: { at: number; after: boolean } | undefined;
  private unlinks = 0;
  info = { homeDirectory: "/home/u", remoteDirectory: undefined as string | undefined };

  constructor(files: string[] = [], dirs: string[] = []) {
    for (const dir of dirs) this.dirs.add(dir);
    for (const file of files) this.files.add(file);
  }

  resolveDirectory(perCall?: string): string {
    return resolveRemoteDirectory({ perCall, connection: this.info.remoteDirectory, home: this.info.homeDirectory });
  }

  private stats(path: string): FileStats | undefined {
    const isDirectory = this.dirs.has(path);
    if (!isDirectory && !this.files.has(path)) return undefined;
    return {
      size: 1,
      modifiedAt: new Date(0),
      accessedAt: new Date(0),
      mode: isDirectory ? 0o40755 : 0o100644,
      permissions: 0o644,
      uid: 1,
      gid: 1,
      isFile: !isDirectory,
      isDirectory,
      isSymbolicLink: false,
    };
  }

  async lstat(path: string): Promise<FileStats> {
    this.log.push(`lstat ${path}`);
    const stats = this.stats(path);
    if (!stats) throw new SftpConnectorError("NO_SUCH_FILE", `lstat failed for "${path}"`, { path });
    return stats;
  }

  async statIfExists(path: string): Promise<FileStats | undefined> {
    this.log.push(`stat ${path}`);
    return this.stats(path);
  }

  async unlink(path: string): Promise<void> {
    if (this.closed) throw new SftpConnectorError("CONNECTION_LOST", "session ended", { path });
    this.log.push(`unlink ${path}`);
    this.unlinks += 1;
    const drop = this.dropOnUnlink?.at === this.unlinks ? this.dropOnUnlink : undefined;
    if (drop && !drop.after) {
      this.closed = true;
      throw new SftpConnectorError("CONNECTION_LOST", "connection lost", { path });
    }
    const dir = path.slice(0, path.lastIndexOf("/")) || "/";
    if (this.dirs.has(path)) throw new SftpConnectorError(this.readOnly.has(dir) ? "PERMISSION_DENIED" : "FAILURE", `unlink failed for "${path}"`, { path });
    if (!this.files.has(path)) throw new SftpConnectorError("NO_SUCH_FILE", `unlink failed for "${path}": no such file`, { path });
    if (this.readOnly.has(dir)) throw new SftpConnectorError("PERMISSION_DENIED", `unlink failed for "${path}": permission denied`, { path });
    this.files.delete(path);
    if (drop) {
      this.closed = true;
      throw new SftpConnectorError("CONNECTION_LOST", "connection lost after the delete", { path });
    }
  }

  get session(): SftpSession {
    return this as unknown as SftpSession;
  }
}

/** A provider lending `sessions` in turn (each one a fresh connection over the same files). */
function provider(sessions: FakeSession[]): SessionProvider & { acquired: number } {
  let next = 0;
  return {
    acquired: 0,
    async acquire() {
      this.acquired += 1;
      return sessions[Math.min(next++, sessions.length - 1)]!.session;
    },
    release() {},
  };
}

const rejection = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

describe("deleteFiles (fake session)", () => {
  it("deletes one and many, reporting each; a missing file is deleted: false (Boomi's success)", async () => {
    const fake = new FakeSession(["/home/u/a.txt", "/home/u/in/b.txt", "/data/c.txt"], ["/home/u/in", "/data"]);
    expect(await deleteFile(fake.session, "a.txt")).toEqual({ fileName: "a.txt", path: "/home/u/a.txt", deleted: true });
    const results = await deleteFiles(fake.session, { ids: ["in/b.txt", "gone.txt", "c.txt"], remoteDirectory: "/data" });
    expect(results).toEqual([
      { fileName: "in/b.txt", path: "/data/in/b.txt", deleted: false, reason: "NO_SUCH_FILE" },
      { fileName: "gone.txt", path: "/data/gone.txt", deleted: false, reason: "NO_SUCH_FILE" },
      { fileName: "c.txt", path: "/data/c.txt", deleted: true },
    ]);
    expect(fake.files).toEqual(new Set(["/home/u/in/b.txt"]));
  });

  it("an empty ids list is nothing to do", async () => {
    const fake = new FakeSession();
    expect(await deleteFiles(fake.session, { ids: [] })).toEqual([]);
    expect(fake.log).toEqual([]);
  });

  it("processes every ID, then throws one error listing the failures and keeping every result", async () => {
    const fake = new FakeSession(["/home/u/a", "/home/u/ro/b", "/home/u/c"], ["/home/u/ro", "/home/u/dir"]);
    fake.readOnly.add("/home/u/ro");
    const error = await rejection(deleteFiles(fake.session, { ids: ["a", "ro/b", "dir", "c"] }));
    expect(error).toBeInstanceOf(DeleteFilesError);
    const results = (error as DeleteFilesError).results;
    expect(results.map((r) => [r.fileName, r.deleted, r.reason])).toEqual([
      ["a", true, undefined],
      ["ro/b", false, "PERMISSION_DENIED"],
      ["dir", false, "INVALID_INPUT"],
      ["c", true, undefined],
    ]);
    expect(error.reason).toBe("FAILURE"); // two different reasons
    expect(error.message).toBe(
      [
        "2 of 4 files could not be deleted:",
        `  - An error occurred while removing the file at path '/home/u/ro/b' Cause: unlink failed for "/home/u/ro/b": permission denied`,
        "  - ids[2]: '/home/u/dir' is a directory; DELETE removes files only",
      ].join("\n"),
    );
    expect((error as DeleteFilesError).failures.map((f) => f.fileName)).toEqual(["ro/b", "dir"]);
    expect(fake.files).toEqual(new Set(["/home/u/ro/b"]));
  });

  it("one failure gives the error its reason, message and path", async () => {
    const fake = new FakeSession(["/home/u/ro/b"], ["/home/u/ro"]);
    fake.readOnly.add("/home/u/ro");
    const error = await rejection(deleteFile(fake.session, "ro/b"));
    expect(error.reason).toBe("PERMISSION_DENIED");
    expect(error.path).toBe("/home/u/ro/b");
    expect(error.message).toMatch(/^An error occurred while removing the file at path '\/home\/u\/ro\/b' Cause: /);
  });

  it("a directory is INVALID_INPUT naming it, also in a read-only parent", async () => {
    const fake = new FakeSession([], ["/home/u/ro", "/home/u/ro/sub"]);
    fake.readOnly.add("/home/u/ro");
    const error = await rejection(deleteFile(fake.session, "ro/sub"));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toBe("fileName: '/home/u/ro/sub' is a directory; DELETE removes files only");
  });

  it("failIfNotFound makes a missing file NO_SUCH_FILE naming the path", async () => {
    const fake = new FakeSession(["/home/u/there"]);
    const error = await rejection(deleteFiles(fake.session, { ids: ["missing", "there"] }, { failIfNotFound: true }));
    expect(error.reason).toBe("NO_SUCH_FILE");
    expect(error.message).toBe("File Not Found: '/home/u/missing'");
    expect((error as DeleteFilesError).results.map((r) => r.deleted)).toEqual([false, true]);
  });

  it("files in a missing remote directory are not found (success, as in Boomi), or NO_SUCH_FILE naming each path with failIfNotFound", async () => {
    const fake = new FakeSession();
    const results = await deleteFiles(fake.session, { ids: ["a", "b"], remoteDirectory: "/nowhere" });
    expect(results).toEqual([
      { fileName: "a", path: "/nowhere/a", deleted: false, reason: "NO_SUCH_FILE" },
      { fileName: "b", path: "/nowhere/b", deleted: false, reason: "NO_SUCH_FILE" },
    ]);
    const error = await rejection(deleteFiles(fake.session, { ids: ["a"], remoteDirectory: "/nowhere" }, { failIfNotFound: true }));
    expect([error.reason, error.message, error.path]).toEqual(["NO_SUCH_FILE", "File Not Found: '/nowhere/a'", "/nowhere/a"]);
    // No directory check: one unlink per ID.
    const ok = new FakeSession(["/home/u/x"]);
    await deleteFiles(ok.session, { ids: ["x", "y", "z"] });
    expect(ok.log).toEqual(["unlink /home/u/x", "unlink /home/u/y", "unlink /home/u/z"]);
  });

  it("refuses blank, escaping and absolute IDs, all listed, before touching the server", async () => {
    const fake = new FakeSession(["/home/u/a"]);
    const blank = await rejection(deleteFiles(fake.session, { ids: ["a", "  ", ""] }));
    expect(blank.reason).toBe("INVALID_INPUT");
    expect(blank.problems).toEqual([`ids[1]: ${BLANK_FILE_NAME_MESSAGE}`, `ids[2]: ${BLANK_FILE_NAME_MESSAGE}`]);
    const escaping = await rejection(deleteFiles(fake.session, { ids: ["a", "../etc/x", "/etc/passwd"] }));
    expect(escaping.reason).toBe("INVALID_INPUT");
    expect(escaping.problems).toHaveLength(2);
    expect(escaping.problems[0]).toMatch(/^ids\[1\]: '\.\.\/etc\/x' escapes the remote directory '\/home\/u'/);
    expect(escaping.problems[1]).toMatch(/^ids\[2\]: .*is absolute/);
    expect((await rejection(deleteFile(fake.session, " "))).message).toBe(`fileName: ${BLANK_FILE_NAME_MESSAGE}`);
    const both = await rejection(deleteFiles(fake.session, { ids: ["", "../x"] }));
    expect(both.problems).toEqual([
      `ids[0]: ${BLANK_FILE_NAME_MESSAGE}`,
      expect.stringMatching(/^ids\[1\]: '\.\.\/x' escapes the remote directory '\/home\/u';/),
    ]);
    expect(fake.log).toEqual([]);
    expect(fake.files.has("/home/u/a")).toBe(true);
  });

  it("with a provider, a blank ID is refused without taking a session; an escaping one before any file call", async () => {
    const fake = new FakeSession(["/home/u/a"]);
    const pool = provider([fake]);
    expect((await rejection(deleteFiles(pool, { ids: ["a", ""] }))).reason).toBe("INVALID_INPUT");
    expect(pool.acquired).toBe(0);
    expect((await rejection(deleteFiles(pool, { ids: ["a", "/etc/x"] }))).problems).toEqual([expect.stringMatching(/^ids\[1\]: .*is absolute/)]);
    expect(fake.log).toEqual([]);
  });

  it("refuses malformed input and options", async () => {
    const fake = new FakeSession();
    const error = await rejection(
      deleteFiles(fake.session, { ids: "a.txt" as unknown as string[] }, { failIfNotFound: "yes" as unknown as boolean, retry: { attempts: 1.5 } }),
    );
    expect(error.problems).toEqual([
      'ids: expected an array of file names, got "a.txt"',
      'failIfNotFound: expected true or false, got "yes"',
      "retry.attempts: expected an integer of 0 or more, got 1.5",
    ]);
    expect((await rejection(deleteFiles(fake.session, {}))).message).toBe("ids: required (an array of file names), or give fileName");
    expect((await rejection(deleteFiles(fake.session, { ids: ["a"], fileName: "b" }))).message).toBe("ids, fileName: give one or the other, not both");
  });

  describe("with a provider, after a lost connection", () => {
    it("goes on with the first ID not done; the ID cut after its delete counts as deleted", async () => {
      const files = ["/home/u/1", "/home/u/2", "/home/u/3"];
      const first = new FakeSession(files);
      first.dropOnUnlink = { at: 2, after: true };
      const second = new FakeSession();
      for (const file of first.files) second.files.add(file);
      // The second connection sees the first's deletes.
      second.files.delete("/home/u/1");
      second.files.delete("/home/u/2");
      const pool = provider([first, second]);
      const results = await deleteFiles(pool, { ids: ["1", "2", "3"] }, { retry: { attempts: 1, backoffMs: 0 } });
      expect(results.map((r) => r.deleted)).toEqual([true, true, true]);
      expect(second.log).toEqual(["unlink /home/u/2", "unlink /home/u/3"]);
      expect(pool.acquired).toBe(2);
    });

    it("with no retries left, rejects with CONNECTION_LOST and the results so far", async () => {
      const first = new FakeSession(["/home/u/1", "/home/u/2"]);
      first.dropOnUnlink = { at: 2, after: false };
      const error = await rejection(deleteFiles(provider([first]), { ids: ["1", "2"] }, { retry: { attempts: 0 } }));
      expect(error.reason).toBe("CONNECTION_LOST");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain("(1 of 2 IDs were processed before it)");
      expect((error as DeleteFilesError).results.map((r) => [r.deleted, r.reason])).toEqual([
        [true, undefined],
        [false, "CONNECTION_LOST"],
      ]);
    });
  });
});
