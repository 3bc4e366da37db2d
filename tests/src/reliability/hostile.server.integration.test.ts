// A hostile SFTP server (ssh2's Server, since OpenSSH cannot send "/" or NUL in a name nor more bytes than a file holds): LIST, QUERY, LISTEN, GET and the CLI refuse or neutralise it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createSftpConnector, isSftpConnectorError, type SftpConnector } from "sftp-connector";
import { waitFor } from "@sftp-connector/testkit";
import { runCli, snapshotTree } from "./hostileNames.js";
import { patternBytes, startHostileServer, type HostileServer } from "./hostileSftpServer.js";

const HOME = "/home/hostile";
const IN = `${HOME}/in`;
const DATA = `${HOME}/data`;
/** What a hostile listing sends: one honest name and every kind of name that must never become a path. */
const HOSTILE_NAMES = [
  "a/b.txt",
  "../escape.txt",
  "../../../../../../tmp/pwned-by-sftp",
  "/etc/passwd",
  "nul\0name.txt",
  "esc\u001b[2J\u001b]0;owned\u0007.txt",
  "new\nline.txt",
  "cr\rname.txt",
  "tab\tname",
  "",
  "del\u007f.txt",
  "csi\u009b31mred.txt",
  ".",
  "..",
];
const text = (s: string) => ({
  size: Buffer.byteLength(s),
  read: (offset: number, length: number) => (offset >= Buffer.byteLength(s) ? null : Buffer.from(s).subarray(offset, offset + length)),
});
/** Raw terminal control characters, C0, DEL and C1 (newline aside): none of these may reach a terminal from a server-chosen name. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let server: HostileServer;
let connector: SftpConnector;
const warnings: string[] = [];
let sandbox: string;

beforeAll(async () => {
  server = await startHostileServer({
    home: HOME,
    directories: { [IN]: ["ok.txt", ...HOSTILE_NAMES], [DATA]: ["long.bin", "fat.bin", "endless.bin"], [`${IN}/a`]: ["b.txt"] },
    files: {
      [`${IN}/ok.txt`]: text("hello from ok\n"),
      // Bait: were a hostile name ever used as a path, these would be fetched (and the test would see PWNED).
      [`${IN}/a/b.txt`]: text("PWNED"),
      [`${HOME}/escape.txt`]: text("PWNED"),
      ["/etc/passwd"]: text("PWNED"),
      ["/tmp/pwned-by-sftp"]: text("PWNED"),
      // STAT says 1000 bytes; READ serves 5000 then end of file (a file that grew, or a lying server).
      [`${DATA}/long.bin`]: { size: 1000, read: (offset, length) => (offset >= 5000 ? null : patternBytes(offset, Math.min(length, 5000 - offset))) },
      // Every DATA reply carries twice the bytes asked for.
      [`${DATA}/fat.bin`]: { size: 100_000, read: (offset, length) => (offset >= 100_000 ? null : patternBytes(offset, 2 * length)) },
      // Never reaches end of file.
      [`${DATA}/endless.bin`]: { size: 10, read: (offset, length) => patternBytes(offset, length) },
    },
  });
  connector = createSftpConnector(
    {
      host: server.host,
      port: server.port,
      username: server.username,
      auth: { type: "password", password: server.password },
      hostKey: { fingerprints: [server.fingerprint] },
      retry: { attempts: 0 },
    },
    { logger: { debug: () => {}, info: () => {}, warn: (message) => warnings.push(message), error: (message) => warnings.push(message) } },
  );
  sandbox = mkdtempSync(join(tmpdir(), "hostile-"));
}, 30_000);

afterAll(async () => {
  await connector?.close();
  await server?.stop();
});

const cli = (argv: string[], cwd: string) => runCli(server, argv, cwd);

describe("hostile server: names in a listing", () => {
  it("LIST yields only the plain name; every name holding '/', NUL, a control character, or being empty, '.' or '..' is skipped with an escaped warning", async () => {
    warnings.length = 0;
    const names: string[] = [];
    for await (const entry of connector.list({ remoteDirectory: IN }, { recursive: true })) names.push(entry.fileName);
    expect(names).toEqual(["ok.txt"]);
    const skipped = warnings.filter((w) => w.includes("unsafe name"));
    expect(skipped).toHaveLength(HOSTILE_NAMES.length - 2); // "." and ".." are dropped silently, as every listing has them
    for (const warning of skipped) expect(warning).not.toMatch(RAW_CONTROL);
    expect(server.stats.opened).toEqual([]);
  }, 20_000);

  it("QUERY downloads only the plain name and never opens a path built from a hostile one", async () => {
    server.stats.opened.length = 0;
    const got: Record<string, string> = {};
    for await (const item of connector.query({ remoteDirectory: IN }, { as: "buffer", recursive: true })) {
      if ("error" in item) throw item.error;
      got[item.properties.fileName] = (item.content as Buffer).toString("utf8");
    }
    expect(got).toEqual({ "ok.txt": "hello from ok\n" });
    expect(server.stats.opened).toEqual([`${IN}/ok.txt`]);
  }, 20_000);

  it("LISTEN reports only the plain name", async () => {
    server.stats.opened.length = 0;
    const events: string[] = [];
    const listener = await connector.listen({ remoteDirectory: IN, pollingIntervalMs: 150, stableAfter: { polls: 0 }, emitInitial: true }, (doc) => {
      events.push(`${doc.event} ${doc.properties.fileName}`);
    });
    try {
      await waitFor(() => events.length > 0, "the first LISTEN event", 10_000);
      await new Promise((resolve) => setTimeout(resolve, 600)); // a few more polls: nothing else may appear
    } finally {
      await listener.stop();
    }
    expect(events).toEqual(["added ok.txt"]);
    expect(server.stats.opened.every((path) => path === `${IN}/ok.txt`)).toBe(true);
  }, 30_000);

  it("CLI query -o DIR writes only DIR/ok.txt: nothing else in or around DIR, nothing in /tmp; its human output holds no raw control character", async () => {
    const root = mkdtempSync(join(sandbox, "query-"));
    mkdirSync(join(root, "out"));
    writeFileSync(join(root, "neighbour.txt"), "untouched");
    const before = snapshotTree(root);
    const result = await cli(["query", "--remote-dir", IN, "--recursive", "-o", "out"], root);
    expect(result.code).toBe(0);
    const after = snapshotTree(root);
    expect(after).toEqual({ ...before, [join("out", "ok.txt")]: 14 });
    expect(readFileSync(join(root, "out", "ok.txt"), "utf8")).toBe("hello from ok\n");
    expect(existsSync("/tmp/pwned-by-sftp")).toBe(false);
    expect(result.stdout).toMatch(/^ok\.txt +14 /m);
    expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr).toContain("unsafe name");
  }, 30_000);

  it("CLI list (human output) shows only the plain name and escapes every warning", async () => {
    const result = await cli(["list", "--remote-dir", IN, "--recursive"], sandbox);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok\.txt/);
    expect(result.stdout).not.toMatch(/b\.txt|escape|passwd|pwned|nul|esc|line|tab|del|csi/);
    expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL);
  }, 30_000);
});

describe("hostile server: GET returns more than it should", () => {
  it("a file whose STAT size is 1000 but whose reads go on to 5000 bytes: read to end of file (as OpenSSH's client and a growing file), size reports the bytes read", async () => {
    const buffered = await connector.get({ fileName: "long.bin", remoteDirectory: DATA }, { as: "buffer" });
    expect((buffered?.content as Buffer | undefined)?.equals(patternBytes(0, 5000))).toBe(true);
    expect(buffered?.properties.size).toBe(5000);

    const streamed = await connector.get({ fileName: "long.bin", remoteDirectory: DATA }, { as: "stream" });
    expect(streamed?.properties.size).toBe(1000); // stat's size, until the stream ends
    const chunks: Buffer[] = [];
    for await (const chunk of streamed!.content as Readable) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(patternBytes(0, 5000))).toBe(true);
    expect(streamed?.properties.size).toBe(5000);
  }, 20_000);

  it("DATA replies carrying twice the bytes asked for: refused with a clear reason, or the excess dropped; never wrong content", async () => {
    const outcome = await connector.get({ fileName: "fat.bin", remoteDirectory: DATA }, { as: "buffer" }).then(
      (doc) => ({ doc }),
      (error: unknown) => ({ error }),
    );
    if ("error" in outcome) {
      expect(isSftpConnectorError(outcome.error)).toBe(true);
      expect((outcome.error as Error).message).toMatch(/more data than requested/);
      console.info(`oversized DATA replies: refused (${(outcome.error as Error).message})`);
    } else {
      expect((outcome.doc?.content as Buffer | undefined)?.length).toBe(100_000);
      expect((outcome.doc?.content as Buffer | undefined)?.equals(patternBytes(0, 100_000))).toBe(true);
      console.info("oversized DATA replies: excess dropped, content exact");
    }
  }, 20_000);

  it("a file that never ends: the stream reads only as fast as it is consumed (bounded read-ahead), and destroying it closes the handle", async () => {
    const doc = await connector.get({ fileName: "endless.bin", remoteDirectory: DATA }, { as: "stream" });
    const stream = doc!.content as Readable;
    let received = 0;
    const target = 4 * 1024 * 1024;
    await new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("data", (chunk: Buffer) => {
        expect(chunk.equals(patternBytes(received, chunk.length))).toBe(true);
        received += chunk.length;
        if (received >= target) {
          stream.pause();
          resolve();
        }
      });
    });
    const servedAtPause = server.stats.bytesServed;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const readAhead = server.stats.bytesServed - received;
    expect(server.stats.bytesServed - servedAtPause).toBeLessThan(8 * 1024 * 1024);
    expect(readAhead).toBeLessThan(8 * 1024 * 1024); // in flight + the stream's buffer, not the endless file
    const closedBefore = server.stats.closed;
    stream.destroy();
    await waitFor(() => server.stats.closed > closedBefore, "the handle to be closed", 5_000);
    console.info(`endless file: read-ahead while paused ${(readAhead / 1024).toFixed(0)} KiB`);
  }, 30_000);

  it("CLI get of the lying file writes the 5000 bytes read, reports them, and writes nothing else", async () => {
    const root = mkdtempSync(join(sandbox, "get-"));
    mkdirSync(join(root, "out"));
    const before = snapshotTree(root);
    const result = await cli(["get", "long.bin", "--remote-dir", DATA, "-o", "out/", "--json"], root);
    expect(result.code).toBe(0);
    expect(snapshotTree(root)).toEqual({ ...before, [join("out", "long.bin")]: 5000 });
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ fileName: "long.bin", size: 5000 });
  }, 30_000);
});
