// createResumableReadStream with what QUERY and GET pass it: a first session lent by the caller (never released by the stream), no provider, an abort signal, progress and the 'ready' event.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";
import { recordingLogger, rejectionOf } from "@sftp-connector/testkit";
import { describe, expect, it } from "vitest";
import type { SessionProvider } from "./SessionPool.js";
import type { SftpSession } from "./SftpSession.js";
import { createResumableReadStream } from "./createResumableReadStream.js";

/** A session serving `file` from `start`, in 1000-byte chunks, that emits 'ready' on open and is lost (closed) once it reached `lostAt`. */
function session(name: string, file: Buffer, log: string[], lostAt = Number.POSITIVE_INFINITY) {
  const s = {
    name,
    closed: false,
    createReadStream(_path: string, options: { start?: number } = {}) {
      log.push(`${name} open ${options.start ?? 0}`);
      async function* serve() {
        stream.emit("ready"); // opened: before the first byte, as SftpReadStream
        for (let at = options.start ?? 0; at < file.length; at += 1000) {
          if (at >= lostAt) {
            s.closed = true;
            throw new SftpConnectorError("CONNECTION_LOST", "the session has ended");
          }
          yield file.subarray(at, Math.min(at + 1000, file.length));
        }
      }
      const stream = Readable.from(serve(), { objectMode: false });
      return stream;
    },
  };
  return s as typeof s & SftpSession;
}

/** A provider lending fresh sessions over `file`, logging acquire and release. */
function provider(file: Buffer, log: string[]): SessionProvider {
  let n = 0;
  return {
    async acquire() {
      n += 1;
      log.push(`acquire s${n}`);
      return session(`s${n}`, file, log);
    },
    release(s, options) {
      log.push(`release ${(s as unknown as { name: string }).name}${options?.broken ? " broken" : ""}`);
    },
  };
}

/** The whole content of `stream`. */
const collect = async (stream: Readable): Promise<Buffer> => Buffer.concat((await stream.toArray()) as Buffer[]);

describe("createResumableReadStream with a lent session", () => {
  it("reads on the lent session first, never releases it, and resumes on the provider at the byte reached", async () => {
    const file = randomBytes(10_000);
    const log: string[] = [];
    const logger = recordingLogger();
    const totals: number[] = [];
    const lent = session("lent", file, log, 4000);
    const stream = createResumableReadStream(provider(file, log), "/q/f.bin", {
      session: lent,
      attempts: 1,
      backoffMs: 1,
      logger,
      onProgress: (n) => totals.push(n),
    });
    let ready = 0;
    stream.on("ready", () => (ready += 1));
    expect((await collect(stream)).equals(file)).toBe(true);
    expect(log).toEqual(["lent open 0", "acquire s1", "s1 open 4000", "release s1"]);
    expect(logger.lines).toEqual(["reading '/q/f.bin' failed at byte 4000 (CONNECTION_LOST); resuming on a new session (retry 1 of 1)"]);
    expect(totals.at(-1)).toBe(10_000);
    expect(totals).toHaveLength(10);
    expect(ready).toBe(2); // once per session the file was opened on
  });

  it("without a provider, a lost lent session ends the stream with its error, nothing resumed", async () => {
    const log: string[] = [];
    const logger = recordingLogger();
    const stream = createResumableReadStream(undefined, "/q/f.bin", {
      session: session("lent", randomBytes(5000), log, 2000),
      attempts: 3,
      backoffMs: 1,
      logger,
    });
    const error = await rejectionOf(collect(stream), isSftpConnectorError);
    expect(error.reason).toBe("CONNECTION_LOST");
    expect(log).toEqual(["lent open 0"]);
    expect(logger.lines).toEqual([]);
  });

  it("aborted during the wait before a retry: ABORTED naming the operation, the wait ends, no session taken", async () => {
    const file = randomBytes(5000);
    const log: string[] = [];
    const logger = recordingLogger();
    const controller = new AbortController();
    const stream = createResumableReadStream(provider(file, log), "/q/f.bin", {
      session: session("lent", file, log, 2000),
      attempts: 3,
      backoffMs: 3_600_000, // only the abort can end this wait
      logger,
      signal: controller.signal,
      operation: "query",
    });
    stream.on("data", () => {});
    const failed = new Promise<SftpConnectorError>((resolve) => stream.once("error", (error) => resolve(error as SftpConnectorError)));
    while (logger.lines.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const error = await failed;
    expect(error.reason).toBe("ABORTED");
    expect(error.operation).toBe("query");
    expect(error.path).toBe("/q/f.bin");
    expect(log).toEqual(["lent open 0"]);
  });

  it("already aborted when a lent session fails: ABORTED, no resume logged", async () => {
    const file = randomBytes(5000);
    const log: string[] = [];
    const logger = recordingLogger();
    const controller = new AbortController();
    controller.abort();
    const stream = createResumableReadStream(provider(file, log), "/q/f.bin", {
      session: session("lent", file, log, 0),
      attempts: 3,
      backoffMs: 1,
      logger,
      signal: controller.signal,
    });
    const error = await rejectionOf(collect(stream), isSftpConnectorError);
    expect(error.reason).toBe("ABORTED");
    expect(logger.lines).toEqual([]);
    expect(log).toEqual(["lent open 0"]);
  });
});
