// Three `sftp-connector listen` processes watch one remote directory as a failover group on PostgreSQL: each file is delivered once; kill the leader and another takes over with a higher fencing token.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { startPostgres, startTestbed } from "@sftp-connector/testkit";

const testbed = await startTestbed();
const postgres = await startPostgres({ password: "cluster-demo-pw" });
await testbed.exec("mkdir -p /home/tester/inbox", { user: "tester" });
const cli = join(dirname(createRequire(import.meta.url).resolve("sftp-connector/package.json")), "bin", "sftp-connector.js");

/** One member of the group: a CLI process and the events it printed (one JSON line each). */
interface Member {
  name: string;
  process: ChildProcess;
  events: Array<{ event: string; fileName: string; fencingToken?: string }>;
  stderr: string;
}

function startMember(name: string): Member {
  const child = spawn(
    process.execPath,
    [
      cli,
      "listen",
      "--host",
      testbed.host,
      "--port",
      String(testbed.port),
      "--user",
      testbed.users.password.username,
      "--password-env",
      "SFTP_PASSWORD",
      "--fingerprint",
      testbed.hostKey.fingerprint,
      "--remote-dir",
      "inbox",
      "--interval",
      "300ms",
      "--stable-after",
      "0",
      "--json",
      // The group: the same engine and key on every machine; the lease outlives a dead leader by 3 s.
      "--coordination",
      `postgres://postgres@127.0.0.1:${postgres.port}/postgres`,
      "--coordination-password-env",
      "PGPASSWORD",
      "--coordination-key",
      "inbox",
      "--lease-ttl",
      "3s",
    ],
    { env: { ...process.env, SFTP_PASSWORD: testbed.users.password.password, PGPASSWORD: "cluster-demo-pw" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const member: Member = { name, process: child, events: [], stderr: "" };
  let pending = "";
  child.stdout!.setEncoding("utf8").on("data", (text: string) => {
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) if (line.trim()) member.events.push(JSON.parse(line));
  });
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (member.stderr += text));
  return member;
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const exited = (member: Member) => new Promise<number | null>((resolve) => member.process.once("exit", (code) => resolve(code)));

const members = ["A", "B", "C"].map(startMember);
try {
  await until(() => members.every((m) => m.stderr.includes("listening to")), "three members listening");
  console.log(`members A, B and C listen to /home/tester/inbox as one failover group (PostgreSQL on 127.0.0.1:${postgres.port})`);
  const deliveries = (file: string) => members.flatMap((m) => m.events.filter((e) => e.fileName === file).map((e) => ({ member: m, token: e.fencingToken })));

  await testbed.exec("echo '<order n=\"1\"/>' > /home/tester/inbox/order-1.xml", { user: "tester" });
  await until(() => deliveries("order-1.xml").length > 0, "order-1.xml delivered");
  await pause(1_500); // five more polls of every member: a second delivery would show now
  const [first] = deliveries("order-1.xml");
  console.log(
    `order-1.xml delivered ${deliveries("order-1.xml").length === 1 ? "once" : `${deliveries("order-1.xml").length} times`}, by member ${first!.member.name} (fencing token ${first!.token})`,
  );

  const leader = first!.member;
  const gone = exited(leader);
  leader.process.kill("SIGKILL"); // no clean stop: its lease stays in PostgreSQL until it lapses
  await gone;
  console.log(`member ${leader.name} killed (SIGKILL): its lease lapses after 3 s`);

  await testbed.exec("echo '<order n=\"2\"/>' > /home/tester/inbox/order-2.xml", { user: "tester" });
  await until(() => deliveries("order-2.xml").length > 0, "order-2.xml delivered by another member");
  await pause(1_500);
  const [second] = deliveries("order-2.xml");
  console.log(
    `order-2.xml delivered ${deliveries("order-2.xml").length === 1 ? "once" : `${deliveries("order-2.xml").length} times`}, by member ${second!.member.name} (fencing token ${second!.token})`,
  );

  const survivors = members.filter((m) => m !== leader);
  const codes = survivors.map(exited);
  for (const member of survivors) member.process.kill("SIGTERM");
  console.log(`members ${survivors.map((m) => m.name).join(" and ")} stopped with SIGTERM: exit codes ${(await Promise.all(codes)).join(", ")}`);
  const all = members.flatMap((m) => m.events.map((e) => e.fileName));
  console.log(
    `deliveries in all: ${[...new Set(all)]
      .sort()
      .map((file) => `${file} ×${all.filter((f) => f === file).length}`)
      .join(", ")}`,
  );
} finally {
  for (const member of members) if (member.process.exitCode === null && member.process.signalCode === null) member.process.kill("SIGKILL");
  await Promise.all([testbed.stop(), postgres.stop()]);
}
