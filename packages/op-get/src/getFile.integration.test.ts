// getFile against the real OpenSSH testbed: every option, odd names and sizes, bad input, and a download resumed after the server drops the connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { rejectionOf, sha256, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { formatTimestamp, fromBoomiOperationProperties, isSftpConnectorError, type ConnectionConfig, type SftpConnectorError } from "@sftp-connector/core";
import { openSession, SessionPool, type SftpSession } from "@sftp-connector/transport";
import { AfterReadError, BLANK_ID_MESSAGE, getFile } from "./index.js";

let testbed: Testbed;
let home: string;

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
});
afterAll(async () => {
  await testbed?.stop();
});

const config = (): ConnectionConfig => testbed.connectionConfig({ hostKey: "fingerprint" });

/** Runs `work` with a fresh session (tests that kill sessions on the server must not take others with them). */
async function withSession<T>(work: (session: SftpSession) => Promise<T>): Promise<T> {
  const session = await openSession(config());
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

/** Writes a file over SFTP (as the test user), creating its directory. */
async function put(session: SftpSession, path: string, content: string | Buffer): Promise<void> {
  await session.mkdir(path.slice(0, path.lastIndexOf("/")) || "/", { recursive: true });
  await pipeline(Readable.from([Buffer.from(content)]), session.createWriteStream(path));
}

/** Runs a shell command in the testbed; paths are quoted by the caller. */
const sh = async (command: string) => (await testbed.exec(command)).stdout;
const exists = async (path: string) => (await testbed.exec(`test -e '${path}'`, { allowFailure: true })).exitCode === 0;

/** A sink that keeps the bytes and can hold back (awaiting async work) on the first chunk or once N bytes arrived. */
function sink(options: { onFirst?: () => Promise<void>; at?: number; hold?: () => Promise<void> } = {}): { stream: Writable; data: () => Buffer } {
  const parts: Buffer[] = [];
  let bytes = 0;
  let first = true;
  let fired = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      bytes += chunk.length;
      let work: Promise<void> | undefined;
      if (first && options.onFirst) work = options.onFirst();
      first = false;
      if (options.at !== undefined && !fired && bytes >= options.at) {
        fired = true;
        work = options.hold?.();
      }
      if (work) work.then(() => callback(), callback);
      else callback();
    },
  });
  return { stream, data: () => Buffer.concat(parts) };
}

const rejection = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

