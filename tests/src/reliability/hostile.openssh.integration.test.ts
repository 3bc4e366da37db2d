// Awkward names a real OpenSSH server can hold (newline, ESC, tab, backslash, leading dashes) and a file growing during a GET, against LIST, QUERY, LISTEN, GET and the CLI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createSftpConnector, type SftpConnector } from "sftp-connector";
import { startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
import { runCli, snapshotTree } from "./hostileNames.js";

const DIR = "/home/tester/awkward";
/** Plain names (listed and downloaded) and names with control characters (skipped with a warning, never printed raw). */
const PLAIN = ["ok.txt", "back\\slash.txt", "-rf", "--help", "-o"];
const CONTROL = ["new\nline.txt", "esc\u001b[31mred.txt", "tab\tname.txt"];
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let testbed: Testbed;
let connector: SftpConnector;
const warnings: string[] = [];

/** A name for `sh -c` (POSIX sh has no $'…'): printf %b builds it; the trailing "_" keeps a trailing newline through $(…), and `${n%_}` drops it. */
const quoted = (name: string) =>
  `"$(printf '%b_' '${[...name].map((c) => (c === "'" ? "'\\''" : c === "\\" ? "\\\\" : /[\u0000-\u001f]/.test(c) ? `\\0${c.charCodeAt(0).toString(8).padStart(3, "0")}` : c)).join("")}')"`;

beforeAll(async () => {
  testbed = await startTestbed();
  const make = [...PLAIN, ...CONTROL].map((name) => `n=${quoted(name)}; printf 'content of %s' "\${n%_}" > "./\${n%_}"`).join(" && ");
  await testbed.exec(`mkdir -p ${DIR} && cd ${DIR} && ${make}`, { user: "tester" });
  connector = createSftpConnector(testbed.connectionConfig({ extra: { retry: { attempts: 0 } } }), {
    logger: { debug: () => {}, info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
  });
}, 120_000);

afterAll(async () => {
  await connector?.close();
  await testbed?.stop();
});

const cli = (argv: string[], cwd: string) =>
  runCli(
    {
      host: testbed.host,
      port: testbed.port,
      username: testbed.users.password.username,
      password: testbed.users.password.password,
      fingerprint: testbed.hostKey.fingerprint,
    },
    argv,
    cwd,
  );

describe("OpenSSH: awkward names", () => {
  it("the testbed really holds every name", async () => {
    const { stdout } = await testbed.exec(`ls -1b ${DIR}`, { user: "tester" });
    expect(stdout.trim().split("\n")).toHaveLength(PLAIN.length + CONTROL.length);
    expect(stdout).toContain("new\\nline.txt");
  }, 20_000);

  it("LIST gives the plain names (backslash and leading dashes included) and skips names with control characters with an escaped warning", async () => {
    warnings.length = 0;
    const names: string[] = [];
    for await (const entry of connector.list({ remoteDirectory: DIR })) names.push(entry.fileName);
    expect(names.sort()).toEqual([...PLAIN].sort());
    const skipped = warnings.filter((w) => w.includes("unsafe name"));
    expect(skipped).toHaveLength(CONTROL.length);
    for (const warning of skipped) expect(warning).not.toMatch(RAW_CONTROL);
  }, 20_000);

  it("QUERY downloads every plain name with its own content; LISTEN reports the same names", async () => {
    const got: Record<string, string> = {};
    for await (const item of connector.query({ remoteDirectory: DIR }, { as: "buffer" })) {
      if ("error" in item) throw item.error;
      got[item.properties.fileName] = (item.content as Buffer).toString("utf8");
    }
    expect(got).toEqual(Object.fromEntries(PLAIN.map((name) => [name, `content of ${name}`])));

    const events: string[] = [];
    const listener = await connector.listen({ remoteDirectory: DIR, pollingIntervalMs: 150, stableAfter: { polls: 0 }, emitInitial: true }, (doc) => {
      events.push(doc.properties.fileName);
    });
    try {
      await waitFor(() => events.length >= PLAIN.length, "LISTEN events for the plain names", 15_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await listener.stop();
    }
    expect(events.sort()).toEqual([...PLAIN].sort());
  }, 40_000);

  it("CLI query -o DIR: the plain names land in DIR and nowhere else; human output has no raw control character", async () => {
    const root = mkdtempSync(join(tmpdir(), "awkward-"));
    mkdirSync(join(root, "out"));
    writeFileSync(join(root, "neighbour.txt"), "untouched");
    const before = snapshotTree(root);
    const result = await cli(["query", "--remote-dir", DIR, "-o", "out"], root);
    expect(result.code).toBe(0);
    expect(snapshotTree(root)).toEqual({ ...before, ...Object.fromEntries(PLAIN.map((name) => [join("out", name), `content of ${name}`.length])) });
    expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr.match(/unsafe name/g)).toHaveLength(CONTROL.length);
  }, 30_000);

  it("CLI get of a name with a newline and an ESC (the user's own choice): written inside DIR, shown escaped in the table", async () => {
    const root = mkdtempSync(join(tmpdir(), "awkward-get-"));
    mkdirSync(join(root, "out"));
    const name = "esc\u001b[31mred.txt";
    const result = await cli(["get", name, "--remote-dir", DIR, "-o", "out/"], root);
    expect(result.code).toBe(0);
    expect(readdirSync(join(root, "out"))).toEqual([name]);
    expect(readdirSync(root)).toEqual(["out"]);
    expect(result.stdout).toContain("esc\\x1b[31mred.txt");
    expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL);
    const listed = await cli(["list", "--remote-dir", DIR], root);
    expect(listed.stdout + listed.stderr).not.toMatch(RAW_CONTROL);
    expect(existsSync(join(root, "out", "new\nline.txt"))).toBe(false);
  }, 30_000);
});

describe("OpenSSH: a file that grows during a GET", () => {
  it("is read to its end of file as it is when the reading ends (like OpenSSH's sftp), and properties.size reports the bytes read", async () => {
    const mib = 1024 * 1024;
    await testbed.exec(`head -c ${32 * mib} /dev/zero > ${DIR}/../growing.bin`, { user: "tester" });
    const doc = await connector.get({ fileName: "growing.bin", remoteDirectory: "/home/tester" }, { as: "stream" });
    expect(doc?.properties.size).toBe(32 * mib);
    const stream = doc!.content as Readable;
    const iterator = stream[Symbol.asyncIterator]();
    let total = ((await iterator.next()).value as Buffer).length;
    await testbed.exec(`head -c ${mib} /dev/zero >> /home/tester/growing.bin`, { user: "tester" });
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) total += (step.value as Buffer).length;
    expect(total).toBe(33 * mib);
    expect(doc?.properties.size).toBe(33 * mib);
  }, 60_000);
});
