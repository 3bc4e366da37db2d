// UPSERT against the real testbed: replace through a temporary name, append, createDirectories/createDir, includeAllMetadata/includeAll, bad input, full disk, permissions, failing sources and resume.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gatedSource, rejectionOf, sha256, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { formatTimestamp, isSftpConnectorError, type ConnectionConfig, type SftpConnectorError } from "@sftp-connector/core";
import { openSession, SessionPool, type SftpSession } from "@sftp-connector/transport";
import { isTemporaryFileName } from "@sftp-connector/transport/upload";
import { upsertFile, FILE_CREATED_MESSAGE } from "./index.js";

let testbed: Testbed;
let home: string;
let session: SftpSession;
let dir: string;
let counter = 0;

beforeAll(async () => {
  testbed = await startTestbed({ tmpfs: { "/home/tester/small": "size=1m,mode=1777" } });
  home = testbed.users.password.home;
  // Mounting the tmpfs makes the home directory root's (a testkit quirk): give it back to the user.
  await testbed.exec(`chown tester:tester '${home}'`);
  session = await openSession(config());
});
afterAll(async () => {
  await session?.close();
  await testbed?.stop();
});
/** Every test works in a fresh directory of its own. */
beforeEach(async () => {
  if (session.closed) session = await openSession(config());
  dir = `${home}/t${++counter}`;
  await sh(`mkdir -p '${dir}'`);
});

/** A config for the password user, pinning the host key by its fingerprint. */
const config = (extra: Partial<ConnectionConfig> = {}): ConnectionConfig => testbed.connectionConfig({ hostKey: "fingerprint", extra });

async function sh(command: string): Promise<string> {
  return (await testbed.exec(command, { user: "tester" })).stdout;
}

async function ls(path: string): Promise<string[]> {
  return (await sh(`ls -A '${path}'`))
    .split("\n")
    .filter((l) => l !== "")
    .sort();
}

async function cat(path: string): Promise<string> {
  return sh(`cat '${path}'`);
}

async function sizeOf(path: string): Promise<number> {
  const { stdout, exitCode } = await testbed.exec(`stat -c %s '${path}'`, { allowFailure: true });
  return exitCode === 0 ? Number(stdout.trim()) : -1;
}

/** The rejection of `promise`, which must be an SftpConnectorError. */
const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

