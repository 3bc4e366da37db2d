// Pipelined streams, read timeouts, the pool, retries and resumes against the real testbed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { sha256, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { isSftpConnectorError, type ConnectionConfig } from "@sftp-connector/core";
import { openSession, SessionPool, LoginQueue, withRetry, createResumableReadStream, createResumableWriteStream, type SftpSession } from "./index.js";
import { canReadIntoPacket } from "./readIntoPacket.js";

let testbed: Testbed;
let home: string;

beforeAll(async () => {
  testbed = await startTestbed({ sshdConfig: ["MaxStartups 3:100:3"] });
  home = testbed.users.password.home;
});
afterAll(async () => {
  await testbed?.stop();
});

const config = (extra: Partial<ConnectionConfig> = {}): ConnectionConfig => testbed.connectionConfig({ hostKey: "fingerprint", extra });

/** Authenticated SSH sessions of the password user, counted on the server (one privileged monitor each). */
async function serverSessions(): Promise<number> {
  const { stdout } = await testbed.exec("ps -eo args | grep -c '^sshd: tester \\[priv\\]' || true");
  return Number(stdout.trim());
}

/** A deterministic stream of `size` pseudo-random bytes, hashing what it emits. */
function source(size: number, chunk = 1 << 20): { stream: Readable; sha: () => string } {
  const hash = createHash("sha256");
  let left = size;
  let counter = 0;
  const stream = new Readable({
    read() {
      if (left === 0) return this.push(null);
      const n = Math.min(chunk, left);
      const block = createHash("sha512").update(String(counter++)).digest();
      const buf = Buffer.alloc(n);
      for (let i = 0; i < n; i += block.length) block.copy(buf, i);
      buf.writeUInt32BE(counter, 0);
      left -= n;
      hash.update(buf);
      this.push(buf);
    },
  });
  return { stream, sha: () => hash.digest("hex") };
}

/** A sink that hashes what it receives and can run a callback after N bytes. */
function sink(onBytes?: { at: number; run: () => void }): { stream: Writable; sha: () => string; bytes: () => number } {
  const hash = createHash("sha256");
  let bytes = 0;
  let fired = false;
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      if (onBytes && !fired && bytes >= onBytes.at) {
        fired = true;
        onBytes.run();
      }
      cb();
    },
  });
  return { stream, sha: () => hash.digest("hex"), bytes: () => bytes };
}

/** Samples RSS while `work` runs; returns the peak growth in bytes. */
async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(0, Math.max(peak, process.memoryUsage().rss) - base);
}

