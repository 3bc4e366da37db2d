// LIST against the real OpenSSH testbed: our upload temporary names are skipped unless includeTemporaryFiles; look-alike user files never are.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";
import { openSession, type SftpSession } from "@sftp-connector/transport";
import { temporaryFileName } from "@sftp-connector/transport/upload";
import { listFiles, type ListOptions } from "./index.js";

let testbed: Testbed;
let session: SftpSession;
let home: string;
const TEMP = temporaryFileName("report.csv");
const DEEP_TEMP = temporaryFileName("deep.csv");
const UUID = TEMP.slice(".report.csv.".length, -".sftp-tmp".length);
/** User files that look like ours but are not: listed always. */
const LOOK_ALIKES = [
  ".report.csv.sftp-tmp",
  `report.csv.${UUID}.sftp-tmp`,
  `.report.csv.${UUID.toUpperCase()}.sftp-tmp`,
  `.report.csv.${UUID}.sftp-tmp.bak`,
  `.report.csv.${UUID.slice(0, -1)}.sftp-tmp`,
];

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  const quoted = [TEMP, ...LOOK_ALIKES].map((name) => `'${name}'`).join(" ");
  await testbed.exec(
    `set -e; mkdir -p ${home}/tmpnames/sub && cd ${home}/tmpnames && printf a > report.csv && touch ${quoted} && touch 'sub/${DEEP_TEMP}' sub/deep.csv`,
    {
      user: "tester",
    },
  );
  session = await openSession(testbed.connectionConfig({ hostKey: "fingerprint" }));
});

afterAll(async () => {
  await session?.close();
  await testbed?.stop();
});

async function names(options: ListOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of listFiles(session, { remoteDirectory: "tmpnames" }, options))
    out.push(entry.directory.endsWith("/sub") ? `sub/${entry.fileName}` : entry.fileName);
  return out.sort();
}

describe("listFiles and upload temporary files", () => {
  it("skips our temporary names (at every depth) and lists look-alike user files", async () => {
    expect(await names({ recursive: true })).toEqual([...LOOK_ALIKES, "report.csv", "sub", "sub/deep.csv"].sort());
  });

  it("lists them with includeTemporaryFiles: true", async () => {
    expect(await names({ recursive: true, includeTemporaryFiles: true })).toEqual(
      [...LOOK_ALIKES, TEMP, "report.csv", "sub", `sub/${DEEP_TEMP}`, "sub/deep.csv"].sort(),
    );
  });

  it("a filter cannot bring a skipped temporary file back; the option can", async () => {
    expect(await names({ filter: 'fileName =~ ".*[.]sftp-tmp$"' })).toEqual(LOOK_ALIKES.filter((n) => n.endsWith(".sftp-tmp")).sort());
    expect(await names({ filter: 'fileName =~ ".*[.]sftp-tmp$"', includeTemporaryFiles: true })).toEqual(
      [...LOOK_ALIKES.filter((n) => n.endsWith(".sftp-tmp")), TEMP].sort(),
    );
  });
});