describe("getFile: names, sizes and properties", () => {
  it("gets a file by name and by sub-path, with Boomi's properties", async () => {
    await withSession(async (session) => {
      await put(session, `${home}/byname/top.txt`, "top\n");
      await put(session, `${home}/byname/sub/deeper/b.txt`, "deeper\n");
      await sh(`touch -d '2024-02-29T13:05:07Z' '${home}/byname/sub/deeper/b.txt'`);

      const top = await getFile(session, { fileName: "top.txt", remoteDirectory: "byname" }, { as: "buffer" });
      expect(top!.content.toString()).toBe("top\n");
      expect(top!.properties).toMatchObject({ fileName: "top.txt", remoteDirectory: `${home}/byname`, size: 4 });

      const doc = await getFile(session, { fileName: "sub/deeper/b.txt", remoteDirectory: `${home}/byname` });
      const out = sink();
      await pipeline(doc!.content, out.stream);
      expect(out.data().toString()).toBe("deeper\n");
      expect(doc!.properties).toEqual({
        fileName: "sub/deeper/b.txt",
        remoteDirectory: `${home}/byname`,
        timestamp: formatTimestamp(new Date("2024-02-29T13:05:07Z")),
        size: 7,
      });
    });
  });

  it("the connection's home is the default directory", async () => {
    await withSession(async (session) => {
      await put(session, `${home}/at-home.txt`, "home");
      const doc = await getFile(session, { fileName: "at-home.txt" }, { as: "buffer" });
      expect(doc!.properties.remoteDirectory).toBe(home);
      expect(doc!.content.toString()).toBe("home");
    });
  });

  it("gets Unicode and space-containing names, in a Unicode sub-directory", async () => {
    await withSession(async (session) => {
      const names = ["résumé 2026 ✓.txt", "日本 語/ファイル 1.csv", "name with  two  spaces .txt"];
      for (const name of names) await put(session, `${home}/unicode/${name}`, `content of ${name}`);
      for (const name of names) {
        const doc = await getFile(session, { fileName: name, remoteDirectory: "unicode" }, { as: "buffer" });
        expect(doc!.content.toString()).toBe(`content of ${name}`);
        expect(doc!.properties.fileName).toBe(name);
      }
      // The server sees the exact UTF-8 name.
      expect(await sh(`ls '${home}/unicode/日本 語'`)).toBe("ファイル 1.csv\n");
    });
  });

  it("gets a zero-byte file as an empty stream and an empty buffer", async () => {
    await withSession(async (session) => {
      await sh(`mkdir -p '${home}/zero' && : > '${home}/zero/empty.bin' && chown -R tester '${home}/zero'`);
      const doc = await getFile(session, { fileName: "empty.bin", remoteDirectory: "zero" });
      const out = sink();
      await pipeline(doc!.content, out.stream);
      expect(out.data().length).toBe(0);
      expect(doc!.properties.size).toBe(0);
      const buffered = await getFile(session, { fileName: "empty.bin", remoteDirectory: "zero" }, { as: "buffer", includeAllMetadata: true });
      expect(JSON.parse(buffered!.content.toString()).fileContent).toBe("");
    });
  });

  it("reads a file whose stat size lies (/proc/self/status says 0) to its end", async () => {
    await withSession(async (session) => {
      const stats = await session.stat("/proc/self/status");
      expect(stats.size).toBe(0);
      const doc = await getFile(session, { fileName: "/proc/self/status" }, { as: "buffer", allowAbsolutePaths: true });
      const text = doc!.content.toString();
      expect(text).toMatch(/^Name:\t\S+\n/);
      expect(text).toContain("\nPid:");
      expect(doc!.properties).toMatchObject({ fileName: "status", remoteDirectory: "/proc/self", size: doc!.content.length });

      const streamed = await getFile(session, { fileName: "/proc/self/status" }, { allowAbsolutePaths: true });
      expect(streamed!.properties.size).toBe(0);
      const out = sink();
      await pipeline(streamed!.content, out.stream);
      expect(out.data().toString()).toMatch(/^Name:\t\S+\n/);
      expect(streamed!.properties.size).toBe(out.data().length);
    });
  });

  it("reports onProgress totals that end at the file's size, in both modes", async () => {
    await withSession(async (session) => {
      await sh(`head -c 3000000 /dev/urandom > '${home}/progress.bin' && chown tester '${home}/progress.bin'`);
      for (const as of ["stream", "buffer"] as const) {
        const totals: number[] = [];
        const doc = await getFile(session, { fileName: "progress.bin" }, { as, onProgress: (n) => totals.push(n) });
        if (as === "stream") await pipeline(doc!.content as Readable, sink().stream);
        expect(totals.length).toBeGreaterThan(1);
        expect(totals.every((n, i) => i === 0 || n > totals[i - 1]!)).toBe(true);
        expect(totals.at(-1)).toBe(3_000_000);
      }
    });
  });

  it("buffer mode returns the exact bytes of a 5 MiB file", async () => {
    await withSession(async (session) => {
      await sh(`head -c 5242880 /dev/urandom > '${home}/five.bin' && chown tester '${home}/five.bin'`);
      const expected = await testbed.sha256(`${home}/five.bin`);
      const doc = await getFile(session, { fileName: "five.bin" }, { as: "buffer" });
      expect(Buffer.isBuffer(doc!.content)).toBe(true);
      expect(doc!.content.length).toBe(5_242_880);
      expect(sha256(doc!.content)).toBe(expected);
    });
  });
});

