// cleanTemporaryFiles against the real OpenSSH testbed: old orphans removed, fresh uploads and look-alike user files kept, dry run, recursion, a pool.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";
import { openSession, SessionPool, type SftpSession } from "@sftp-connector/transport";
import { temporaryFileName } from "@sftp-connector/transport/upload";
import { cleanTemporaryFiles } from "./index.js";

let testbed: Testbed;
let session: SftpSession;
let home: string;
const as = { user: "tester" };
const OLD = temporaryFileName("old.csv");
const OLDER = temporaryFileName("older.csv");
const FRESH = temporaryFileName("fresh.csv");
const DEEP = temporaryFileName("deep.csv");
const UUID = OLD.slice(".old.csv.".length, -".sftp-tmp".length);
/** User files (old too) that look like ours but are not: never touched. */
const LOOK_ALIKES = [
  ".old.csv.sftp-tmp",
  `old.csv.${UUID}.sftp-tmp`,
  `.old.csv.${UUID.toUpperCase()}.sftp-tmp`,
  `.old.csv.${UUID}.sftp-tmp.bak`,
  `.old.csv.${UUID.slice(0, 14)}1${UUID.slice(15)}.sftp-tmp`,
];

const ls = async (dir: string): Promise<string[]> => (await testbed.exec(`cd ${home}/${dir} && find . -mindepth 1 | sort`, as)).stdout.trim().split("\n");

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  session = await openSession(testbed.connectionConfig({ hostKey: "fingerprint" }));
});

afterAll(async () => {
  await session?.close();
  await testbed?.stop();
});

beforeEach(async () => {
  const quoted = LOOK_ALIKES.map((name) => `'${name}'`).join(" ");
  await testbed.exec(
    [
      "set -e",
      `rm -rf ${home}/clean && mkdir -p ${home}/clean/sub && cd ${home}/clean`,
      `printf old > '${OLD}' && printf older > '${OLDER}' && printf fresh > '${FRESH}' && printf deep > 'sub/${DEEP}' && printf user > report.csv && touch ${quoted}`,
      `mkdir '${temporaryFileName("dir")}'`,
      `touch -d '3 hours ago' '${OLD}' ${quoted} report.csv 'sub/${DEEP}' && touch -d '2 days ago' '${OLDER}'`,
    ].join("\n"),
    as,
  );
});

describe("cleanTemporaryFiles", () => {
  it("removes our temporary files older than olderThan, oldest first; keeps fresh ones, user files and directories", async () => {
    const before = await ls("clean");
    const cleaned = await cleanTemporaryFiles(session, { remoteDirectory: "clean", olderThan: "1h" });
    expect(cleaned.map((f) => [f.path, f.size, f.removed])).toEqual([
      [`${home}/clean/${OLDER}`, 5, true],
      [`${home}/clean/${OLD}`, 3, true],
    ]);
    expect(cleaned[0]!.modifiedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/u);
    expect(await ls("clean")).toEqual(before.filter((p) => p !== `./${OLD}` && p !== `./${OLDER}`));
  });

  it("olderThan decides: 1d keeps what is 3 hours old; a number is milliseconds", async () => {
    expect((await cleanTemporaryFiles(session, { remoteDirectory: "clean", olderThan: "1d" })).map((f) => f.path)).toEqual([`${home}/clean/${OLDER}`]);
    expect((await cleanTemporaryFiles(session, { remoteDirectory: "clean", olderThan: 3_600_000 })).map((f) => f.path)).toEqual([`${home}/clean/${OLD}`]);
  });

  it("dryRun reports what it would remove and changes nothing", async () => {
    const before = await ls("clean");
    const cleaned = await cleanTemporaryFiles(session, { remoteDirectory: "clean", olderThan: "1h", dryRun: true, recursive: true });
    expect(cleaned.map((f) => [f.path, f.removed])).toEqual([
      [`${home}/clean/${OLDER}`, false],
      [`${home}/clean/${OLD}`, false],
      [`${home}/clean/sub/${DEEP}`, false],
    ]);
    expect(await ls("clean")).toEqual(before);
  });

  it("recursive cleans every sub-directory; without it they are left alone", async () => {
    expect((await cleanTemporaryFiles(session, { remoteDirectory: "clean", olderThan: "1h" })).some((f) => f.path.includes("/sub/"))).toBe(false);
    expect(await ls("clean/sub")).toEqual([`./${DEEP}`]);
    expect((await cleanTemporaryFiles(session, { remoteDirectory: "clean", olderThan: "1h", recursive: true })).map((f) => f.path)).toEqual([
      `${home}/clean/sub/${DEEP}`,
    ]);
    expect(await ls("clean/sub")).toEqual([""]);
  });

  it("a file it may not remove is reported with its error; the others are still removed", async () => {
    await testbed.exec(`chmod 555 ${home}/clean/sub`, as);
    try {
      const cleaned = await cleanTemporaryFiles(session, { remoteDirectory: "clean", olderThan: "1h", recursive: true });
      const deep = cleaned.find((f) => f.path.endsWith(DEEP))!;
      expect([deep.removed, deep.error?.reason]).toEqual([false, "PERMISSION_DENIED"]);
      expect(cleaned.filter((f) => f.removed)).toHaveLength(2);
    } finally {
      await testbed.exec(`chmod 755 ${home}/clean/sub`, as);
    }
  });

  it("works through a session pool, and a missing directory is NO_SUCH_FILE", async () => {
    const pool = new SessionPool(testbed.connectionConfig({ hostKey: "fingerprint" }));
    try {
      expect(await cleanTemporaryFiles(pool, { remoteDirectory: "clean", olderThan: "1h" })).toHaveLength(2);
      await expect(cleanTemporaryFiles(pool, { remoteDirectory: "nowhere", olderThan: "1h" })).rejects.toMatchObject({ reason: "NO_SUCH_FILE" });
    } finally {
      await pool.close();
    }
  });
});
