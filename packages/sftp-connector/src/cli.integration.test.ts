// The CLI against the real testbed, run in-process through main(argv, io): every command, the output forms, exit codes and secrets; --connections on get, create and upsert.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes, createHash } from "node:crypto";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";
import { main } from "./cli.js";
import { captureIo, type CaptureIoOptions } from "./cli/captureIo.js";

let testbed: Testbed;
let conn: string[];
let env: Record<string, string | undefined>;
let local: string;
const REMOTE = "/home/tester/cli";

beforeAll(async () => {
  testbed = await startTestbed({ proxies: true });
  await testbed.exec(`mkdir -p ${REMOTE}`, { user: "tester" });
  env = { PATH: process.env.PATH, SFTP_PW: testbed.users.password.password };
  conn = [
    "--host",
    testbed.host,
    "--port",
    String(testbed.port),
    "--user",
    testbed.users.password.username,
    "--password-env",
    "SFTP_PW",
    "--fingerprint",
    testbed.hostKey.fingerprint,
    "--remote-dir",
    "cli",
  ];
  local = mkdtempSync(join(tmpdir(), "cli-it-"));
});
afterAll(async () => {
  await testbed?.stop();
});

/** Runs the CLI in-process; returns the exit code and what it printed. */
async function cli(argv: string[], options: CaptureIoOptions = {}) {
  const captured = captureIo({ env, cwd: local, ...options });
  const code = await main(argv, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr(), bytes: captured.stdoutBytes() };
}