describe("getFile: not found and bad input", () => {
  it("a missing file is an empty result, or NO_SUCH_FILE naming the path with failIfNotFound", async () => {
    await withSession(async (session) => {
      expect(await getFile(session, { fileName: "no-such-file.txt" })).toBeUndefined();
      expect(await getFile(session, { fileName: "no-such-dir/no-such-file.txt" })).toBeUndefined();
      const error = await rejection(getFile(session, { fileName: "no-such-file.txt" }, { failIfNotFound: true }));
      expect(error.reason).toBe("NO_SUCH_FILE");
      expect(error.message).toBe(`File Not Found: '${home}/no-such-file.txt'`);
      expect(error.path).toBe(`${home}/no-such-file.txt`);
    });
  });

  it("a missing remote directory is NO_SUCH_FILE 'Remote directory does not exist' with the path", async () => {
    await withSession(async (session) => {
      const error = await rejection(getFile(session, { fileName: "a.txt", remoteDirectory: "missing-dir" }));
      expect(error.reason).toBe("NO_SUCH_FILE");
      expect(error.message).toBe(`Remote directory does not exist: '${home}/missing-dir'`);
    });
  });

  it("a directory given as the file is INVALID_INPUT naming it", async () => {
    await withSession(async (session) => {
      await session.mkdir(`${home}/a-directory`, { recursive: true });
      const error = await rejection(getFile(session, { fileName: "a-directory" }));
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toBe(`fileName: '${home}/a-directory' is a directory, not a file`);
    });
  });

  it("refuses blank, absolute and escaping names with INVALID_INPUT, and reads nothing", async () => {
    await withSession(async (session) => {
      const blank = await rejection(getFile(session, { fileName: "  " }));
      expect(blank.reason).toBe("INVALID_INPUT");
      expect(blank.message).toBe(`fileName: ${BLANK_ID_MESSAGE}`);
      for (const fileName of ["../../etc/passwd", "/etc/passwd", "sub/../../x"]) {
        const error = await rejection(getFile(session, { fileName }));
        expect(error.reason).toBe("INVALID_INPUT");
        expect(error.message).toMatch(/^fileName: '.*' (escapes the remote directory|is absolute)/);
      }
      // With allowAbsolutePaths, the same absolute name is read.
      const passwd = await getFile(session, { fileName: "/etc/passwd" }, { allowAbsolutePaths: true, as: "buffer" });
      expect(passwd!.content.toString()).toContain("tester:");
    });
  });
});

