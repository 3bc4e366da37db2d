// A full disk on the server (a 1 MiB tmpfs) during CREATE and UPSERT through the facade: FAILURE saying so, nothing partial at the name, the old file intact.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { startTestbed, waitFor, rejectionOf, sha256, type Testbed } from "@sftp-connector/testkit";
import { createSftpConnector, isSftpConnectorError, type SftpConnector } from "sftp-connector";

let testbed: Testbed;
let sftp: SftpConnector;
const small = "/home/tester/small";
const old = "old content, kept whole";
const big = randomBytes(3 * 1024 * 1024);

beforeAll(async () => {
  testbed = await startTestbed({ tmpfs: { [small]: "size=1m,uid=1000,gid=1000,mode=0755" } });
  // Mounting the tmpfs makes the home directory root's: give it back to the user.
  await testbed.exec("chown tester:tester /home/tester");
  sftp = createSftpConnector(testbed.connectionConfig({ hostKey: "fingerprint", timeoutMs: 8_000, extra: { remoteDirectory: small } }));
});
afterAll(async () => {
  await sftp?.close();
  if (testbed) await waitFor(async () => (await testbed.exec("pgrep -f '^sshd: tester' || true")).stdout.trim() === "", "no session left", 10_000);
  await testbed?.stop();
});
beforeEach(async () => {
  await testbed.exec(`rm -rf ${small}/* ${small}/.[!.]* 2>/dev/null; printf '${old}' > ${small}/keep.txt && chown tester:tester ${small}/keep.txt`, {
    user: "root",
  });
});

const ls = async () => (await testbed.exec(`ls -A ${small}`)).stdout.split("\n").filter(Boolean).sort();

/** FAILURE naming the final path and saying the disk looks full. */
function expectDiskFull(error: unknown, name: string): void {
  expect(isSftpConnectorError(error)).toBe(true);
  if (!isSftpConnectorError(error)) return;
  expect(error.reason).toBe("FAILURE");
  expect(error.path).toBe(`${small}/${name}`);
  expect(error.message).toContain(`${small}/${name}`);
  expect(error.message).toContain("disk full");
}

describe("disk full on the server", () => {
  it("CREATE of a new file: FAILURE, no file at the name, no temporary file", { timeout: 30_000 }, async () => {
    expectDiskFull(await rejectionOf(sftp.create({ fileName: "new.bin", content: big })), "new.bin");
    expect(await ls()).toEqual(["keep.txt"]);
  });

  it("CREATE with OVERWRITE: FAILURE, the old file intact (same SHA-256), no temporary file", { timeout: 30_000 }, async () => {
    expectDiskFull(await rejectionOf(sftp.create({ fileName: "keep.txt", content: big }, { actionIfFileExists: "OVERWRITE" })), "keep.txt");
    expect(await testbed.sha256(`${small}/keep.txt`)).toBe(sha256(old));
    expect(await ls()).toEqual(["keep.txt"]);
  });

  it("UPSERT replacing a file: FAILURE, the old file intact, no temporary file", { timeout: 30_000 }, async () => {
    expectDiskFull(await rejectionOf(sftp.upsert({ fileName: "keep.txt", content: big })), "keep.txt");
    expect(await testbed.sha256(`${small}/keep.txt`)).toBe(sha256(old));
    expect(await ls()).toEqual(["keep.txt"]);
  });

  it("UPSERT appending: FAILURE, and the file is truncated back to its old content (nothing half-appended)", { timeout: 30_000 }, async () => {
    expectDiskFull(await rejectionOf(sftp.upsert({ fileName: "keep.txt", content: big }, { append: true })), "keep.txt");
    expect(await testbed.sha256(`${small}/keep.txt`)).toBe(sha256(old));
    expect(await ls()).toEqual(["keep.txt"]);
  });

  it("the disk has room again: the same connector uploads the file whole", { timeout: 30_000 }, async () => {
    const fits = randomBytes(256 * 1024);
    await sftp.create({ fileName: "fits.bin", content: fits });
    expect(await testbed.sha256(`${small}/fits.bin`)).toBe(sha256(fits));
    expect(await ls()).toEqual(["fits.bin", "keep.txt"]);
  });
});