describe("upsertFile", () => {
  it("creates a file from a Buffer, a string, a stream and a local path", async () => {
    const bytes = randomBytes(2 * 1024 * 1024 + 5);
    const local = join(mkdtempSync(join(tmpdir(), "upsert-")), "local.bin");
    writeFileSync(local, bytes);
    const cases: Array<[string, Parameters<typeof upsertFile>[1]["content"], string]> = [
      ["buffer.bin", bytes, sha256(bytes)],
      ["text.txt", "grüße ✓", sha256("grüße ✓")],
      ["stream.bin", Readable.from([bytes]), sha256(bytes)],
      ["local.bin", { path: local }, sha256(bytes)],
    ];
    for (const [name, content, expected] of cases) {
      const result = await upsertFile(session, { content, fileName: name, remoteDirectory: dir });
      expect(result.message).toBe(FILE_CREATED_MESSAGE);
      expect(result.response).toEqual({ fileName: name, remoteDirectory: dir });
      expect(result.existed).toBe(false);
      expect(await testbed.sha256(`${dir}/${name}`)).toBe(expected);
    }
    expect(await ls(dir)).toEqual(["buffer.bin", "local.bin", "stream.bin", "text.txt"]);
  });

  it("replaces an existing file through a hidden temporary name beside it", async () => {
    await sh(`printf 'the old content' > '${dir}/a.txt'`);
    const source = gatedSource(Buffer.from("new "), Buffer.from("content"));
    const pending = upsertFile(session, { content: source.stream, fileName: "a.txt", remoteDirectory: dir });
    await waitFor(async () => (await ls(dir)).length === 2, "the temporary file");
    const temp = (await ls(dir)).find((n) => n !== "a.txt")!;
    expect(temp).toMatch(/^\.a\.txt\.[0-9a-f-]{36}\.sftp-tmp$/);
    expect(isTemporaryFileName(temp)).toBe(true);
    expect(await cat(`${dir}/a.txt`)).toBe("the old content");
    source.open();
    const result = await pending;
    expect(result.existed).toBe(true);
    expect(await cat(`${dir}/a.txt`)).toBe("new content");
    expect(await ls(dir)).toEqual(["a.txt"]);
  });

  it("replaces atomically: the path never disappears and never shows a partial file", async () => {
    const path = `${dir}/big.bin`;
    const old = randomBytes(8 * 1024 * 1024);
    const next = randomBytes(8 * 1024 * 1024);
    await upsertFile(session, { content: old, fileName: "big.bin", remoteDirectory: dir });
    const log = `${dir}.reads`;
    const gone = `${dir}.gone`;
    const stop = `${dir}.stop`;
    const reader = testbed.exec(`while [ ! -e '${stop}' ]; do sha256sum '${path}' 2>&1 | cut -c1-64 >> '${log}'; done`);
    const watcher = testbed.exec(`: > '${gone}'; while [ ! -e '${stop}' ]; do [ -e '${path}' ] || echo gone >> '${gone}'; done`);
    const lines = async () => (await testbed.exec(`cat '${log}' 2>/dev/null || true`)).stdout.split("\n").filter((l) => l !== "");
    await waitFor(async () => (await lines()).length >= 1, "the reader's first hash");
    const source = gatedSource(next.subarray(0, 4 * 1024 * 1024), next.subarray(4 * 1024 * 1024));
    const pending = upsertFile(session, { content: source.stream, fileName: "big.bin", remoteDirectory: dir });
    await waitFor(async () => {
      const temp = (await ls(dir)).find(isTemporaryFileName);
      return temp !== undefined && (await sizeOf(`${dir}/${temp}`)) >= 4 * 1024 * 1024;
    }, "half the upload");
    const before = (await lines()).length;
    await waitFor(async () => (await lines()).length >= before + 2, "two reads during the upload");
    source.open();
    await pending;
    await waitFor(async () => (await lines()).at(-1) === sha256(next), "the reader to see the new content");
    await testbed.exec(`touch '${stop}'`);
    await Promise.all([reader, watcher]);
    expect((await testbed.exec(`cat '${gone}'`)).stdout).toBe("");
    expect(new Set(await lines())).toEqual(new Set([sha256(old), sha256(next)]));
  });

  it("appends the bytes exactly once, and creates a missing file", async () => {
    const first = await upsertFile(session, { content: "one ", fileName: "log.txt", remoteDirectory: dir }, { append: true });
    expect(first.existed).toBe(false);
    await upsertFile(session, { content: "two ", fileName: "log.txt", remoteDirectory: dir }, { append: true });
    await upsertFile(session, { content: Readable.from([Buffer.from("three")]), fileName: "log.txt", remoteDirectory: dir }, { append: true });
    expect(await cat(`${dir}/log.txt`)).toBe("one two three");
    const big = randomBytes(3 * 1024 * 1024 + 1);
    await upsertFile(session, { content: big, fileName: "log.txt", remoteDirectory: dir }, { append: true });
    expect(await testbed.sha256(`${dir}/log.txt`)).toBe(sha256(Buffer.concat([Buffer.from("one two three"), big])));
    expect(await ls(dir)).toEqual(["log.txt"]);
  });

  it("writes zero-byte files, and Unicode and space-containing names", async () => {
    await upsertFile(session, { content: Buffer.alloc(0), fileName: "empty.bin", remoteDirectory: dir });
    expect(await sizeOf(`${dir}/empty.bin`)).toBe(0);
    await sh(`printf x > '${dir}/full.bin'`);
    await upsertFile(session, { content: "", fileName: "full.bin", remoteDirectory: dir });
    expect(await sizeOf(`${dir}/full.bin`)).toBe(0);
    for (const name of ["résumé final.txt", "中文 名字.txt", "space  twice"]) {
      await upsertFile(session, { content: name, fileName: name, remoteDirectory: dir });
      await upsertFile(session, { content: `${name}!`, fileName: name, remoteDirectory: dir });
      expect(await cat(`${dir}/${name}`)).toBe(`${name}!`);
    }
    expect(await ls(dir)).toEqual(["empty.bin", "full.bin", "résumé final.txt", "space  twice", "中文 名字.txt"]);
  });

  it.each([["createDirectories"], ["createDir"]] as const)(
    "a missing directory is NO_SUCH_FILE 'Remote directory does not exist'; %s creates it recursively",
    async (option) => {
      const missing = `${dir}/a/b/c`;
      const error = await failure(upsertFile(session, { content: "x", fileName: "f.txt", remoteDirectory: missing }));
      expect(error.reason).toBe("NO_SUCH_FILE");
      expect(error.message).toBe(`Remote directory does not exist: '${missing}'`);
      expect(await ls(dir)).toEqual([]);
      const result = await upsertFile(session, { content: "x", fileName: "f.txt", remoteDirectory: missing }, { [option]: true });
      expect(result.response.remoteDirectory).toBe(missing);
      await upsertFile(session, { content: "y", fileName: "sub/g.txt", remoteDirectory: missing }, { [option]: true, append: true });
      expect(await cat(`${missing}/sub/g.txt`)).toBe("y");
    },
  );

  it.each([["includeAllMetadata"], ["includeAll"]] as const)("adds the timestamp with %s", async (option) => {
    const result = await upsertFile(session, { content: "t", fileName: "t.txt", remoteDirectory: dir }, { [option]: true });
    expect(result.response.timestamp).toBe(formatTimestamp((await session.lstat(`${dir}/t.txt`)).modifiedAt));
  });

  it("refuses an unknown option before writing anything", async () => {
    const error = await failure(upsertFile(session, { content: "x", fileName: "f.txt", remoteDirectory: `${dir}/new` }, { createDirs: true } as never));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toBe('unknown option "createDirs"; did you mean "createDir"?');
    expect(await ls(dir)).toEqual([]);
  });

  it("confines names to the remote directory unless allowAbsolutePaths", async () => {
    const error = await failure(upsertFile(session, { content: "x", fileName: "../../etc/x", remoteDirectory: dir }));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toContain("fileName");
    await upsertFile(session, { content: "abs", fileName: `${dir}/abs.txt` }, { allowAbsolutePaths: true });
    expect(await cat(`${dir}/abs.txt`)).toBe("abs");
  });

  it("refuses a directory in the way", async () => {
    await sh(`mkdir '${dir}/d'`);
    for (const append of [false, true]) {
      const error = await failure(upsertFile(session, { content: "x", fileName: "d", remoteDirectory: dir }, { append }));
      expect(error.reason).toBe("ALREADY_EXISTS");
      expect(error.message).toContain("is a directory");
    }
  });
});