describe("getFile: after-read actions", () => {
  it("deleteAfter deletes the file only once the stream was consumed to its end", async () => {
    await withSession(async (session) => {
      const path = `${home}/delete-after.bin`;
      await sh(`head -c 4000000 /dev/urandom > '${path}' && chown tester '${path}'`);
      const doc = await getFile(session, { fileName: "delete-after.bin" }, { deleteAfter: true });
      expect(await exists(path)).toBe(true);
      let existedMidway = false;
      const out = sink({ onFirst: async () => void (existedMidway = await exists(path)) });
      await pipeline(doc!.content, out.stream);
      expect(existedMidway).toBe(true);
      expect(out.data().length).toBe(4_000_000);
      expect(await exists(path)).toBe(false);
    });
  });

  it("Boomi's stored properties (fromBoomiOperationProperties) drive deleteAfter; a misspelt option is refused before anything is read or deleted", async () => {
    await withSession(async (session) => {
      await put(session, `${home}/boomi-get.txt`, "boomi");
      const error = await rejection(getFile(session, { fileName: "boomi-get.txt" }, { deleteAftr: true } as never));
      expect(error.reason).toBe("INVALID_INPUT");
      expect(error.message).toBe('unknown option "deleteAftr"; did you mean "deleteAfter"?');
      expect(await exists(`${home}/boomi-get.txt`)).toBe(true);
      const options = fromBoomiOperationProperties("GET", { deleteAfter: "true", failDeleteAfter: "false", includeAllMetadata: "false" });
      const doc = await getFile(session, { fileName: "boomi-get.txt" }, { ...options, as: "buffer" });
      expect(doc!.content.toString()).toBe("boomi");
      expect(await exists(`${home}/boomi-get.txt`)).toBe(false);
    });
  });

  it("deleteAfter in buffer mode deletes before returning", async () => {
    await withSession(async (session) => {
      await put(session, `${home}/delete-buffer.txt`, "bye");
      const doc = await getFile(session, { fileName: "delete-buffer.txt" }, { deleteAfter: true, as: "buffer" });
      expect(doc!.content.toString()).toBe("bye");
      expect(await exists(`${home}/delete-buffer.txt`)).toBe(false);
    });
  });

  it("a stream abandoned half-way leaves the file in place", async () => {
    await withSession(async (session) => {
      const path = `${home}/abandoned.bin`;
      await sh(`head -c 4000000 /dev/urandom > '${path}' && chown tester '${path}'`);
      const doc = await getFile(session, { fileName: "abandoned.bin" }, { deleteAfter: true });
      for await (const _chunk of doc!.content) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await exists(path)).toBe(true);
    });
  });

  describe("in a read-only directory (the delete fails)", () => {
    const dir = () => `${home}/readonly`;
    beforeAll(async () => {
      await sh(`mkdir -p '${dir()}' && printf 'keep me\\r\\n' > '${dir()}/locked.txt' && chown -R tester '${dir()}' && chmod 555 '${dir()}'`);
    });

    it("failDeleteAfter: the stream delivers the content, then errors with PERMISSION_DENIED and 'Unable to delete the file'; the file stays", async () => {
      await withSession(async (session) => {
        const doc = await getFile(session, { fileName: "locked.txt", remoteDirectory: "readonly" }, { deleteAfter: true, failDeleteAfter: true });
        const out = sink();
        const error = await rejection(pipeline(doc!.content, out.stream));
        expect(out.data().toString()).toBe("keep me\r\n");
        expect(error).toBeInstanceOf(AfterReadError);
        expect(error.reason).toBe("PERMISSION_DENIED");
        expect(error.message).toContain(`Unable to delete the file '${dir()}/locked.txt'`);
        expect(await exists(`${dir()}/locked.txt`)).toBe(true);
      });
    });

    it("failDeleteAfter in buffer mode: rejects, with the content on the error", async () => {
      await withSession(async (session) => {
        const error = await rejection(
          getFile(session, { fileName: "locked.txt", remoteDirectory: "readonly" }, { deleteAfter: true, failDeleteAfter: true, as: "buffer" }),
        );
        expect(error.reason).toBe("PERMISSION_DENIED");
        expect((error as AfterReadError).document?.content.toString()).toBe("keep me\r\n");
        expect(await exists(`${dir()}/locked.txt`)).toBe(true);
      });
    });

    it("without failDeleteAfter: a warning, and the content is returned", async () => {
      await withSession(async (session) => {
        const warnings: string[] = [];
        const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => void warnings.push(message) };
        const doc = await getFile(session, { fileName: "locked.txt", remoteDirectory: "readonly" }, { deleteAfter: true, logger });
        const out = sink();
        await pipeline(doc!.content, out.stream);
        expect(out.data().toString()).toBe("keep me\r\n");
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(new RegExp(`^Unable to delete the file '${dir()}/locked\\.txt': .*permission denied`));
        expect(await exists(`${dir()}/locked.txt`)).toBe(true);
      });
    });
  });

  it("includeAllMetadata: exact JSON, CRLF and trailing newline kept, mtime read before deleteAfter", async () => {
    await withSession(async (session) => {
      const text = 'Zeile 1 "quoted"\r\nGrüße 😀\tTab\r\n\n';
      await put(session, `${home}/meta/lines.txt`, text);
      await sh(`touch -d '2023-03-23T12:08:56Z' '${home}/meta/lines.txt'`);
      const doc = await getFile(session, { fileName: "lines.txt", remoteDirectory: "meta" }, { includeAllMetadata: true, deleteAfter: true });
      const out = sink();
      await pipeline(doc!.content, out.stream);
      const expected = `{"fileContent":${JSON.stringify(text)},"modifiedDate":"${formatTimestamp(new Date("2023-03-23T12:08:56Z"))}"}`;
      expect(out.data().toString("utf8")).toBe(expected);
      expect(JSON.parse(out.data().toString("utf8")).fileContent).toBe(text);
      expect(await exists(`${home}/meta/lines.txt`)).toBe(false);
    });
  });

  describe("moveAfter", () => {
    it("moves the file into the directory once read, keeping its bytes", async () => {
      await withSession(async (session) => {
        await put(session, `${home}/inbox/m1.txt`, "move me");
        await session.mkdir(`${home}/inbox/done`);
        const doc = await getFile(session, { fileName: "m1.txt", remoteDirectory: "inbox" }, { moveAfter: "done" });
        expect(await exists(`${home}/inbox/m1.txt`)).toBe(true);
        await pipeline(doc!.content, sink().stream);
        expect(await exists(`${home}/inbox/m1.txt`)).toBe(false);
        expect(await sh(`cat '${home}/inbox/done/m1.txt'`)).toBe("move me");
      });
    });

    it("a missing directory is NO_SUCH_FILE before the download; createDirectories makes it", async () => {
      await withSession(async (session) => {
        await put(session, `${home}/inbox/m2.txt`, "two");
        const error = await rejection(getFile(session, { fileName: "m2.txt", remoteDirectory: "inbox" }, { moveAfter: "archive/2026/03" }));
        expect(error.reason).toBe("NO_SUCH_FILE");
        expect(error.message).toContain(`'${home}/inbox/archive/2026/03' does not exist`);
        expect(await exists(`${home}/inbox/archive`)).toBe(false);
        await getFile(session, { fileName: "m2.txt", remoteDirectory: "inbox" }, { moveAfter: "archive/2026/03", createDirectories: true, as: "buffer" });
        expect(await sh(`cat '${home}/inbox/archive/2026/03/m2.txt'`)).toBe("two");
        expect(await exists(`${home}/inbox/m2.txt`)).toBe(false);
      });
    });

    it("a name clash is ALREADY_EXISTS (nothing moved, nothing read); overwrite replaces the old file", async () => {
      await withSession(async (session) => {
        await put(session, `${home}/inbox/m3.txt`, "new");
        await put(session, `${home}/inbox/done/m3.txt`, "old");
        const error = await rejection(getFile(session, { fileName: "m3.txt", remoteDirectory: "inbox" }, { moveAfter: "done" }));
        expect(error.reason).toBe("ALREADY_EXISTS");
        expect(error.message).toContain(`'${home}/inbox/done/m3.txt' file already exists`);
        expect(await sh(`cat '${home}/inbox/m3.txt' '${home}/inbox/done/m3.txt'`)).toBe("newold");
        const doc = await getFile(session, { fileName: "m3.txt", remoteDirectory: "inbox" }, { moveAfter: "done", overwrite: true });
        await pipeline(doc!.content, sink().stream);
        expect(await sh(`cat '${home}/inbox/done/m3.txt'`)).toBe("new");
        expect(await exists(`${home}/inbox/m3.txt`)).toBe(false);
      });
    });

    it("a clash that appears while the stream is read fails the stream with ALREADY_EXISTS and leaves both files", async () => {
      await withSession(async (session) => {
        await put(session, `${home}/inbox/m4.txt`, "mine");
        const doc = await getFile(session, { fileName: "m4.txt", remoteDirectory: "inbox" }, { moveAfter: "done" });
        await put(session, `${home}/inbox/done/m4.txt`, "theirs");
        const error = await rejection(pipeline(doc!.content, sink().stream));
        expect(error).toBeInstanceOf(AfterReadError);
        expect(error.reason).toBe("ALREADY_EXISTS");
        expect(await sh(`cat '${home}/inbox/m4.txt' '${home}/inbox/done/m4.txt'`)).toBe("minetheirs");
      });
    });

    it("refuses a target outside the remote directory unless allowAbsolutePaths", async () => {
      await withSession(async (session) => {
        await put(session, `${home}/inbox/m5.txt`, "five");
        const error = await rejection(getFile(session, { fileName: "m5.txt", remoteDirectory: "inbox" }, { moveAfter: "../elsewhere" }));
        expect(error.reason).toBe("INVALID_INPUT");
        expect(error.message).toContain("escapes the remote directory");
        await getFile(
          session,
          { fileName: "m5.txt", remoteDirectory: "inbox" },
          {
            moveAfter: `${home}/elsewhere`,
            allowAbsolutePaths: true,
            createDirectories: true,
            as: "buffer",
          },
        );
        expect(await sh(`cat '${home}/elsewhere/m5.txt'`)).toBe("five");
      });
    });
  });
});

