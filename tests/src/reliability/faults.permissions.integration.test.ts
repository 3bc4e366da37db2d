// Permission denied on read, write, rename and delete, through the facade: PERMISSION_DENIED, and the error names the path (error.path and the message).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestbed, waitFor, rejectionOf, type Testbed } from "@sftp-connector/testkit";
import { createSftpConnector, isSftpConnectorError, type SftpConnector } from "sftp-connector";

let testbed: Testbed;
let sftp: SftpConnector;
const dir = "/home/tester/perm";

beforeAll(async () => {
  testbed = await startTestbed();
  // secret.txt: unreadable; ro/: a directory tester cannot write; sticky/: root's, world-writable with the sticky bit, holding root's file.
  await testbed.exec(
    `mkdir -p ${dir}/ro ${dir}/sticky ${dir}/done && printf hidden > ${dir}/secret.txt && printf keep > ${dir}/ro/a.txt && printf root > ${dir}/sticky/root.txt && ` +
      `chown -R tester:tester ${dir} && chmod 000 ${dir}/secret.txt && chmod 555 ${dir}/ro && chown root:root ${dir}/sticky ${dir}/sticky/root.txt && chmod 1777 ${dir}/sticky`,
  );
  sftp = createSftpConnector(testbed.connectionConfig({ hostKey: "fingerprint", timeoutMs: 8_000, extra: { remoteDirectory: dir } }));
});
afterAll(async () => {
  await sftp?.close();
  if (testbed) await waitFor(async () => (await testbed.exec("pgrep -f '^sshd: tester' || true")).stdout.trim() === "", "no session left", 10_000);
  await testbed?.stop();
});

/** The error names the path in both places, with the expected reason. */
function expectDenied(error: unknown, path: string): void {
  expect(isSftpConnectorError(error)).toBe(true);
  if (!isSftpConnectorError(error)) return;
  expect(error.reason).toBe("PERMISSION_DENIED");
  expect(error.retryable).toBe(false);
  expect(error.path).toBe(path);
  expect(error.message).toContain(path);
}

describe("permission denied", () => {
  it("on read: GET of a file mode 000", { timeout: 30_000 }, async () => {
    const error = await rejectionOf(
      (async () => {
        const doc = await sftp.get({ fileName: "secret.txt" }, { as: "buffer" });
        return doc;
      })(),
    );
    expectDenied(error, `${dir}/secret.txt`);
    expect((await testbed.exec(`cat ${dir}/secret.txt`)).stdout).toBe("hidden");
  });

  it("on write: CREATE and UPSERT into a read-only directory leave it as it was", { timeout: 30_000 }, async () => {
    expectDenied(await rejectionOf(sftp.create({ fileName: "ro/new.txt", content: "x" })), `${dir}/ro/new.txt`);
    expectDenied(await rejectionOf(sftp.upsert({ fileName: "ro/a.txt", content: "x" })), `${dir}/ro/a.txt`);
    expect((await testbed.exec(`ls -A ${dir}/ro`)).stdout.trim()).toBe("a.txt");
    expect((await testbed.exec(`cat ${dir}/ro/a.txt`)).stdout).toBe("keep");
  });

  it("on rename: GET with moveAfter of another user's file in a sticky directory", { timeout: 30_000 }, async () => {
    const error = await rejectionOf(sftp.get({ fileName: "sticky/root.txt" }, { as: "buffer", moveAfter: "done" }));
    expect(isSftpConnectorError(error) && error.reason).toBe("PERMISSION_DENIED");
    if (!isSftpConnectorError(error)) return;
    expect(error.path).toBe(`${dir}/sticky/root.txt`);
    expect(error.message).toContain(`${dir}/sticky/root.txt`);
    expect(error.message).toContain(`${dir}/done/root.txt`);
    expect((await testbed.exec(`ls -A ${dir}/sticky ${dir}/done`)).stdout).toContain("root.txt");
    expect((await testbed.exec(`ls -A ${dir}/done`)).stdout.trim()).toBe("");
  });

  it("on delete: DELETE of another user's file in a sticky directory", { timeout: 30_000 }, async () => {
    const error = await rejectionOf(sftp.delete({ ids: ["sticky/root.txt"] }));
    expectDenied(error, `${dir}/sticky/root.txt`);
    expect((await testbed.exec(`cat ${dir}/sticky/root.txt`)).stdout).toBe("root");
  });
});
