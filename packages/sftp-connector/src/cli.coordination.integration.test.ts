// `listen --coordination` against the real testbed and real PostgreSQL and Redis engines: a failover group hands over with a higher fencing token, a shared group handles each file once, and bad flags are usage errors that never show a password.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, startRedis, startTestbed, type PostgresServer, type RedisServer, type Testbed } from "@sftp-connector/testkit";
import { main } from "./cli.js";
import { captureIo, type CapturedIo } from "./cli/captureIo.js";

let testbed: Testbed;
let postgres: PostgresServer;
let redis: RedisServer;
let conn: string[];
let env: Record<string, string | undefined>;
let local: string;
const REMOTE = "/home/tester/cluster";

beforeAll(async () => {
  [testbed, postgres, redis] = await Promise.all([startTestbed(), startPostgres({ password: "pg-secret-1" }), startRedis({ password: "redis-secret-1" })]);
  await testbed.exec(`mkdir -p ${REMOTE}/failover ${REMOTE}/shared`, { user: "tester" });
  env = { PATH: process.env.PATH, SFTP_PW: testbed.users.password.password, PG_PW: "pg-secret-1", REDIS_PW: "redis-secret-1" };
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
  ];
  local = mkdtempSync(join(tmpdir(), "cli-cluster-"));
}, 900_000);
afterAll(async () => {
  await Promise.all([testbed?.stop(), postgres?.stop(), redis?.stop()]);
});

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const events = (captured: CapturedIo) =>
  captured
    .stdout()
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { event: string; fileName: string; fencingToken?: string });

/** Starts one member of a group in-process; resolves once it listens. */
async function member(args: string[]) {
  const captured = captureIo({ env, cwd: local });
  const running = main(["listen", ...conn, "--interval", "200ms", "--stable-after", "0", "--json", ...args], captured.io);
  await until(() => captured.stderr().includes("listening to") || captured.stderr().includes("error"), "the listener to start");
  expect(captured.stderr()).toContain("listening to");
  return { captured, running };
}

const drop = (path: string) => testbed.exec(`printf x > ${REMOTE}/${path}`, { user: "tester" });

describe("listen --coordination", () => {
  it("postgres, failover: one member delivers each file; when it stops the other delivers the next with a higher token", async () => {
    const url = `postgres://postgres@127.0.0.1:${postgres.port}/postgres`;
    const group = ["--remote-dir", `${REMOTE}/failover`, "--coordination", url, "--coordination-password-env", "PG_PW", "--coordination-key", "cli-failover"];
    const members = [await member(group), await member(group)];
    await drop("failover/one.txt");
    await until(() => members.some((m) => events(m.captured).length > 0), "one.txt delivered");
    const holder = members.find((m) => events(m.captured).length > 0)!;
    const standby = members.find((m) => m !== holder)!;
    holder.captured.stop();
    expect(await holder.running).toBe(0);
    await drop("failover/two.txt");
    await until(() => events(standby.captured).length > 0, "two.txt delivered by the other member");
    standby.captured.stop();
    expect(await standby.running).toBe(0);
    const [first] = events(holder.captured);
    const [second] = events(standby.captured);
    expect(events(holder.captured).map((e) => e.fileName)).toEqual(["one.txt"]);
    expect(events(standby.captured).map((e) => e.fileName)).toEqual(["two.txt"]);
    expect(BigInt(second!.fencingToken!)).toBeGreaterThan(BigInt(first!.fencingToken!));
    for (const m of members) expect(m.captured.stdout() + m.captured.stderr()).not.toContain("pg-secret-1");
  });

  it("redis, shared: two members handle six files, each exactly once", async () => {
    const url = `redis://127.0.0.1:${redis.port}`;
    const group = [
      "--remote-dir",
      `${REMOTE}/shared`,
      "--coordination",
      url,
      "--coordination-password-env",
      "REDIS_PW",
      "--coordination-key",
      "cli-shared",
      "--mode",
      "shared",
    ];
    const members = [await member(group), await member(group)];
    const names = ["a", "b", "c", "d", "e", "f"].map((n) => `${n}.txt`);
    await testbed.exec(names.map((n) => `printf x > ${REMOTE}/shared/${n}`).join(" && "), { user: "tester" });
    const all = () => members.flatMap((m) => events(m.captured));
    await until(() => all().length >= names.length, "six files handled");
    for (const m of members) m.captured.stop();
    for (const m of members) expect(await m.running).toBe(0);
    expect(
      all()
        .map((e) => e.fileName)
        .sort(),
    ).toEqual(names);
    expect(all().every((e) => e.event === "added" && typeof e.fencingToken === "string")).toBe(true);
    for (const m of members) expect(m.captured.stdout() + m.captured.stderr()).not.toContain("redis-secret-1");
  });

  it("bad flags are usage errors naming the flag, and a password in the URL is never shown", async () => {
    const run = async (args: string[]) => {
      const captured = captureIo({ env, cwd: local });
      const code = await main(["listen", ...conn, "--remote-dir", REMOTE, ...args], captured.io);
      return { code, stderr: captured.stderr() };
    };
    const mode = await run(["--mode", "shared"]);
    expect([mode.code, mode.stderr]).toEqual([2, expect.stringContaining("--mode needs --coordination")]);
    const state = await run(["--coordination", "redis://127.0.0.1:1", "--state", "s.json"]);
    expect([state.code, state.stderr]).toEqual([2, expect.stringContaining("--state does not go with --coordination")]);
    const scheme = await run(["--coordination", "mysql://etl:hunter2@127.0.0.1:1/db"]);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain("--coordination: expected postgres://… or redis://…");
    expect(scheme.stderr).not.toContain("hunter2");
    const missing = await run(["--coordination", "redis://127.0.0.1:1", "--coordination-password-env", "NOPE"]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining("the environment variable NOPE is not set")]);
    const ttl = await run(["--coordination", "redis://127.0.0.1:1", "--lease-ttl", "500ms"]);
    expect([ttl.code, ttl.stderr]).toEqual([2, expect.stringContaining('--lease-ttl: expected at least 1s, got "500ms"')]);
    const lonelyTtl = await run(["--lease-ttl", "5s"]);
    expect([lonelyTtl.code, lonelyTtl.stderr]).toEqual([2, expect.stringContaining("--lease-ttl needs --coordination")]);
    const badMode = await run(["--coordination", "redis://127.0.0.1:1", "--mode", "sharded"]);
    expect([badMode.code, badMode.stderr]).toEqual([2, expect.stringContaining('--mode: expected failover or shared, got "sharded"')]);
  });
});
