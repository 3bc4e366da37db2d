// deleteFiles against the real OpenSSH testbed: one and many, not found, directories, permission denied, bad IDs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { fromBoomiOperationProperties, isSftpConnectorError, type ConnectionConfig, type SftpConnectorError } from "@sftp-connector/core";
import { openSession, SessionPool, type SftpSession } from "@sftp-connector/transport";
import { BLANK_FILE_NAME_MESSAGE, DeleteFilesError, deleteFile, deleteFiles } from "./index.js";

let testbed: Testbed;
let home: string;
let session: SftpSession;

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  session = await openSession(config());
});
afterAll(async () => {
  await session?.close();
  await testbed?.stop();
});

const config = (): ConnectionConfig => testbed.connectionConfig({ hostKey: "fingerprint" });

/** Creates files (and their directories) owned by the test user. Names are single-quoted for the shell. */
async function touch(...paths: string[]): Promise<void> {
  for (const path of paths) {
    await testbed.exec(`mkdir -p "$(dirname '${path}')" && printf x > '${path}' && chown -R tester '${home}'`);
  }
}
const exists = async (path: string) => (await testbed.exec(`test -e '${path}' || test -L '${path}'`, { allowFailure: true })).exitCode === 0;

const rejection = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

describe("deleteFiles", () => {
  it("deletes one file", async () => {
    await touch(`${home}/one/a.txt`);
    expect(await deleteFile(session, "a.txt", { remoteDirectory: "one" })).toEqual({ fileName: "a.txt", path: `${home}/one/a.txt`, deleted: true });
    expect(await exists(`${home}/one/a.txt`)).toBe(false);
  });

  it("refuses an unknown option or input field before deleting anything; Boomi's DELETE has no operation field to map", async () => {
    await touch(`${home}/strict/a.txt`);
    const error = await rejection(deleteFiles(session, { ids: ["a.txt"], remoteDirectory: "strict" }, { failIfNotFund: true } as never));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toBe('unknown option "failIfNotFund"; did you mean "failIfNotFound"?');
    const field = await rejection(deleteFiles(session, { id: ["a.txt"], remoteDirectory: "strict" } as never));
    expect(field.problems[0]).toBe('unknown input field "id"; did you mean "ids"?');
    expect(await exists(`${home}/strict/a.txt`)).toBe(true);
    const results = await deleteFiles(session, { ids: ["a.txt"], remoteDirectory: "strict" }, fromBoomiOperationProperties("DELETE", {}));
    expect(results.map((r) => r.deleted)).toEqual([true]);
  });

  it("deletes many, with sub-paths, Unicode and spaces, reporting each in order", async () => {
    const names = ["a.txt", "sub/b.txt", "résumé 2026 ✓.txt", "日本 語/ファイル.csv"];
    await touch(...names.map((name) => `${home}/many/${name}`));
    const results = await deleteFiles(session, { ids: names, remoteDirectory: `${home}/many` });
    expect(results).toEqual(names.map((name) => ({ fileName: name, path: `${home}/many/${name}`, deleted: true })));
    for (const name of names) expect(await exists(`${home}/many/${name}`)).toBe(false);
    expect(await exists(`${home}/many/sub`)).toBe(true); // directories stay
  });

  it("a missing file is success with deleted: false (Boomi), alongside files that are deleted", async () => {
    await touch(`${home}/nf/here.txt`);
    const results = await deleteFiles(session, { ids: ["gone.txt", "here.txt", "no/such/dir.txt"], remoteDirectory: "nf" });
    expect(results.map((r) => [r.fileName, r.deleted, r.reason])).toEqual([
      ["gone.txt", false, "NO_SUCH_FILE"],
      ["here.txt", true, undefined],
      ["no/such/dir.txt", false, "NO_SUCH_FILE"],
    ]);
  });

  it("failIfNotFound: NO_SUCH_FILE naming the path, after the other IDs were processed", async () => {
    await touch(`${home}/fnf/here.txt`);
    const error = await rejection(deleteFiles(session, { ids: ["gone.txt", "here.txt"], remoteDirectory: "fnf" }, { failIfNotFound: true }));
    expect(error).toBeInstanceOf(DeleteFilesError);
    expect(error.reason).toBe("NO_SUCH_FILE");
    expect(error.message).toBe(`File Not Found: '${home}/fnf/gone.txt'`);
    expect(error.path).toBe(`${home}/fnf/gone.txt`);
    expect((error as DeleteFilesError).results.map((r) => r.deleted)).toEqual([false, true]);
    expect(await exists(`${home}/fnf/here.txt`)).toBe(false);
  });

  it("a file in a remote directory that does not exist is not found: success (Boomi), NO_SUCH_FILE naming the path with failIfNotFound", async () => {
    const results = await deleteFiles(session, { ids: ["a.txt", "sub/b.txt"], remoteDirectory: "no-such-remote-dir" });
    expect(results).toEqual([
      { fileName: "a.txt", path: `${home}/no-such-remote-dir/a.txt`, deleted: false, reason: "NO_SUCH_FILE" },
      { fileName: "sub/b.txt", path: `${home}/no-such-remote-dir/sub/b.txt`, deleted: false, reason: "NO_SUCH_FILE" },
    ]);
    const error = await rejection(deleteFile(session, "a.txt", { remoteDirectory: "no-such-remote-dir", failIfNotFound: true }));
    expect([error.reason, error.message, error.path]).toEqual([
      "NO_SUCH_FILE",
      `File Not Found: '${home}/no-such-remote-dir/a.txt'`,
      `${home}/no-such-remote-dir/a.txt`,
    ]);
    // A remote directory that is a file: its "children" are not there either.
    await touch(`${home}/plain-file`);
    expect(await deleteFile(session, "x.txt", { remoteDirectory: "plain-file" })).toEqual({
      fileName: "x.txt",
      path: `${home}/plain-file/x.txt`,
      deleted: false,
      reason: "NO_SUCH_FILE",
    });
  });

  it("a directory is INVALID_INPUT naming it, and stays", async () => {
    await testbed.exec(`mkdir -p '${home}/dirs/inner' && chown -R tester '${home}/dirs'`);
    const error = await rejection(deleteFiles(session, { ids: ["inner"], remoteDirectory: "dirs" }));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toBe(`ids[0]: '${home}/dirs/inner' is a directory; DELETE removes files only`);
    expect(await exists(`${home}/dirs/inner`)).toBe(true);
  });

  it("permission denied (a read-only directory) is PERMISSION_DENIED naming the path; the other IDs are still deleted", async () => {
    await touch(`${home}/perm/locked/x.txt`, `${home}/perm/free.txt`);
    await testbed.exec(`chmod 555 '${home}/perm/locked'`);
    const error = await rejection(deleteFiles(session, { ids: ["locked/x.txt", "free.txt"], remoteDirectory: "perm" }));
    expect(error.reason).toBe("PERMISSION_DENIED");
    expect(error.message).toContain(`An error occurred while removing the file at path '${home}/perm/locked/x.txt'`);
    expect(error.message).toContain("permission denied");
    expect((error as DeleteFilesError).results.map((r) => [r.fileName, r.deleted, r.reason])).toEqual([
      ["locked/x.txt", false, "PERMISSION_DENIED"],
      ["free.txt", true, undefined],
    ]);
    expect(await exists(`${home}/perm/locked/x.txt`)).toBe(true);
  });

  it("several failures: one error listing each, every result kept", async () => {
    await touch(`${home}/mixed/locked/x.txt`, `${home}/mixed/ok.txt`);
    await testbed.exec(`mkdir -p '${home}/mixed/adir' && chmod 555 '${home}/mixed/locked'`);
    const error = await rejection(deleteFiles(session, { ids: ["locked/x.txt", "adir", "ok.txt"], remoteDirectory: "mixed" }));
    expect(error.reason).toBe("FAILURE");
    expect(error.message.split("\n")).toEqual([
      "2 of 3 files could not be deleted:",
      expect.stringContaining(`  - An error occurred while removing the file at path '${home}/mixed/locked/x.txt'`),
      `  - ids[1]: '${home}/mixed/adir' is a directory; DELETE removes files only`,
    ]);
    expect((error as DeleteFilesError).failures.map((f) => f.reason)).toEqual(["PERMISSION_DENIED", "INVALID_INPUT"]);
    expect(await exists(`${home}/mixed/ok.txt`)).toBe(false);
  });

  it("a blank ID is INVALID_INPUT with Boomi's message, and nothing is deleted", async () => {
    await touch(`${home}/blank/keep.txt`);
    const error = await rejection(deleteFiles(session, { ids: ["keep.txt", "   "], remoteDirectory: "blank" }));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toBe(`ids[1]: ${BLANK_FILE_NAME_MESSAGE}`);
    expect(await exists(`${home}/blank/keep.txt`)).toBe(true);
  });

  it("escaping and absolute IDs are INVALID_INPUT, and nothing is deleted; allowAbsolutePaths lets them through", async () => {
    await touch(`${home}/esc/inner/keep.txt`, `${home}/esc/outside.txt`);
    for (const id of ["../outside.txt", `${home}/esc/outside.txt`]) {
      const error = await rejection(deleteFiles(session, { ids: ["keep.txt", id], remoteDirectory: "esc/inner" }));
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toMatch(/^ids\[1\]: '.*' (escapes the remote directory|is absolute)/);
    }
    expect(await exists(`${home}/esc/inner/keep.txt`)).toBe(true);
    expect(await exists(`${home}/esc/outside.txt`)).toBe(true);
    const [result] = await deleteFiles(session, { ids: ["../outside.txt"], remoteDirectory: "esc/inner" }, { allowAbsolutePaths: true });
    expect(result).toEqual({ fileName: "../outside.txt", path: `${home}/esc/outside.txt`, deleted: true });
  });

  it("a symbolic link is removed itself, not its target", async () => {
    await touch(`${home}/links/target.txt`);
    await testbed.exec(`ln -s target.txt '${home}/links/link.txt' && chown -h tester '${home}/links/link.txt'`);
    expect((await deleteFile(session, "link.txt", { remoteDirectory: "links" })).deleted).toBe(true);
    expect(await exists(`${home}/links/link.txt`)).toBe(false);
    expect(await exists(`${home}/links/target.txt`)).toBe(true);
  });

  it("works through a session pool", async () => {
    await touch(`${home}/pooled/p.txt`);
    const pool = new SessionPool(config());
    try {
      expect(await deleteFiles(pool, { fileName: "p.txt", remoteDirectory: "pooled" })).toEqual([
        { fileName: "p.txt", path: `${home}/pooled/p.txt`, deleted: true },
      ]);
    } finally {
      await pool.close();
    }
  });
});