describe("pipelined streams", () => {
  it("writes and reads back 64 MiB byte-identical (SHA-256)", async () => {
    const size = 64 * 1024 * 1024;
    const session = await openSession(config());
    try {
      const path = `${home}/big.bin`;
      const src = source(size);
      await pipeline(src.stream, session.createWriteStream(path));
      const localSha = src.sha();
      expect(await testbed.sha256(path)).toBe(localSha);
      const dst = sink();
      await pipeline(session.createReadStream(path), dst.stream);
      expect(dst.bytes()).toBe(size);
      expect(dst.sha()).toBe(localSha);
    } finally {
      await session.close();
    }
  });

  it("streams 256 MiB each way with memory that does not grow with the file", async () => {
    const size = 256 * 1024 * 1024;
    const session = await openSession(config());
    try {
      const path = `${home}/huge.bin`;
      const src = source(size);
      const writeGrowth = await peakRssGrowth(() => pipeline(src.stream, session.createWriteStream(path)));
      const dst = sink();
      const readGrowth = await peakRssGrowth(() => pipeline(session.createReadStream(path), dst.stream));
      expect(dst.sha()).toBe(src.sha());
      // Buffering the file would take 256 MiB; the streams keep a window of a few MiB (plus garbage not yet collected).
      expect(writeGrowth).toBeLessThan(128 * 1024 * 1024);
      expect(readGrowth).toBeLessThan(128 * 1024 * 1024);
      await testbed.exec(`rm ${path}`);
    } finally {
      await session.close();
    }
  });

  it("reads ranges, zero-byte files, and files whose size grows past what stat said", async () => {
    const session = await openSession(config());
    try {
      const data = randomBytes(300_000);
      await pipeline(Readable.from([data]), session.createWriteStream(`${home}/range.bin`));
      const part = sink();
      await pipeline(session.createReadStream(`${home}/range.bin`, { start: 1000, end: 250_999, chunkSize: 7_000, concurrency: 5 }), part.stream);
      expect(part.sha()).toBe(sha256(data.subarray(1000, 251_000)));
      await testbed.exec(`: > ${home}/empty.bin`, { user: "tester" });
      const empty = sink();
      await pipeline(session.createReadStream(`${home}/empty.bin`), empty.stream);
      expect(empty.bytes()).toBe(0);
      // /proc-like files report size 0 but have content: we read to end of file.
      const proc = sink();
      await pipeline(session.createReadStream("/proc/self/status"), proc.stream);
      expect(proc.bytes()).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  });

  it("reads without copying on the ssh2 we ship: readChunk hands over views of ssh2's packets, short at the end, null past it", async () => {
    const session = await openSession(config());
    try {
      // If an ssh2 upgrade moves the internals readIntoPacket uses, this fails instead of silently copying again.
      expect(canReadIntoPacket(session.raw.sftp)).toBe(true);
      const data = randomBytes(100_000);
      await pipeline(Readable.from([data]), session.createWriteStream(`${home}/chunks.bin`));
      const handle = await session.open(`${home}/chunks.bin`, "r");
      const first = await session.readChunk(handle, 65_536, 0);
      const last = await session.readChunk(handle, 65_536, 65_536);
      const past = await session.readChunk(handle, 65_536, 100_000);
      await session.close(handle);
      expect(first!.equals(data.subarray(0, 65_536))).toBe(true);
      expect(last!.equals(data.subarray(65_536))).toBe(true);
      expect(past).toBeNull();
      // A view of a larger packet buffer, not a buffer of exactly the size asked for.
      expect(first!.buffer.byteLength).toBeGreaterThan(first!.length);
    } finally {
      await session.close();
    }
  });

  it("with a size hint reads a small file in one round of requests, and still reads to end of file when the hint is wrong", async () => {
    const session = await openSession(config());
    try {
      const data = randomBytes(16_384);
      await pipeline(Readable.from([data]), session.createWriteStream(`${home}/hinted.bin`));
      const rounds = async (options: { sizeHint?: number }) => {
        const offsets: number[] = [];
        const original = session.readChunk.bind(session);
        session.readChunk = (handle, length, position, path) => {
          offsets.push(position);
          return original(handle, length, position, path);
        };
        const got = sink();
        await pipeline(session.createReadStream(`${home}/hinted.bin`, options), got.stream);
        session.readChunk = original;
        expect(got.sha()).toBe(sha256(data));
        return offsets;
      };
      // Without a hint the first answer comes back short and a second round asks for the rest.
      expect((await rounds({})).length).toBe(3);
      // With it: [0, 16 KiB) and an end-of-file probe at 16 KiB, sent together.
      expect(await rounds({ sizeHint: 16_384 })).toEqual([0, 16_384]);
      // A stale hint (the file grew, or shrank) changes nothing of the bytes delivered.
      await rounds({ sizeHint: 1_000 });
      await rounds({ sizeHint: 1_000_000 });
    } finally {
      await session.close();
    }
  });

  it("appends with flags 'a' and resumes writing at an offset with 'r+'", async () => {
    const session = await openSession(config());
    try {
      const path = `${home}/append.txt`;
      await pipeline(Readable.from([Buffer.from("hello ")]), session.createWriteStream(path));
      await pipeline(Readable.from([Buffer.from("world")]), session.createWriteStream(path, { flags: "a" }));
      await pipeline(Readable.from([Buffer.from("W")]), session.createWriteStream(path, { flags: "r+", start: 6 }));
      expect((await testbed.exec(`cat ${path}`)).stdout).toBe("hello World");
    } finally {
      await session.close();
    }
  });

  it("refuses to read a missing file with NO_SUCH_FILE naming the path", async () => {
    const session = await openSession(config());
    try {
      const error = await pipeline(session.createReadStream(`${home}/missing.bin`), sink().stream).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSftpConnectorError(error) && error.reason).toBe("NO_SUCH_FILE");
      expect((error as Error).message).toContain(`${home}/missing.bin`);
    } finally {
      await session.close();
    }
  });
});

describe("read timeout", () => {
  it("a transfer stalled by a paused server ends with TIMEOUT within timeouts.readMs, and the session is ended", async () => {
    await testbed.exec(`head -c 33554432 /dev/urandom > ${home}/stall.bin && chown tester ${home}/stall.bin`);
    const session = await openSession(config({ timeouts: { connectMs: 20_000, readMs: 1_500 } }));
    const started = Date.now();
    let pausedAt = 0;
    const dst = sink({
      at: 1024 * 1024,
      run: () => {
        pausedAt = Date.now();
        void testbed.pause();
      },
    });
    const error = await pipeline(session.createReadStream(`${home}/stall.bin`, { concurrency: 2, chunkSize: 32_768 }), dst.stream).then(
      () => undefined,
      (e: unknown) => e,
    );
    await testbed.unpause();
    expect(pausedAt).toBeGreaterThan(started);
    expect(isSftpConnectorError(error) && error.reason).toBe("TIMEOUT");
    expect((error as Error).message).toMatch(/readMs/);
    expect(session.closed).toBe(true);
    // After unpause the server serves a new session.
    const again = await openSession(config());
    await again.close();
  });
});

