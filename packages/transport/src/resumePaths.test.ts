// The failure and resume paths of the resumable and parallel write streams, against a fake server whose sessions drive the real SftpWriteStream:
// resumes at the first unacknowledged byte (r+, also during a replay, in append mode, while ending), halved windows, no session taken after a destroy.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SftpConnectorError } from "@sftp-connector/core";
import { createResumableWriteStream } from "./createResumableWriteStream.js";
import { createParallelWriteStream } from "./createParallelWriteStream.js";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import { SftpWriteStream, type WriteStreamOptions } from "./SftpWriteStream.js";

type Decision = "ack" | "lose";

interface FakeOptions {
  maxWriteLength?: number;
  initial?: Buffer;
  /** Decides, per write request, whether it is acknowledged or the session's connection is lost there. */
  onWrite?: (session: number, request: number, position: number, length: number) => Decision;
}

/** One remote file behind sessions of a fake server; writes acknowledged on the next turn unless `onWrite` says the connection is lost. */
function fakeServer(options: FakeOptions = {}) {
  let file = Buffer.from(options.initial ?? Buffer.alloc(0));
  let exists = options.initial !== undefined;
  const opens: Array<{ session: number; flags: string; start?: number }> = [];
  const releases: Array<{ session: number; broken: boolean }> = [];
  const peaks: number[] = [];
  const writesAfterRelease: number[] = [];
  let acquires = 0;
  const sessions: SftpSession[] = [];
  const released = new Set<number>();
  const makeSession = (): SftpSession => {
    const index = sessions.length;
    let requests = 0;
    let inFlight = 0;
    peaks[index] = 0;
    const session = {
      closed: false,
      index,
      limits: { maxReadLength: 32_768, maxWriteLength: options.maxWriteLength ?? 32_768 },
      open: async (_path: string, flags: string) => {
        if (session.closed) throw new SftpConnectorError("CONNECTION_LOST", "lost");
        if (flags === "w") file = Buffer.alloc(0);
        if (flags === "r+" && !exists) throw new SftpConnectorError("NO_SUCH_FILE", "no such file");
        exists = true;
        return Buffer.from("h");
      },
      fstat: async () => ({ size: file.length }),
      close: async () => {
        if (session.closed) throw new SftpConnectorError("CONNECTION_LOST", "lost");
      },
      write: (_h: Buffer, buffer: Buffer, offset: number, length: number, position: number) =>
        new Promise<void>((resolve, reject) => {
          if (released.has(index)) writesAfterRelease.push(index);
          const request = requests++;
          const data = Buffer.from(buffer.subarray(offset, offset + length));
          inFlight += 1;
          peaks[index] = Math.max(peaks[index]!, inFlight);
          setImmediate(() => {
            inFlight -= 1;
            if (!session.closed && (options.onWrite?.(index, request, position, length) ?? "ack") === "lose") session.closed = true;
            if (session.closed) return reject(new SftpConnectorError("CONNECTION_LOST", "lost"));
            if (file.length < position + data.length) file = Buffer.concat([file, Buffer.alloc(position + data.length - file.length)]);
            data.copy(file, position);
            resolve();
          });
        }),
      createWriteStream: (path: string, writeOptions: WriteStreamOptions) => {
        opens.push({ session: index, flags: writeOptions.flags ?? "w", start: writeOptions.start });
        return new SftpWriteStream(session as unknown as SftpSession, path, writeOptions);
      },
    };
    sessions.push(session as unknown as SftpSession);
    return session as unknown as SftpSession;
  };
  const provider: SessionProvider & { onRelease?: () => void } = {
    acquire: async () => {
      acquires += 1;
      return makeSession();
    },
    release(session, releaseOptions) {
      const index = (session as unknown as { index: number }).index;
      released.add(index);
      releases.push({ session: index, broken: releaseOptions?.broken === true });
      provider.onRelease?.();
    },
  };
  return {
    provider,
    opens,
    releases,
    peaks,
    writesAfterRelease,
    acquires: () => acquires,
    file: () => file,
  };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createResumableWriteStream: resume paths", () => {
  it("a resume keeps at most as many writes in flight as the first attempt (halved), also with the default window of a 255 KiB server", async () => {
    // OpenSSH's 255 KiB writes: the default window is 4 requests (1 MiB). After a lost connection the resume uses half
    // of it (2), not half of an older default (16): a link that drops every connection after a while must see progress.
    const max = 255 * 1024;
    const data = randomBytes(12 * max);
    const server = fakeServer({ maxWriteLength: max, onWrite: (session, request) => (session === 0 && request === 2 ? "lose" : "ack") });
    await pipeline(Readable.from([data]), createResumableWriteStream(server.provider, "/f", { attempts: 1, backoffMs: 1 }));
    expect(server.file().equals(data)).toBe(true);
    expect(server.peaks[0]).toBe(4);
    expect(server.peaks[1]).toBeLessThanOrEqual(2);
  });

  it("connections lost again and again, also during a resume's replay, end with the exact file; every session released once", async () => {
    // Each session is lost at its 4th request: the first while the first chunk is written, the others during their replay.
    const data = randomBytes(700_000);
    const server = fakeServer({ onWrite: (_session, request) => (request === 3 ? "lose" : "ack") });
    const chunks = [data.subarray(0, 300_000), data.subarray(300_000, 300_001), data.subarray(300_001, 650_000), data.subarray(650_000)];
    await pipeline(Readable.from(chunks), createResumableWriteStream(server.provider, "/f", { attempts: 40, backoffMs: 0, concurrency: 4 }));
    expect(server.file().equals(data)).toBe(true);
    expect(server.opens[0]).toEqual({ session: 0, flags: "w", start: undefined });
    for (const open of server.opens.slice(1)) expect(open.flags).toBe("r+");
    // Each resume starts at the byte the previous session had acknowledged without a gap (3 requests of 32 KiB per session).
    expect(server.opens.slice(1, 4).map((open) => open.start)).toEqual([3 * 32_768, 6 * 32_768, 9 * 32_768]);
    expect(server.releases.length).toBe(server.acquires());
    expect(new Set(server.releases.map((r) => r.session)).size).toBe(server.acquires());
    expect(server.releases.at(-1)!.broken).toBe(false);
  });

  it("requests acknowledged after an earlier one failed are not counted: the resume starts at the first unacknowledged byte", async () => {
    // Session 0: request 1 is lost but the fake acknowledges requests 2 and 3 after it (a server answering out of order).
    const data = randomBytes(10 * 32_768);
    let lostOnce = false;
    const server = fakeServer();
    const provider = server.provider;
    const wrapped: SessionProvider = {
      acquire: async () => {
        const session = await provider.acquire();
        const index = (session as unknown as { index: number }).index;
        if (index === 0) {
          const write = session.write.bind(session);
          let n = 0;
          (session as unknown as { write: typeof write }).write = (h, b, o, l, p) => {
            const request = n++;
            if (request === 1 && !lostOnce) {
              lostOnce = true;
              const pending = write(h, b, o, l, p).then(() => {
                throw new SftpConnectorError("CONNECTION_LOST", "lost");
              });
              return pending;
            }
            if (request > 3) return Promise.reject(new SftpConnectorError("CONNECTION_LOST", "lost"));
            return write(h, b, o, l, p);
          };
        }
        return session;
      },
      release: (session, options) => provider.release(session, options),
    };
    await pipeline(Readable.from([data]), createResumableWriteStream(wrapped, "/f", { attempts: 1, backoffMs: 0, concurrency: 4 }));
    expect(server.opens[1]).toEqual({ session: 1, flags: "r+", start: 32_768 });
    expect(server.file().equals(data)).toBe(true);
  });

  it("an append ('a') resumed after a lost connection continues at the file's former end plus what was acknowledged", async () => {
    const old = Buffer.from("former content\n");
    const data = randomBytes(6 * 32_768 + 123);
    const server = fakeServer({ initial: old, onWrite: (session, request) => (session === 0 && request === 2 ? "lose" : "ack") });
    await pipeline(Readable.from([data]), createResumableWriteStream(server.provider, "/f", { flags: "a", attempts: 1, backoffMs: 0, concurrency: 4 }));
    expect(server.opens).toEqual([
      { session: 0, flags: "a", start: undefined },
      { session: 1, flags: "r+", start: old.length + 2 * 32_768 },
    ]);
    expect(server.file().equals(Buffer.concat([old, data]))).toBe(true);
  });

  it("a loss while ending (the last short request in flight during final) resumes and closes on a fresh session", async () => {
    const data = randomBytes(3 * 32_768 + 10);
    // The 4th request (the 10-byte rest, sent by _final) is lost.
    const server = fakeServer({ onWrite: (session, request) => (session === 0 && request === 3 ? "lose" : "ack") });
    await pipeline(Readable.from([data]), createResumableWriteStream(server.provider, "/f", { attempts: 1, backoffMs: 0, concurrency: 8 }));
    expect(server.opens.at(-1)).toEqual({ session: 1, flags: "r+", start: 3 * 32_768 });
    expect(server.file().equals(data)).toBe(true);
    expect(server.releases).toEqual([
      { session: 0, broken: true },
      { session: 1, broken: false },
    ]);
  });

  it("a stream destroyed while it waits to retry takes no fresh session afterwards (as the resumable read stream)", async () => {
    const server = fakeServer({ onWrite: (session) => (session === 0 ? "lose" : "ack") });
    const stream = createResumableWriteStream(server.provider, "/f", { attempts: 1, backoffMs: 50, concurrency: 4 });
    stream.on("error", () => {});
    server.provider.onRelease = () => {
      // The first session was given back as broken: the stream now waits 50 ms before it resumes. Destroy it then.
      if (server.releases.length === 1) setImmediate(() => stream.destroy());
    };
    stream.end(randomBytes(1000));
    await settle(150);
    expect(server.releases[0]).toEqual({ session: 0, broken: true });
    expect(stream.destroyed).toBe(true);
    // No acquire after the destroy: a reconnect (and with a full pool, a wait) for nothing.
    expect(server.acquires()).toBe(1);
  });
});