describe("upsertFile: failures leave the server as it was", () => {
  it("a full disk: FAILURE naming the path, no temporary file, the old file intact, an append truncated back", async () => {
    const small = `${home}/small`;
    await sh(`rm -rf '${small}'/* '${small}'/.[!.]* 2>/dev/null; printf 'old content' > '${small}/keep.txt'`);
    const big = randomBytes(4 * 1024 * 1024);
    for (const [name, append] of [
      ["new.bin", false],
      ["keep.txt", false],
      ["keep.txt", true],
    ] as const) {
      const error = await failure(upsertFile(session, { content: big, fileName: name, remoteDirectory: small }, { append }));
      expect(error.reason).toBe("FAILURE");
      expect(error.message).toContain(`${small}/${name}`);
      expect(error.message).toContain("disk full");
      expect(await ls(small)).toEqual(["keep.txt"]);
      expect(await cat(`${small}/keep.txt`)).toBe("old content");
    }
  });

  it("permission denied names the path", async () => {
    await sh(`mkdir '${dir}/ro' && printf keep > '${dir}/ro/a.txt' && chmod 555 '${dir}/ro' && chmod 444 '${dir}/ro/a.txt'`);
    const replace = await failure(upsertFile(session, { content: "x", fileName: "a.txt", remoteDirectory: `${dir}/ro` }));
    expect(replace.reason).toBe("PERMISSION_DENIED");
    expect(replace.message).toContain(`${dir}/ro/`);
    const append = await failure(upsertFile(session, { content: "x", fileName: "a.txt", remoteDirectory: `${dir}/ro` }, { append: true }));
    expect(append.reason).toBe("PERMISSION_DENIED");
    expect(append.message).toContain(`${dir}/ro/a.txt`);
    const mkdir = await failure(upsertFile(session, { content: "x", fileName: "a.txt", remoteDirectory: `${dir}/ro/sub` }, { createDir: true }));
    expect(mkdir.reason).toBe("PERMISSION_DENIED");
    expect(mkdir.message).toContain(`${dir}/ro/sub`);
    expect(await ls(`${dir}/ro`)).toEqual(["a.txt"]);
    expect(await cat(`${dir}/ro/a.txt`)).toBe("keep");
  });

  it("a source stream that fails midway: no partial file, no temporary file, the old content kept", async () => {
    await sh(`printf original > '${dir}/kept.txt'`);
    const failing = () => {
      let sent = false;
      return new Readable({
        read() {
          if (sent) return;
          sent = true;
          this.push(randomBytes(2 * 1024 * 1024));
          setTimeout(() => this.destroy(new Error("upstream hung up")), 50);
        },
      });
    };
    for (const [name, append] of [
      ["new.bin", false],
      ["kept.txt", false],
      ["kept.txt", true],
      ["new.bin", true],
    ] as const) {
      const error = await failure(upsertFile(session, { content: failing(), fileName: name, remoteDirectory: dir }, { append }));
      expect(error.reason).toBe("FAILURE");
      expect(error.message).toContain("upstream hung up");
      expect(await ls(dir)).toEqual(["kept.txt"]);
      expect(await cat(`${dir}/kept.txt`)).toBe("original");
    }
  });

  it("resumes a replace and an append on a fresh session after the server drops the connection", async () => {
    const pool = new SessionPool(config());
    try {
      await sh(`printf old > '${dir}/r.bin' && printf 'head:' > '${dir}/a.bin'`);
      const data = randomBytes(16 * 1024 * 1024);
      for (const [name, append, expected] of [
        ["r.bin", false, sha256(data)],
        ["a.bin", true, sha256(Buffer.concat([Buffer.from("head:"), data]))],
      ] as const) {
        const source = gatedSource(data.subarray(0, 6 * 1024 * 1024), data.subarray(6 * 1024 * 1024));
        const pending = upsertFile(pool, { content: source.stream, fileName: name, remoteDirectory: dir }, { append, retry: { attempts: 3, backoffMs: 50 } });
        await waitFor(async () => {
          if (append) return (await sizeOf(`${dir}/${name}`)) >= 5 + 6 * 1024 * 1024;
          const temp = (await ls(dir)).find(isTemporaryFileName);
          return temp !== undefined && (await sizeOf(`${dir}/${temp}`)) >= 6 * 1024 * 1024;
        }, "6 MiB written");
        await testbed.dropSessions();
        source.open();
        const result = await pending;
        expect(result.bytesWritten).toBe(data.length);
        expect(await testbed.sha256(`${dir}/${name}`)).toBe(expected);
      }
      expect(await ls(dir)).toEqual(["a.bin", "r.bin"]);
    } finally {
      await pool.close();
    }
  });
});