const remote = async (command: string) => (await testbed.exec(`cd ${REMOTE} && ${command}`, { user: "tester" })).stdout;
const jsonLines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("sftp-connector CLI", () => {
  it("test: prints the report, or one JSON object with --json; never the password", async () => {
    const table = await cli(["test", ...conn]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(testbed.hostKey.fingerprint);
    expect(table.stdout).toMatch(/^home directory +\/home\/tester$/m);
    expect(table.stdout).toContain("Connection OK");
    const json = await cli(["test", ...conn, "--json"]);
    expect(json.code).toBe(0);
    const [report] = jsonLines(json.stdout);
    expect(report).toMatchObject({
      ok: true,
      host: "127.0.0.1",
      port: testbed.port,
      homeDirectory: "/home/tester",
      hostKey: { fingerprint: testbed.hostKey.fingerprint },
    });
    for (const out of [table, json]) expect(out.stdout + out.stderr).not.toContain(testbed.users.password.password);
  });

  it("create: from a local file (JSON response) and from stdin (table); an existing name is exit 1", async () => {
    writeFileSync(join(local, "hello.txt"), "hello, world\n");
    const fromFile = await cli(["create", ...conn, "hello.txt", "--name", "a.txt", "--json"]);
    expect(fromFile.code).toBe(0);
    expect(jsonLines(fromFile.stdout)).toEqual([{ fileName: "a.txt", remoteDirectory: REMOTE, bytes: 13 }]);
    expect(await remote("cat a.txt")).toBe("hello, world\n");

    const fromStdin = await cli(["create", ...conn, "--name", "b.txt", "--include-all-metadata"], { stdin: "from stdin" });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toMatch(/^FILE NAME +REMOTE DIRECTORY +BYTES +MODIFIED$/m);
    expect(fromStdin.stdout).toMatch(new RegExp(`^b\\.txt +${REMOTE} +10 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}$`, "m"));
    expect(await remote("cat b.txt")).toBe("from stdin");

    const again = await cli(["create", ...conn, "hello.txt", "--name", "a.txt"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error \[ALREADY_EXISTS\]: /m);
    const unique = await cli(["create", ...conn, "hello.txt", "--name", "a.txt", "--if-exists", "unique", "--json"]);
    expect(jsonLines(unique.stdout)).toEqual([{ fileName: "a1.txt", remoteDirectory: REMOTE, bytes: 13 }]);
  });

  it("get: to a file, into a directory, to stdout; a missing file is exit 1", async () => {
    const binary = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(join(local, "blob.bin"), binary);
    expect((await cli(["create", ...conn, "blob.bin"])).code).toBe(0);

    const toFile = await cli(["get", ...conn, "blob.bin", "-o", "copy.bin", "--json"]);
    expect(toFile.code).toBe(0);
    expect(readFileSync(join(local, "copy.bin")).equals(binary)).toBe(true);
    expect(jsonLines(toFile.stdout)).toEqual([
      expect.objectContaining({ fileName: "blob.bin", remoteDirectory: REMOTE, size: binary.length, localPath: join(local, "copy.bin") }),
    ]);

    mkdirSync(join(local, "downloads"));
    const toDir = await cli(["get", ...conn, "a.txt", "-o", "downloads"]);
    expect(toDir.code).toBe(0);
    expect(readFileSync(join(local, "downloads", "a.txt"), "utf8")).toBe("hello, world\n");
    expect(toDir.stdout).toMatch(/^NAME +SIZE +MODIFIED +SAVED AS$/m);
    expect(toDir.stdout).toContain(join(local, "downloads", "a.txt"));
    expect(readdirSync(join(local, "downloads"))).toEqual(["a.txt"]); // no temporary file left

    const toStdout = await cli(["get", ...conn, "blob.bin", "-o", "-"], { isTTY: true });
    expect(toStdout.code).toBe(0);
    expect(createHash("sha256").update(toStdout.bytes).digest("hex")).toBe(createHash("sha256").update(binary).digest("hex"));

    const missing = await cli(["get", ...conn, "nope.txt", "-o", "downloads"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error \[NO_SUCH_FILE\]: .*\/home\/tester\/cli\/nope\.txt/m);
    expect(existsSync(join(local, "downloads", "nope.txt"))).toBe(false);
  });

  it("list: a table, and with --json Boomi's LIST entries", async () => {
    await testbed.exec(`mkdir -p ${REMOTE}/listing/sub && cd ${REMOTE}/listing && printf 12345 > five.txt && printf x > sub/one.txt`, { user: "tester" });
    const table = await cli(["list", ...conn, "--remote-dir", "cli/listing"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^MODE +SIZE +MODIFIED +NAME$/);
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^-rw-[rw-]{6} +5 +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +five\.txt$/),
      expect.stringMatching(/^drwx[-rwx]{6} +\d+ +\S+ +sub\/$/),
    ]);

    const json = await cli(["list", ...conn, "--remote-dir", "cli/listing", "--recursive", "--json"]);
    expect(json.code).toBe(0);
    const entries = jsonLines(json.stdout);
    expect(entries.map((e) => `${e.directory}/${e.fileName}`).sort()).toEqual([
      `${REMOTE}/listing/five.txt`,
      `${REMOTE}/listing/sub`,
      `${REMOTE}/listing/sub/one.txt`,
    ]);
    expect(entries.find((e) => e.fileName === "five.txt")).toEqual({
      fileName: "five.txt",
      directory: `${REMOTE}/listing`,
      modifiedDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      fileSize: 5,
      isDirectory: false,
      permissions: expect.any(String),
      isSymbolicLink: false,
    });

    const filtered = await cli(["list", ...conn, "--remote-dir", "cli/listing", "--filter", 'fileName ~ "*.txt" and fileSize > 1', "--json"]);
    expect(jsonLines(filtered.stdout).map((e) => e.fileName)).toEqual(["five.txt"]);
  });

  it("query -o DIR: saves the matching files inside DIR, sub-directories included; '..x' is just a name", async () => {
    await testbed.exec(
      `mkdir -p ${REMOTE}/q/deep && cd ${REMOTE}/q && printf a > a.csv && printf dots > ..x && printf b > deep/b.csv && printf no > skip.log`,
      { user: "tester" },
    );
    const result = await cli([
      "query",
      ...conn,
      "--remote-dir",
      "cli/q",
      "--recursive",
      "--filter",
      'fileName ~ "**.csv" or fileName = "..x"',
      "-o",
      "inbox",
      "--json",
    ]);
    expect(result.code).toBe(0);
    const records = jsonLines(result.stdout);
    expect(records.map((r) => r.fileName).sort()).toEqual(["..x", "a.csv", "deep/b.csv"]);
    expect(records.every((r) => typeof r.localPath === "string" && (r.localPath as string).startsWith(join(local, "inbox")))).toBe(true);
    expect(readFileSync(join(local, "inbox", "a.csv"), "utf8")).toBe("a");
    expect(readFileSync(join(local, "inbox", "..x"), "utf8")).toBe("dots");
    expect(readFileSync(join(local, "inbox", "deep", "b.csv"), "utf8")).toBe("b");
    expect(existsSync(join(local, "inbox", "skip.log"))).toBe(false);

    const table = await cli(["query", ...conn, "--remote-dir", "cli/q", "--filter", 'fileName = "a.csv"', "-o", "inbox2"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^a\.csv +1 +\S+ \S+ +\S+inbox2\/a\.csv$/m);
  });

  it("upsert --append: appends to the file (created when missing)", async () => {
    expect((await cli(["upsert", ...conn, "--name", "log.txt", "--append"], { stdin: "one\n" })).code).toBe(0);
    const second = await cli(["upsert", ...conn, "--name", "log.txt", "--append", "--json"], { stdin: "two\n" });
    expect(second.code).toBe(0);
    expect(jsonLines(second.stdout)).toEqual([{ fileName: "log.txt", remoteDirectory: REMOTE, bytes: 4 }]);
    expect(await remote("cat log.txt")).toBe("one\ntwo\n");
    writeFileSync(join(local, "replace.txt"), "replaced");
    expect((await cli(["upsert", ...conn, "replace.txt", "--name", "log.txt"])).code).toBe(0);
    expect(await remote("cat log.txt")).toBe("replaced");
  });

  it("delete: one result per name; not found is fine unless --fail-if-not-found", async () => {
    await remote("printf x > d1.txt && printf x > d2.txt");
    const result = await cli(["delete", ...conn, "d1.txt", "gone.txt", "--json"]);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      { fileName: "d1.txt", path: `${REMOTE}/d1.txt`, deleted: true },
      { fileName: "gone.txt", path: `${REMOTE}/gone.txt`, deleted: false, reason: "NO_SUCH_FILE" },
    ]);
    const strict = await cli(["delete", ...conn, "d2.txt", "gone.txt", "--fail-if-not-found"]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^d2\.txt +\S+ +deleted$/m);
    expect(strict.stdout).toMatch(/^gone\.txt +\S+ +failed \(NO_SUCH_FILE\)$/m);
    expect(strict.stderr).toMatch(/^error \[NO_SUCH_FILE\]: /m);
    expect(await remote("ls")).not.toMatch(/d1\.txt|d2\.txt/);
  });

  it("listen --exec: runs the command per event (content on stdin, properties in env, secrets not), retries a failed one, stops on the stop hook", async () => {
    await testbed.exec(`mkdir -p ${REMOTE}/inbox`, { user: "tester" });
    const out = mkdtempSync(join(tmpdir(), "cli-listen-"));
    const script = [
      'if [ "$SFTP_FILE_NAME" = one.txt ] && [ "$SFTP_ATTEMPT" = 1 ]; then echo "not yet" >&2; exit 7; fi',
      'cat > "$OUT/$SFTP_FILE_NAME"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell script: ${SFTP_PW-unset} is the shell's expansion, proving the password is not in the hook's environment.
      'echo "$SFTP_EVENT $SFTP_FILE_NAME $SFTP_SIZE $SFTP_ATTEMPT $SFTP_REMOTE_DIRECTORY ${SFTP_PW-unset}" >> "$OUT/events.log"',
    ].join("\n");
    const captured = captureIo({ env: { ...env, OUT: out }, cwd: local });
    const running = main(
      ["listen", ...conn, "--remote-dir", "cli/inbox", "--interval", "200", "--stable-after", "0", "--retry-backoff", "100ms", "--exec", script],
      captured.io,
    );
    await until(() => captured.stderr().includes("listening to"), "the listener to start");
    await remote("printf 111 > inbox/one.txt && printf 222 > inbox/two.txt");
    const log = () => (existsSync(join(out, "events.log")) ? readFileSync(join(out, "events.log"), "utf8").trim().split("\n") : []);
    await until(() => log().length >= 2, "two processed events");
    captured.stop();
    expect(await running).toBe(0);
    expect(log().sort()).toEqual([`added one.txt 3 2 ${REMOTE}/inbox unset`, `added two.txt 3 1 ${REMOTE}/inbox unset`]);
    expect(readFileSync(join(out, "one.txt"), "utf8")).toBe("111");
    expect(readFileSync(join(out, "two.txt"), "utf8")).toBe("222");
    expect(captured.stderr()).toContain("warning: --exec command exited with code 7 for added 'one.txt' (attempt 1); it will be retried");
    expect(captured.stderr()).toContain("not yet");
    expect(captured.stderr()).not.toMatch(/^error/m);
  });

  it("listen without --exec prints each event as a JSON line", async () => {
    await testbed.exec(`mkdir -p ${REMOTE}/inbox2`, { user: "tester" });
    const captured = captureIo({ env, cwd: local });
    const running = main(["listen", ...conn, "--remote-dir", "cli/inbox2", "--interval", "200ms", "--stable-after", "0", "--json"], captured.io);
    await until(() => captured.stderr().includes("listening to"), "the listener to start");
    await remote("printf hi > inbox2/new.txt");
    await until(() => captured.stdout().includes("new.txt"), "the event");
    captured.stop();
    expect(await running).toBe(0);
    expect(jsonLines(captured.stdout())).toEqual([
      { event: "added", fileName: "new.txt", remoteDirectory: `${REMOTE}/inbox2`, timestamp: expect.any(String), size: 2, attempt: 1 },
    ]);
  });

  it("a Boomi properties file (YAML) works as --config, flags override it", async () => {
    const yaml = [
      `host: ${testbed.host}`,
      `port: "${testbed.port}"`,
      `username: ${testbed.users.password.username}`,
      "authType: Username and Password",
      `password: "${testbed.users.password.password}"`,
      `hostEntry: "${testbed.hostKey.knownHostsLine}"`,
      "remoteDirectory: /tmp",
      "",
    ].join("\n");
    writeFileSync(join(local, "boomi.yaml"), yaml);
    const result = await cli(["list", "--config", "boomi.yaml", "--remote-dir", "cli/listing", "--json"]);
    expect(result.code).toBe(0);
    expect(
      jsonLines(result.stdout)
        .map((e) => e.fileName)
        .sort(),
    ).toEqual(["five.txt", "sub"]);
    expect(result.stdout + result.stderr).not.toContain(testbed.users.password.password);
  });

  it("--proxy: through SOCKS5 and HTTP CONNECT with credentials, never printing the proxy password", async () => {
    const { socksAuth, httpAuth } = testbed.proxies!;
    const urls = [
      `socks5://${encodeURIComponent(socksAuth.username)}:${encodeURIComponent(socksAuth.password)}@${socksAuth.host}:${socksAuth.port}`,
      `http://${encodeURIComponent(httpAuth.username)}:${encodeURIComponent(httpAuth.password)}@${httpAuth.host}:${httpAuth.port}`,
    ];
    for (const url of urls) {
      const result = await cli(["test", ...conn, "--proxy", url, "--json"]);
      expect(result.code).toBe(0);
      expect(jsonLines(result.stdout)[0]).toMatchObject({ ok: true, hostKey: { fingerprint: testbed.hostKey.fingerprint } });
      expect(result.stdout + result.stderr).not.toContain(socksAuth.password);
      expect(result.stdout + result.stderr).not.toContain(httpAuth.password);
    }
    const refused = await cli(["test", ...conn, "--proxy", `socks5://${socksAuth.username}:wrong-proxy-pw@${socksAuth.host}:${socksAuth.port}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error \[PROXY_FAILED\]: /m);
    expect(refused.stderr).not.toContain("wrong-proxy-pw");
  });

  it("a wrong host key is exit 1 with error [HOST_KEY_MISMATCH] (as JSON with --json)", async () => {
    const wrong = conn.map((arg) => (arg === testbed.hostKey.fingerprint ? `SHA256:${"x".repeat(43)}` : arg));
    for (const command of [["test"], ["list", "--json"]]) {
      const result = await cli([...command, ...wrong]);
      expect(result.code).toBe(1);
      if (command.includes("--json")) expect(JSON.parse(result.stderr)).toMatchObject({ error: { reason: "HOST_KEY_MISMATCH", operation: "connect" } });
      else expect(result.stderr).toMatch(/^error \[HOST_KEY_MISMATCH\]: /m);
      expect(result.stdout).toBe("");
      expect(result.stderr).not.toContain(testbed.users.password.password);
    }
  });

  it("a wrong password is exit 1 with error [AUTH_FAILED], and the password never shows", async () => {
    const result = await cli(["test", ...conn], { env: { ...env, SFTP_PW: "wrong-password-123" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error \[AUTH_FAILED\]: /m);
    expect(result.stderr).not.toContain("wrong-password-123");
  });

  it("bad usage is exit 2", async () => {
    const result = await cli(["get", ...conn]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error \[USAGE\]: /m);
    expect((await cli(["list", ...conn, "--depth", "-3"])).code).toBe(2);
  });
});

describe("sftp-connector CLI --connections", () => {
  const MiB = 1024 * 1024;
  const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");
  /** Every entry of REMOTE/parallel, hidden ones (a temporary file) too. */
  const parallelEntries = async () => (await remote("ls -A parallel")).split("\n").filter(Boolean).sort();

  it("create, upsert and get with --connections 4 of a 20 MiB file: identical bytes, no temporary file left on either side", async () => {
    await remote("mkdir -p parallel");
    mkdirSync(join(local, "parallel"));
    const data = randomBytes(20 * MiB + 13);
    writeFileSync(join(local, "parallel", "big.bin"), data);
    const created = await cli(["create", ...conn, "parallel/big.bin", "--name", "parallel/big.bin", "--connections", "4", "--json"]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(jsonLines(created.stdout)).toEqual([{ fileName: "parallel/big.bin", remoteDirectory: REMOTE, bytes: data.length }]);
    expect(await testbed.sha256(`${REMOTE}/parallel/big.bin`)).toBe(sha(data));

    const got = await cli(["get", ...conn, "parallel/big.bin", "-o", "parallel/copy.bin", "--connections", "4"]);
    expect(got.code).toBe(0);
    expect(sha(readFileSync(join(local, "parallel", "copy.bin")))).toBe(sha(data));
    const toStdout = await cli(["get", ...conn, "parallel/big.bin", "-o", "-", "--connections", "4"]);
    expect(toStdout.code).toBe(0);
    expect(sha(toStdout.bytes)).toBe(sha(data));

    const replacement = randomBytes(20 * MiB + 17);
    writeFileSync(join(local, "parallel", "replacement.bin"), replacement);
    const upserted = await cli(["upsert", ...conn, "parallel/replacement.bin", "--name", "parallel/big.bin", "--connections", "4"]);
    expect(upserted.code).toBe(0);
    expect(await testbed.sha256(`${REMOTE}/parallel/big.bin`)).toBe(sha(replacement));

    expect(await parallelEntries()).toEqual(["big.bin"]);
    expect(readdirSync(join(local, "parallel")).sort()).toEqual(["big.bin", "copy.bin", "replacement.bin"]);
  });

  it("--connections through a SOCKS5 proxy", async () => {
    const { socksAuth } = testbed.proxies!;
    const proxy = `socks5://${encodeURIComponent(socksAuth.username)}:${encodeURIComponent(socksAuth.password)}@${socksAuth.host}:${socksAuth.port}`;
    const data = randomBytes(20 * MiB + 19);
    writeFileSync(join(local, "parallel", "proxied.bin"), data);
    expect((await cli(["create", ...conn, "parallel/proxied.bin", "--name", "parallel/proxied.bin", "--proxy", proxy, "--connections", "3"])).code).toBe(0);
    expect(await testbed.sha256(`${REMOTE}/parallel/proxied.bin`)).toBe(sha(data));
    const got = await cli(["get", ...conn, "parallel/proxied.bin", "-o", "-", "--proxy", proxy, "--connections", "3"]);
    expect(got.code).toBe(0);
    expect(sha(got.bytes)).toBe(sha(data));
    expect(await parallelEntries()).toEqual(["big.bin", "proxied.bin"]);
  });

  it("--connections 0, abc or 65 is a usage error (exit 2) naming the flag, before anything is sent", async () => {
    writeFileSync(join(local, "small.txt"), "small");
    const before = await remote("ls -A");
    for (const value of ["0", "abc", "65", "1.5"]) {
      for (const command of [
        ["get", "a.txt", "-o", "never.txt"],
        ["create", "small.txt", "--name", "never.txt"],
        ["upsert", "small.txt", "--name", "never.txt"],
      ]) {
        const result = await cli([...command, ...conn, "--connections", value]);
        expect(result.code, `${command[0]} --connections ${value}`).toBe(2);
        expect(result.stderr).toContain(`error [USAGE]: --connections: expected an integer from 1 to 64, got ${JSON.stringify(value)}`);
      }
    }
    expect(await remote("ls -A")).toBe(before);
    expect(existsSync(join(local, "never.txt"))).toBe(false);
  });

  it("the help of get, create and upsert tells of --connections", async () => {
    for (const command of ["get", "create", "upsert"]) {
      const help = await cli([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^ +--connections N +.*sessions at once.*1 to 64 \(default 1\)$/m);
    }
  });
});