describe("createParallelWriteStream: a failed range rewritten alone", () => {
  it("a range whose connection is lost is rewritten whole at its offset on a fresh session; the file is exact and every session released once", async () => {
    const data = randomBytes(5 * 100_000 + 7);
    // Session 1 (the second lane) is lost at its second request.
    const server = fakeServer({ initial: Buffer.alloc(0), onWrite: (session, request) => (session === 1 && request === 1 ? "lose" : "ack") });
    const stream = createParallelWriteStream(server.provider, "/f", { connections: 3, rangeBytes: 100_000, attempts: 1, backoffMs: 0, concurrency: 2 });
    await pipeline(Readable.from([data.subarray(0, 150_000), data.subarray(150_000)]), stream);
    expect(server.file().equals(data)).toBe(true);
    expect(stream.bytesWritten).toBe(data.length);
    expect(server.releases.length).toBe(server.acquires());
    expect(new Set(server.releases.map((r) => r.session)).size).toBe(server.acquires());
    expect(server.releases.find((r) => r.session === 1)!.broken).toBe(true);
    expect(server.writesAfterRelease).toEqual([]);
  });

  it("destroyed while a range waits to be retried: no session taken afterwards, no write after a release", async () => {
    const server = fakeServer({ initial: Buffer.alloc(0), onWrite: (session) => (session === 0 ? "lose" : "ack") });
    const stream = createParallelWriteStream(server.provider, "/f", { connections: 2, rangeBytes: 50_000, attempts: 1, backoffMs: 50, concurrency: 2 });
    stream.on("error", () => {});
    server.provider.onRelease = () => {
      if (server.releases.length === 1) setImmediate(() => stream.destroy());
    };
    stream.write(randomBytes(50_000));
    await settle(150);
    expect(server.acquires()).toBe(1);
    expect(server.releases).toEqual([{ session: 0, broken: true }]);
  });
});
