import { describe, expect, it } from "vitest";
import { Readable, Writable } from "node:stream";
import type { ListenDocument } from "@sftp-connector/listen";
import { execEnvironment, runExec } from "./runExec.js";
import { parseAfter, parseStableAfter } from "./listenCommand.js";
import { parseDuration } from "./parseArgv.js";

const doc = (over: Partial<ListenDocument> = {}): ListenDocument => ({
  event: "added",
  properties: { fileName: "sub/a.csv", remoteDirectory: "/home/u/in/sub", event: "added", timestamp: "2026-01-02 03:04:05.678", size: 5 },
  attempt: 1,
  ...over,
});

function collect() {
  let text = "";
  return {
    stream: new Writable({
      write(chunk, _e, cb) {
        text += String(chunk);
        cb();
      },
    }),
    text: () => text,
  };
}

describe("runExec", () => {
  it("gives the command the content on stdin and the properties in its environment", async () => {
    const out = collect();
    const err = collect();
    const env = execEnvironment({ PATH: process.env.PATH, KEEP: "1", GONE: undefined }, doc());
    expect(env).toMatchObject({
      KEEP: "1",
      SFTP_FILE_NAME: "sub/a.csv",
      SFTP_REMOTE_DIRECTORY: "/home/u/in/sub",
      SFTP_PATH: "/home/u/in/sub/a.csv",
      SFTP_EVENT: "added",
      SFTP_TIMESTAMP: "2026-01-02 03:04:05.678",
      SFTP_SIZE: "5",
      SFTP_ATTEMPT: "1",
    });
    expect("GONE" in env).toBe(false);
    const outcome = await runExec('printf "%s|%s|" "$SFTP_EVENT" "$SFTP_FILE_NAME"; cat; echo oops >&2', Readable.from([Buffer.from("hello")]), env, {
      stdout: out.stream,
      stderr: err.stream,
    });
    expect(outcome).toEqual({ code: 0, signal: null });
    expect(out.text()).toBe("added|sub/a.csv|hello");
    expect(err.text()).toBe("oops\n");
  });

  it("reports a non-zero exit, and copes with a command that does not read its input", async () => {
    const out = collect();
    const big = Readable.from([Buffer.alloc(4 * 1024 * 1024, 1)]);
    const outcome = await runExec("exit 3", big, execEnvironment({ PATH: process.env.PATH }, doc()), { stdout: out.stream, stderr: out.stream });
    expect(outcome.code).toBe(3);
    expect(outcome.inputError).toBeUndefined();
    big.destroy();
  });

  it("reports content that failed while being read", async () => {
    const out = collect();
    const failing = new Readable({
      read() {
        this.push(Buffer.from("part"));
        this.destroy(new Error("connection lost"));
      },
    });
    const outcome = await runExec("cat > /dev/null", failing, execEnvironment({ PATH: process.env.PATH }, doc()), { stdout: out.stream, stderr: out.stream });
    expect((outcome.inputError as Error).message).toBe("connection lost");
  });

  it("gives a removal an empty stdin", async () => {
    const out = collect();
    const outcome = await runExec('wc -c | tr -d " "; echo "$SFTP_EVENT"', undefined, execEnvironment({ PATH: process.env.PATH }, doc({ event: "removed" })), {
      stdout: out.stream,
      stderr: out.stream,
    });
    expect(outcome.code).toBe(0);
    expect(out.text()).toBe("0\nremoved\n");
  });
});

describe("listen flag values", () => {
  it("reads --after, --stable-after and durations", () => {
    expect(parseAfter("delete")).toBe("delete");
    expect(parseAfter("none")).toBe("none");
    expect(parseAfter("move:done/2026")).toEqual({ moveTo: "done/2026" });
    expect(() => parseAfter("move:")).toThrow(/--after/);
    expect(parseStableAfter("2")).toEqual({ polls: 2 });
    expect(parseStableAfter("3s")).toEqual({ ms: 3000 });
    expect(parseDuration("250", "--interval")).toBe(250);
    expect(parseDuration("1.5s", "--interval")).toBe(1500);
    expect(parseDuration("2m", "--interval")).toBe(120_000);
    expect(() => parseDuration("soon", "--interval")).toThrow(/--interval: expected a duration/);
  });
});
