// QUERY against the real OpenSSH testbed: our upload temporary names are never downloaded unless includeTemporaryFiles; look-alike user files always are.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";
import { openSession, type SftpSession } from "@sftp-connector/transport";
import { temporaryFileName } from "@sftp-connector/transport/upload";
import { isQueryError, queryFiles, type QueryOptions } from "./index.js";

let testbed: Testbed;
let session: SftpSession;
let home: string;
const TEMP = temporaryFileName("report.csv");
const UUID = TEMP.slice(".report.csv.".length, -".sftp-tmp".length);
const LOOK_ALIKES = [".report.csv.sftp-tmp", `report.csv.${UUID}.sftp-tmp`, `.report.csv.${UUID.toUpperCase()}.sftp-tmp`];

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  const quoted = LOOK_ALIKES.map((name) => `'${name}'`).join(" ");
  await testbed.exec(`set -e; mkdir -p ${home}/tmpq && cd ${home}/tmpq && printf a > report.csv && printf partial > '${TEMP}' && touch ${quoted}`, {
    user: "tester",
  });
  session = await openSession(testbed.connectionConfig({ hostKey: "fingerprint" }));
});

afterAll(async () => {
  await session?.close();
  await testbed?.stop();
});

async function query(options: QueryOptions = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const item of queryFiles(session, { remoteDirectory: "tmpq" }, { ...options, as: "buffer" })) {
    if (isQueryError(item)) throw item.error;
    out[item.properties.fileName] = item.content.toString("utf8");
  }
  return out;
}

describe("queryFiles and upload temporary files", () => {
  it("does not download our temporary files; look-alike user files are returned", async () => {
    const got = await query();
    expect(Object.keys(got).sort()).toEqual([...LOOK_ALIKES, "report.csv"].sort());
  });

  it("returns them with includeTemporaryFiles: true", async () => {
    const got = await query({ includeTemporaryFiles: true });
    expect(Object.keys(got).sort()).toEqual([...LOOK_ALIKES, TEMP, "report.csv"].sort());
    expect(got[TEMP]).toBe("partial");
  });

  it("refuses a non-boolean includeTemporaryFiles before any request", () => {
    expect(() => queryFiles(session, {}, { includeTemporaryFiles: "yes" as never })).toThrow('includeTemporaryFiles: expected true or false, got "yes"');
  });
});