describe("session pool", () => {
  it("12 concurrent borrowers with max 3 never open more than 3 sessions, client and server side", async () => {
    // Sessions of earlier tests may still be closing on the server: wait until none is left.
    for (let i = 0; i < 50 && (await serverSessions()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await serverSessions()).toBe(0);
    const pool = new SessionPool(config({ pool: { max: 3 } }));
    let serverPeak = 0;
    try {
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          pool.use(async (session) => {
            serverPeak = Math.max(serverPeak, await serverSessions());
            await session.stat(home);
            return i;
          }),
        ),
      );
      expect(pool.peak).toBeLessThanOrEqual(3);
      expect(pool.peak).toBeGreaterThan(0);
      expect(serverPeak).toBeLessThanOrEqual(3);
      expect(serverPeak).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
    expect(pool.size).toBe(0);
  });

  it("a session killed on the server is replaced, never handed out", async () => {
    const pool = new SessionPool(config({ pool: { max: 2 } }), { healthCheckAfterMs: 0 });
    try {
      const first = await pool.acquire();
      pool.release(first);
      await testbed.dropSessions();
      const next = await pool.acquire();
      expect(next).not.toBe(first);
      expect(next.closed).toBe(false);
      await next.stat(home);
      pool.release(next);
    } finally {
      await pool.close();
    }
  });

  it("waiters time out with TIMEOUT when every session stays busy", async () => {
    const pool = new SessionPool(config({ pool: { max: 1 } }), { acquireTimeoutMs: 300 });
    try {
      const held = await pool.acquire();
      const error = await pool.acquire().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSftpConnectorError(error) && error.reason).toBe("TIMEOUT");
      pool.release(held);
    } finally {
      await pool.close();
    }
  });
});

describe("login bursts", () => {
  it("20 logins at once all succeed against MaxStartups 3 when queued 2 at a time", async () => {
    const queue = new LoginQueue(2);
    const sessions = await Promise.all(Array.from({ length: 20 }, () => openSession(config(), { loginQueue: queue })));
    expect(sessions.every((s: SftpSession) => !s.closed)).toBe(true);
    await Promise.all(sessions.map((s) => s.close()));
  });
});

describe("retry and resume", () => {
  it("withRetry reconnects after the server drops the session and runs the work again", async () => {
    const pool = new SessionPool(config());
    const attempts: number[] = [];
    try {
      const result = await withRetry(
        pool,
        async (session, attempt) => {
          attempts.push(attempt);
          if (attempt === 0) {
            await testbed.dropSessions();
            await new Promise((r) => setTimeout(r, 200));
          }
          return (await session.stat(home)).isDirectory;
        },
        { attempts: 1, backoffMs: 50 },
      );
      expect(result).toBe(true);
      expect(attempts).toEqual([0, 1]);
    } finally {
      await pool.close();
    }
  });

  it("a download resumes at the offset reached after the server drops the connection (byte-identical)", async () => {
    const path = `${home}/resume-get.bin`;
    await testbed.exec(`head -c 25165824 /dev/urandom > ${path} && chown tester ${path}`);
    const expected = await testbed.sha256(path);
    const pool = new SessionPool(config());
    try {
      const dst = sink({ at: 8 * 1024 * 1024, run: () => void testbed.dropSessions() });
      await pipeline(createResumableReadStream(pool, path, { attempts: 2, backoffMs: 50 }), dst.stream);
      expect(dst.bytes()).toBe(25_165_824);
      expect(dst.sha()).toBe(expected);
    } finally {
      await pool.close();
    }
  });

  it("an upload resumes at the last acknowledged offset after the server drops the connection (byte-identical)", async () => {
    const path = `${home}/resume-put.bin`;
    const pool = new SessionPool(config());
    try {
      const src = source(24 * 1024 * 1024);
      let sent = 0;
      let killed = false;
      src.stream.on("data", (chunk: Buffer) => {
        sent += chunk.length;
        if (!killed && sent >= 8 * 1024 * 1024) {
          killed = true;
          void testbed.dropSessions();
        }
      });
      await pipeline(src.stream, createResumableWriteStream(pool, path, { attempts: 2, backoffMs: 50 }));
      expect(killed).toBe(true);
      expect(await testbed.sha256(path)).toBe(src.sha());
    } finally {
      await pool.close();
    }
  });
});
