// CREATE against the real testbed: every action, staging and temporary names, templates, atomic overwrite, bad input, full disk, permissions, failing sources and resume.
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
import { createFile, FILE_CREATED_MESSAGE, type CreateFileOptions } from "./index.js";

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

/** Runs a shell command in the container as the SFTP user. */
async function sh(command: string): Promise<string> {
  return (await testbed.exec(command, { user: "tester" })).stdout;
}

/** Every entry of a directory, hidden ones too, sorted. */
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

describe("createFile: content and names", () => {
  it("creates a file from a Buffer, a string, a Uint8Array, a stream and a local path, byte-exact", async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const local = join(mkdtempSync(join(tmpdir(), "create-")), "local.bin");
    writeFileSync(local, bytes);
    const cases: Array<[string, Parameters<typeof createFile>[1]["content"], string]> = [
      ["buffer.bin", bytes, sha256(bytes)],
      ["text.txt", "héllo wörld ✓\n", sha256("héllo wörld ✓\n")],
      ["u8.bin", new Uint8Array(bytes.buffer, bytes.byteOffset + 5, 1000), sha256(bytes.subarray(5, 1005))],
      ["stream.bin", Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]), sha256(bytes)],
      ["local.bin", { path: local }, sha256(bytes)],
    ];
    for (const [name, content, expected] of cases) {
      const result = await createFile(session, { content, fileName: name, remoteDirectory: dir });
      expect(result.message).toBe(FILE_CREATED_MESSAGE);
      expect(result.response).toEqual({ fileName: name, remoteDirectory: dir });
      expect(result.path).toBe(`${dir}/${name}`);
      expect(await testbed.sha256(`${dir}/${name}`)).toBe(expected);
    }
    expect(await ls(dir)).toEqual(["buffer.bin", "local.bin", "stream.bin", "text.txt", "u8.bin"]);
  });

  it("creates a zero-byte file", async () => {
    const result = await createFile(session, { content: Buffer.alloc(0), fileName: "empty.txt", remoteDirectory: dir });
    expect(result.bytesWritten).toBe(0);
    expect(await sizeOf(`${dir}/empty.txt`)).toBe(0);
    await createFile(session, { content: "", fileName: "empty2.txt", remoteDirectory: dir });
    expect(await sizeOf(`${dir}/empty2.txt`)).toBe(0);
    expect(await ls(dir)).toEqual(["empty.txt", "empty2.txt"]);
  });

  it("handles Unicode and space-containing names", async () => {
    const names = ["rapport été 2024.txt", "日本語 ファイル.csv", "  padded name.txt  ", "emoji 🚀 file"];
    for (const name of names) {
      const result = await createFile(session, { content: `content of ${name}`, fileName: name, remoteDirectory: dir });
      expect(result.response.fileName).toBe(name.trim());
      expect(await cat(`${dir}/${name.trim()}`)).toBe(`content of ${name}`);
    }
    expect(await ls(dir)).toEqual(names.map((n) => n.trim()).sort());
  });

  it("resolves the per-call directory (relative → home), sub-paths, and confines names", async () => {
    const relative = dir.slice(home.length + 1);
    await sh(`mkdir '${dir}/sub'`);
    const result = await createFile(session, { content: "x", fileName: "sub/a.txt", remoteDirectory: relative });
    expect(result.response).toEqual({ fileName: "a.txt", remoteDirectory: `${dir}/sub` });
    expect(await cat(`${dir}/sub/a.txt`)).toBe("x");
    const escaping = await failure(createFile(session, { content: "x", fileName: "../escape.txt", remoteDirectory: dir }));
    expect(escaping.reason).toBe("INVALID_INPUT");
    expect(escaping.message).toContain("fileName");
    const absolute = await failure(createFile(session, { content: "x", fileName: `${dir}/abs.txt`, remoteDirectory: home }));
    expect(absolute.reason).toBe("INVALID_INPUT");
    expect(await ls(dir)).toEqual(["sub"]);
    await createFile(session, { content: "y", fileName: `${dir}/abs.txt` }, { allowAbsolutePaths: true });
    expect(await cat(`${dir}/abs.txt`)).toBe("y");
  });

  it("reports progress up to the full size", async () => {
    const seen: number[] = [];
    const data = randomBytes(5 * 1024 * 1024);
    await createFile(session, { content: data, fileName: "p.bin", remoteDirectory: dir }, { onProgress: (n) => seen.push(n) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(data.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it("adds the timestamp with includeAllMetadata (the file's mtime, yyyy-MM-dd HH:mm:ss.SSS)", async () => {
    const result = await createFile(session, { content: "t", fileName: "t.txt", remoteDirectory: dir }, { includeAllMetadata: true });
    const stats = await session.lstat(`${dir}/t.txt`);
    expect(result.response.timestamp).toBe(formatTimestamp(stats.modifiedAt));
    expect(result.response.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(Object.keys(result.response)).toEqual(["fileName", "remoteDirectory", "timestamp"]);
  });
});

describe("createFile: actionIfFileExists", () => {
  it("ERROR (the default) refuses an existing file with Boomi's message and leaves it alone", async () => {
    await sh(`printf old > '${dir}/a.txt'`);
    const error = await failure(createFile(session, { content: "new", fileName: "a.txt", remoteDirectory: dir }));
    expect(error.reason).toBe("ALREADY_EXISTS");
    expect(error.message).toBe("the 'a.txt' file already exists in the remote directory on the SFTP server.");
    expect(error.path).toBe(`${dir}/a.txt`);
    expect(await cat(`${dir}/a.txt`)).toBe("old");
    expect(await ls(dir)).toEqual(["a.txt"]);
  });

  it("ERROR does not overwrite a file that appears during the upload", async () => {
    const source = gatedSource(Buffer.from("mine-"), Buffer.from("rest"));
    const pending = failure(createFile(session, { content: source.stream, fileName: "race.txt", remoteDirectory: dir }));
    await waitFor(async () => (await ls(dir)).some(isTemporaryFileName), "the temporary file");
    await sh(`printf theirs > '${dir}/race.txt'`);
    source.open();
    const error = await pending;
    expect(error.reason).toBe("ALREADY_EXISTS");
    expect(await cat(`${dir}/race.txt`)).toBe("theirs");
    expect(await ls(dir)).toEqual(["race.txt"]);
  });

  it("OVERWRITE replaces the file", async () => {
    await sh(`printf 'old old old' > '${dir}/a.txt'`);
    const result = await createFile(session, { content: "new", fileName: "a.txt", remoteDirectory: dir }, { actionIfFileExists: "OVERWRITE" });
    expect(result.response.fileName).toBe("a.txt");
    expect(await cat(`${dir}/a.txt`)).toBe("new");
    expect(await ls(dir)).toEqual(["a.txt"]);
    await createFile(session, { content: "fresh", fileName: "b.txt", remoteDirectory: dir }, { actionIfFileExists: "OVERWRITE" });
    expect(await cat(`${dir}/b.txt`)).toBe("fresh");
  });

  it("OVERWRITE is atomic: a concurrent reader sees only the old or the new content in full (32 MiB)", async () => {
    const path = `${dir}/big.bin`;
    const old = randomBytes(32 * 1024 * 1024);
    const next = randomBytes(32 * 1024 * 1024);
    await createFile(session, { content: old, fileName: "big.bin", remoteDirectory: dir });
    const log = `${dir}.reads`;
    const stop = `${dir}.stop`;
    // The reader hashes the file by path in a loop until told to stop; a missing or partial file would log another line.
    const reader = testbed.exec(`while [ ! -e '${stop}' ]; do sha256sum '${path}' 2>&1 | cut -c1-64 >> '${log}'; done`);
    // A second reader checks in a tight loop that the path never disappears (Boomi's delete-then-rename has such a window).
    const gone = `${dir}.gone`;
    const watcher = testbed.exec(`: > '${gone}'; while [ ! -e '${stop}' ]; do [ -e '${path}' ] || echo gone >> '${gone}'; done`);
    const lines = async () => (await testbed.exec(`cat '${log}' 2>/dev/null || true`)).stdout.split("\n").filter((l) => l !== "");
    await waitFor(async () => (await lines()).length >= 1, "the reader's first hash");
    const source = gatedSource(next.subarray(0, 16 * 1024 * 1024), next.subarray(16 * 1024 * 1024));
    const pending = createFile(session, { content: source.stream, fileName: "big.bin", remoteDirectory: dir }, { actionIfFileExists: "OVERWRITE" });
    // Half the new content is in the temporary file: let the reader hash the target a few times meanwhile.
    await waitFor(async () => {
      const temp = (await ls(dir)).find(isTemporaryFileName);
      return temp !== undefined && (await sizeOf(`${dir}/${temp}`)) >= 16 * 1024 * 1024;
    }, "half the upload");
    const before = (await lines()).length;
    await waitFor(async () => (await lines()).length >= before + 2, "two reads during the upload");
    source.open();
    await pending;
    await waitFor(async () => (await lines()).at(-1) === sha256(next), "the reader to see the new content");
    await testbed.exec(`touch '${stop}'`);
    await Promise.all([reader, watcher]);
    expect((await testbed.exec(`cat '${gone}'`)).stdout).toBe("");
    const seen = await lines();
    expect(new Set(seen)).toEqual(new Set([sha256(old), sha256(next)]));
    expect(seen.indexOf(sha256(next))).toBeGreaterThan(seen.lastIndexOf(sha256(old)));
    expect(await ls(dir)).toEqual(["big.bin"]);
  });

  it("OVERWRITE and APPEND refuse a directory in the way", async () => {
    await sh(`mkdir '${dir}/d.txt'`);
    for (const action of ["OVERWRITE", "APPEND"] as const) {
      const error = await failure(createFile(session, { content: "x", fileName: "d.txt", remoteDirectory: dir }, { actionIfFileExists: action }));
      expect(error.reason).toBe("ALREADY_EXISTS");
      expect(error.message).toContain("is a directory");
    }
  });

  it("APPEND appends the bytes exactly once, and creates a missing file", async () => {
    await sh(`printf 'hello ' > '${dir}/a.txt'`);
    const result = await createFile(session, { content: "world", fileName: "a.txt", remoteDirectory: dir }, { actionIfFileExists: "APPEND" });
    expect(result.bytesWritten).toBe(5);
    expect(await cat(`${dir}/a.txt`)).toBe("hello world");
    const head = randomBytes(1024 * 1024 + 3);
    const tail = randomBytes(5 * 1024 * 1024 + 11);
    await createFile(session, { content: head, fileName: "big.bin", remoteDirectory: dir }, { actionIfFileExists: "APPEND" });
    await createFile(session, { content: Readable.from([tail]), fileName: "big.bin", remoteDirectory: dir }, { actionIfFileExists: "APPEND" });
    expect(await sizeOf(`${dir}/big.bin`)).toBe(head.length + tail.length);
    expect(await testbed.sha256(`${dir}/big.bin`)).toBe(sha256(Buffer.concat([head, tail])));
    expect(await ls(dir)).toEqual(["a.txt", "big.bin"]);
  });

  it("FORCE_UNIQUE_NAMES numbers as Boomi does: a.txt → a1.txt → a2.txt; a7.txt alone → a8.txt", async () => {
    const options: CreateFileOptions = { actionIfFileExists: "FORCE_UNIQUE_NAMES" };
    const names: string[] = [];
    for (let i = 0; i < 3; i += 1)
      names.push((await createFile(session, { content: `v${i}`, fileName: "a.txt", remoteDirectory: dir }, options)).response.fileName);
    expect(names).toEqual(["a.txt", "a1.txt", "a2.txt"]);
    expect(await cat(`${dir}/a2.txt`)).toBe("v2");
    await sh(`mkdir '${dir}/seven' && printf 7 > '${dir}/seven/a7.txt'`);
    const seventh = await createFile(session, { content: "8", fileName: "seven/a.txt", remoteDirectory: dir }, options);
    expect(seventh.response).toEqual({ fileName: "a8.txt", remoteDirectory: `${dir}/seven` });
    expect(await ls(`${dir}/seven`)).toEqual(["a7.txt", "a8.txt"]);
  });

  it("FORCE_UNIQUE_NAMES escapes regex metacharacters in names", async () => {
    const options: CreateFileOptions = { actionIfFileExists: "FORCE_UNIQUE_NAMES" };
    await sh(`printf x > '${dir}/aab(1).txt' && printf x > '${dir}/ab(1).txt'`);
    const first = await createFile(session, { content: "1", fileName: "a+b(1).txt", remoteDirectory: dir }, options);
    const second = await createFile(session, { content: "2", fileName: "a+b(1).txt", remoteDirectory: dir }, options);
    expect([first.response.fileName, second.response.fileName]).toEqual(["a+b(1).txt", "a+b(1)1.txt"]);
    expect(await cat(`${dir}/a+b(1)1.txt`)).toBe("2");
  });

  it("FORCE_UNIQUE_NAMES gives concurrent uploads of one name distinct names", async () => {
    const options: CreateFileOptions = { actionIfFileExists: "FORCE_UNIQUE_NAMES" };
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => createFile(session, { content: `copy ${i}`, fileName: "same.txt", remoteDirectory: dir }, options)),
    );
    const names = results.map((r) => r.response.fileName);
    expect(new Set(names).size).toBe(6);
    expect(await ls(dir)).toEqual(["same.txt", "same1.txt", "same2.txt", "same3.txt", "same4.txt", "same5.txt"]);
    for (const [i, result] of results.entries()) expect(await cat(result.path)).toBe(`copy ${i}`);
  });

  it("targetFileName and tempFileName templates apply with FORCE_UNIQUE_NAMES", async () => {
    const staging = `${dir}/staging`;
    await sh(`mkdir '${staging}'`);
    const source = gatedSource(Buffer.from("orders "), Buffer.from("body"));
    const pending = createFile(
      session,
      { content: source.stream, fileName: "orders.csv", remoteDirectory: dir },
      { actionIfFileExists: "FORCE_UNIQUE_NAMES", targetFileName: "$BASE_$DATE.$EXTENSION", tempFileName: "$BASE.$UUID.part", stagingDirectory: staging },
    );
    await waitFor(async () => (await ls(staging)).length === 1, "the temporary file in staging");
    const [temp] = await ls(staging);
    expect(temp).toMatch(/^orders\.[0-9a-f-]{36}\.part$/);
    source.open();
    const result = await pending;
    expect(result.response.fileName).toMatch(/^orders_\d{8}\.csv$/);
    expect(await cat(result.path)).toBe("orders body");
    expect(await ls(staging)).toEqual([]);
    const again = await createFile(
      session,
      { content: "2", fileName: "orders.csv", remoteDirectory: dir },
      { actionIfFileExists: "FORCE_UNIQUE_NAMES", targetFileName: "$BASE_$DATE.$EXTENSION" },
    );
    expect(again.response.fileName).toBe(result.response.fileName.replace(".csv", "1.csv"));
  });
});

describe("createFile: temporary files", () => {
  it("uploads to a hidden .<name>.<uuid>.sftp-tmp beside the target, then renames it", async () => {
    const source = gatedSource(Buffer.from("part one "), Buffer.from("part two"));
    const pending = createFile(session, { content: source.stream, fileName: "report.txt", remoteDirectory: dir });
    await waitFor(async () => (await ls(dir)).length === 1, "the temporary file");
    const [temp] = await ls(dir);
    expect(temp).toMatch(/^\.report\.txt\.[0-9a-f-]{36}\.sftp-tmp$/);
    expect(isTemporaryFileName(temp!)).toBe(true);
    source.open();
    await pending;
    expect(await ls(dir)).toEqual(["report.txt"]);
    expect(await cat(`${dir}/report.txt`)).toBe("part one part two");
  });

  it("uploads into the staging directory (relative → home), which is empty afterwards", async () => {
    const staging = `${dir}/staging`;
    await sh(`mkdir '${staging}'`);
    const source = gatedSource(Buffer.from("staged "), Buffer.from("content"));
    const pending = createFile(
      session,
      { content: source.stream, fileName: "s.txt", remoteDirectory: dir },
      { stagingDirectory: staging.slice(home.length + 1) },
    );
    await waitFor(async () => (await ls(staging)).length === 1, "the temporary file in staging");
    expect(isTemporaryFileName((await ls(staging))[0]!)).toBe(true);
    expect(await ls(dir)).toEqual(["staging"]);
    source.open();
    await pending;
    expect(await ls(staging)).toEqual([]);
    expect(await cat(`${dir}/s.txt`)).toBe("staged content");
  });

  it("names the temporary file <name><uuid>.<ext> with tempExtension (a leading dot added; the document property wins)", async () => {
    const staging = `${dir}/staging`;
    await sh(`mkdir '${staging}'`);
    const source = gatedSource(Buffer.from("a"), Buffer.from("b"));
    const pending = createFile(
      session,
      { content: source.stream, fileName: "e.txt", remoteDirectory: dir, tempExtension: "part", stagingDirectory: staging },
      { tempExtension: ".ignored", stagingDirectory: "/nonexistent" },
    );
    await waitFor(async () => (await ls(staging)).length === 1, "the temporary file");
    expect((await ls(staging))[0]).toMatch(/^e\.txt[0-9a-f-]{36}\.part$/);
    source.open();
    await pending;
    expect(await ls(staging)).toEqual([]);
    expect(await cat(`${dir}/e.txt`)).toBe("ab");
    // Without staging, the temporary file sits beside the target.
    const beside = gatedSource(Buffer.from("c"), Buffer.from("d"));
    const next = createFile(session, { content: beside.stream, fileName: "f.txt", remoteDirectory: dir }, { tempExtension: "tmp" });
    await waitFor(async () => (await ls(dir)).some((n) => /^f\.txt[0-9a-f-]{36}\.tmp$/.test(n)), "the temporary file beside the target");
    beside.open();
    await next;
    expect(await ls(dir)).toEqual(["e.txt", "f.txt", "staging"]);
  });

  it("a staging directory on another file system fails the rename, and leaves nothing behind", async () => {
    const small = `${home}/small`;
    await sh(`rm -rf '${small}'/* '${small}'/.[!.]* 2>/dev/null; true`);
    const error = await failure(createFile(session, { content: "x", fileName: "a.txt", remoteDirectory: dir }, { stagingDirectory: small }));
    expect(error.reason).toBe("FAILURE");
    expect(error.message).toMatch(/^Could not rename path '\/home\/tester\/small\/\.a\.txt\.[0-9a-f-]+\.sftp-tmp' to '.*\/a\.txt' Cause: /);
    expect(error.message).toContain("another file system");
    expect(await ls(small)).toEqual([]);
    expect(await ls(dir)).toEqual([]);
  });

  it("a missing staging directory is NO_SUCH_FILE 'Staging directory does not exist'; APPEND ignores staging", async () => {
    const error = await failure(createFile(session, { content: "x", fileName: "a.txt", remoteDirectory: dir }, { stagingDirectory: `${dir}/nope` }));
    expect(error.reason).toBe("NO_SUCH_FILE");
    expect(error.message).toBe(`Staging directory does not exist: '${dir}/nope'`);
    expect(await ls(dir)).toEqual([]);
    await createFile(session, { content: "x", fileName: "a.txt", remoteDirectory: dir }, { stagingDirectory: `${dir}/nope`, actionIfFileExists: "APPEND" });
    expect(await cat(`${dir}/a.txt`)).toBe("x");
  });
});

describe("createFile: directories, permissions, full disks and failing sources", () => {
  it("a missing remote directory is NO_SUCH_FILE 'Remote directory does not exist'; createDirectories creates it", async () => {
    const missing = `${dir}/x/y/z`;
    const error = await failure(createFile(session, { content: "x", fileName: "a.txt", remoteDirectory: missing }));
    expect(error.reason).toBe("NO_SUCH_FILE");
    expect(error.message).toBe(`Remote directory does not exist: '${missing}'`);
    expect(await ls(dir)).toEqual([]);
    const result = await createFile(session, { content: "x", fileName: "a.txt", remoteDirectory: missing }, { createDirectories: true });
    expect(result.response.remoteDirectory).toBe(missing);
    expect(await cat(`${missing}/a.txt`)).toBe("x");
    await createFile(session, { content: "y", fileName: "deeper/b.txt", remoteDirectory: missing }, { createDirectories: true });
    expect(await cat(`${missing}/deeper/b.txt`)).toBe("y");
  });

  it("takes UPSERT's spelling (Boomi's createDir, includeAll) as CREATE's createDirectories and includeAllMetadata", async () => {
    const missing = `${dir}/p/q`;
    const result = await createFile(session, { content: "x", fileName: "a.txt", remoteDirectory: missing }, { createDir: true, includeAll: true });
    expect(await cat(`${missing}/a.txt`)).toBe("x");
    expect(result.response.timestamp).toBe(formatTimestamp((await session.lstat(`${missing}/a.txt`)).modifiedAt));
    const unknown = await failure(createFile(session, { content: "x", fileName: "b.txt", remoteDirectory: `${dir}/r` }, { createDirectory: true } as never));
    expect(unknown.message).toBe('unknown option "createDirectory"; did you mean "createDirectories"?');
    expect(await ls(dir)).toEqual(["p"]);
  });

  it("permission denied names the path and leaves nothing behind", async () => {
    await sh(`mkdir '${dir}/ro' && printf keep > '${dir}/ro/a.txt' && chmod 555 '${dir}/ro'`);
    for (const action of ["ERROR", "OVERWRITE", "FORCE_UNIQUE_NAMES"] as const) {
      const error = await failure(
        createFile(session, { content: "x", fileName: action === "ERROR" ? "b.txt" : "a.txt", remoteDirectory: `${dir}/ro` }, { actionIfFileExists: action }),
      );
      expect(error.reason).toBe("PERMISSION_DENIED");
      expect(error.message).toContain(`${dir}/ro/`);
    }
    const created = await failure(createFile(session, { content: "x", fileName: "c/d.txt", remoteDirectory: `${dir}/ro` }, { createDirectories: true }));
    expect(created.reason).toBe("PERMISSION_DENIED");
    expect(created.message).toContain(`${dir}/ro/c`);
    expect(await ls(`${dir}/ro`)).toEqual(["a.txt"]);
    expect(await cat(`${dir}/ro/a.txt`)).toBe("keep");
  });

  it("a full disk fails with FAILURE naming the path, leaves no file and no temporary file, and keeps an existing file", async () => {
    const small = `${home}/small`;
    await sh(`rm -rf '${small}'/* '${small}'/.[!.]* 2>/dev/null; printf 'old content' > '${small}/keep.txt'`);
    const big = randomBytes(4 * 1024 * 1024);
    for (const [name, action] of [
      ["new.bin", "ERROR"],
      ["keep.txt", "OVERWRITE"],
      ["u.bin", "FORCE_UNIQUE_NAMES"],
    ] as const) {
      const error = await failure(createFile(session, { content: big, fileName: name, remoteDirectory: small }, { actionIfFileExists: action }));
      expect(error.reason).toBe("FAILURE");
      expect(error.message).toContain(`${small}/${name}`);
      expect(error.message).toContain("disk full");
      expect(await ls(small)).toEqual(["keep.txt"]);
      expect(await cat(`${small}/keep.txt`)).toBe("old content");
    }
    const appended = await failure(createFile(session, { content: big, fileName: "keep.txt", remoteDirectory: small }, { actionIfFileExists: "APPEND" }));
    expect(appended.reason).toBe("FAILURE");
    expect(await cat(`${small}/keep.txt`)).toBe("old content");
    expect(await ls(small)).toEqual(["keep.txt"]);
  });

  it("a source stream that fails midway leaves no file at the name and no temporary file", async () => {
    await sh(`printf original > '${dir}/kept.txt'`);
    const failing = () => {
      let sent = false;
      return new Readable({
        read() {
          if (sent) return;
          sent = true;
          this.push(randomBytes(2 * 1024 * 1024));
          setTimeout(() => this.destroy(new Error("disk read error on the source")), 50);
        },
      });
    };
    for (const [name, action] of [
      ["new.bin", "ERROR"],
      ["kept.txt", "OVERWRITE"],
      ["kept.txt", "APPEND"],
    ] as const) {
      const error = await failure(createFile(session, { content: failing(), fileName: name, remoteDirectory: dir }, { actionIfFileExists: action }));
      expect(error.reason).toBe("FAILURE");
      expect(error.message).toContain("content");
      expect(error.message).toContain("disk read error on the source");
      expect(await ls(dir)).toEqual(["kept.txt"]);
      expect(await cat(`${dir}/kept.txt`)).toBe("original");
    }
  });

  it("resumes the upload on a fresh session after the server drops the connection (SHA-256 identical)", async () => {
    const pool = new SessionPool(config());
    try {
      const data = randomBytes(24 * 1024 * 1024);
      const source = gatedSource(data.subarray(0, 8 * 1024 * 1024), data.subarray(8 * 1024 * 1024));
      const pending = createFile(pool, { content: source.stream, fileName: "resume.bin", remoteDirectory: dir }, { retry: { attempts: 3, backoffMs: 50 } });
      await waitFor(async () => {
        const temp = (await ls(dir)).find(isTemporaryFileName);
        return temp !== undefined && (await sizeOf(`${dir}/${temp}`)) >= 8 * 1024 * 1024;
      }, "8 MiB in the temporary file");
      await testbed.dropSessions();
      source.open();
      const result = await pending;
      expect(result.bytesWritten).toBe(data.length);
      expect(await testbed.sha256(`${dir}/resume.bin`)).toBe(sha256(data));
      expect(await ls(dir)).toEqual(["resume.bin"]);
    } finally {
      await pool.close();
    }
  });

  it("an APPEND resumes too, and appends the bytes exactly once", async () => {
    const pool = new SessionPool(config());
    try {
      const head = randomBytes(1024 * 1024);
      await sh(`head -c 0 /dev/null > '${dir}/log.bin'`);
      await createFile(pool, { content: head, fileName: "log.bin", remoteDirectory: dir }, { actionIfFileExists: "APPEND" });
      const data = randomBytes(12 * 1024 * 1024);
      const source = gatedSource(data.subarray(0, 4 * 1024 * 1024), data.subarray(4 * 1024 * 1024));
      const pending = createFile(
        pool,
        { content: source.stream, fileName: "log.bin", remoteDirectory: dir },
        { actionIfFileExists: "APPEND", retry: { attempts: 3, backoffMs: 50 } },
      );
      await waitFor(async () => (await sizeOf(`${dir}/log.bin`)) >= head.length + 4 * 1024 * 1024, "4 MiB appended");
      await testbed.dropSessions();
      source.open();
      await pending;
      expect(await testbed.sha256(`${dir}/log.bin`)).toBe(sha256(Buffer.concat([head, data])));
    } finally {
      await pool.close();
    }
  });
});