describe("getFile: resume after the server drops the connection", () => {
  const size = 24 * 1024 * 1024;
  function recordingLogger() {
    const warnings: string[] = [];
    return { warnings, logger: { debug() {}, info() {}, error() {}, warn: (message: string) => void warnings.push(message) } };
  }

  it("resumes at the offset reached on a fresh pooled session: byte-identical, progress whole, deleted after", async () => {
    const path = `${home}/resume.bin`;
    await sh(`head -c ${size} /dev/urandom > '${path}' && chown tester '${path}'`);
    const expected = await testbed.sha256(path);
    const pool = new SessionPool(config());
    try {
      const totals: number[] = [];
      const { logger, warnings } = recordingLogger();
      const doc = await getFile(
        pool,
        { fileName: "resume.bin" },
        {
          retry: { attempts: 2, backoffMs: 50 },
          deleteAfter: true,
          failDeleteAfter: true,
          onProgress: (n) => totals.push(n),
          logger,
        },
      );
      // The sink holds back (so the reader stalls on backpressure) until the server has killed the sessions.
      let killed = false;
      const out = sink({ at: 8 * 1024 * 1024, hold: async () => void (await testbed.dropSessions(), (killed = true)) });
      await pipeline(doc!.content, out.stream);
      expect(killed).toBe(true);
      expect(warnings.some((w) => /resuming on a new session/.test(w))).toBe(true);
      expect(out.data().length).toBe(size);
      expect(sha256(out.data())).toBe(expected);
      expect(totals.at(-1)).toBe(size);
      expect(await exists(path)).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it("buffer mode resumes the same way", async () => {
    const path = `${home}/resume-buffer.bin`;
    await sh(`head -c ${size} /dev/urandom > '${path}' && chown tester '${path}'`);
    const expected = await testbed.sha256(path);
    const pool = new SessionPool(config());
    try {
      let killed = false;
      const { logger, warnings } = recordingLogger();
      const doc = await getFile(
        pool,
        { fileName: "resume-buffer.bin" },
        {
          as: "buffer",
          retry: { attempts: 2, backoffMs: 50 },
          logger,
          onProgress: (n) => {
            if (!killed && n >= 8 * 1024 * 1024) {
              killed = true;
              testbed.dropSessionsSync(); // blocks this process until the server has killed them: the read cannot race past
            }
          },
        },
      );
      expect(killed).toBe(true);
      expect(warnings.some((w) => /resuming on a new session/.test(w))).toBe(true);
      expect(doc!.content.length).toBe(size);
      expect(sha256(doc!.content)).toBe(expected);
    } finally {
      await pool.close();
    }
  });

  it("with no retries left, the stream fails with CONNECTION_LOST and the file is not deleted", async () => {
    const path = `${home}/no-resume.bin`;
    await sh(`head -c ${size} /dev/urandom > '${path}' && chown tester '${path}'`);
    const pool = new SessionPool(config());
    try {
      const doc = await getFile(pool, { fileName: "no-resume.bin" }, { retry: { attempts: 0 }, deleteAfter: true });
      const error = await rejection(pipeline(doc!.content, sink({ at: 8 * 1024 * 1024, hold: () => testbed.dropSessions() }).stream));
      expect(error.reason).toBe("CONNECTION_LOST");
      expect(await exists(path)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});

describe("getFile on a SessionPool: one lease per GET", () => {
  /** The pool, counting the sessions taken from it. */
  function countedPool() {
    const pool = new SessionPool(config());
    let acquired = 0;
    const acquire = pool.acquire.bind(pool);
    pool.acquire = (options) => ((acquired += 1), acquire(options));
    return { pool, acquired: () => acquired };
  }

  it("stat, read and deleteAfter (stream) or moveAfter (buffer) take one session from the pool, and give it back", async () => {
    await withSession(async (s) => {
      await put(s, `${home}/lease/a.txt`, "stream me");
      await put(s, `${home}/lease/b.txt`, "buffer me");
      await s.mkdir(`${home}/lease/done`, { recursive: true });
    });
    const { pool, acquired } = countedPool();
    try {
      const doc = await getFile(pool, { fileName: "lease/a.txt" }, { deleteAfter: true });
      const out = sink();
      await pipeline(doc!.content, out.stream);
      expect(out.data().toString()).toBe("stream me");
      expect(await exists(`${home}/lease/a.txt`)).toBe(false);
      expect(acquired()).toBe(1);

      const buffer = await getFile(pool, { fileName: "lease/b.txt" }, { as: "buffer", moveAfter: "lease/done" });
      expect(buffer!.content.toString()).toBe("buffer me");
      expect(await sh(`cat '${home}/lease/done/b.txt'`)).toBe("buffer me");
      expect(acquired()).toBe(2);
      expect(pool.peak).toBe(1);
      expect(pool.size).toBe(1); // the one session, back in the pool and reused
    } finally {
      await pool.close();
    }
  });
});
