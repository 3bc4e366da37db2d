// Security: a private key file readable by group or others logs in with an OpenSSH-like "UNPROTECTED PRIVATE KEY FILE" warning (file, mode, chmod 600, never key content); a 0600 file logs in silently.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync } from "node:fs";
import { createSftpConnector } from "sftp-connector";
import { startTestbed, type Testbed } from "@sftp-connector/testkit";
import { captureIo, main } from "../../../packages/sftp-connector/src/cli.js";

let testbed: Testbed;
beforeAll(async () => {
  testbed = await startTestbed();
}, 120_000);
afterAll(async () => {
  await testbed?.stop();
});

const keyLines = (name: "ed25519Encrypted" | "rsaPem") =>
  testbed.users.key.keys[name].privateKey.split("\n").filter((line) => line.length >= 20 && !line.startsWith("-----"));

// File modes mean nothing on Windows: there the check is off by design.
describe.skipIf(process.platform === "win32")("private key file permissions", () => {
  it.each([
    ["0644", 0o644, true],
    ["0640", 0o640, true],
    ["0604", 0o604, true],
    ["0600", 0o600, false],
    ["0400", 0o400, false],
  ])(
    "facade, mode %s: logs in, and warns only when group or others may read the file",
    async (octal, mode, warns) => {
      const path = await testbed.writeKeyFile("ed25519Encrypted");
      chmodSync(path, mode);
      const warnings: string[] = [];
      const logger = { debug() {}, info() {}, warn: (message: string) => void warnings.push(message), error: (message: string) => void warnings.push(message) };
      const sftp = createSftpConnector(
        testbed.connectionConfig({
          key: "ed25519Encrypted",
          hostKey: "fingerprint",
          extra: { auth: { type: "privateKey", path, passphrase: testbed.users.key.passphrase } },
        }),
        { logger },
      );
      try {
        expect((await sftp.testConnection()).homeDirectory).toBe("/home/keyuser");
        expect(await sftp.create({ fileName: `mode-${octal}.txt`, content: "x" })).toMatchObject({ path: `/home/keyuser/mode-${octal}.txt` });
      } finally {
        await sftp.close();
      }
      const unprotected = warnings.filter((w) => w.includes("UNPROTECTED PRIVATE KEY FILE"));
      if (!warns) {
        expect(warnings).toEqual([]);
        return;
      }
      // One warning per connection: testConnection's own, and the pool's session for create.
      expect(unprotected).toHaveLength(2);
      expect(unprotected[0]).toBe(
        `auth[0].path: UNPROTECTED PRIVATE KEY FILE: '${path}' has mode ${octal}, so users other than its owner may read it; run "chmod 600 '${path}'" (OpenSSH would refuse this key; it is used anyway)`,
      );
      for (const line of [...keyLines("ed25519Encrypted"), testbed.users.key.passphrase]) expect(unprotected.join("\n")).not.toContain(line);
    },
    30_000,
  );

  it("CLI: --key with a 0644 file prints the warning on stderr and still succeeds; a 0600 file prints none", async () => {
    const run = async (mode: number) => {
      const path = await testbed.writeKeyFile("rsaPem");
      chmodSync(path, mode);
      const io = captureIo({ env: {} });
      const code = await main(
        ["test", "--host", testbed.host, "--port", String(testbed.port), "--user", "keyuser", "--key", path, "--fingerprint", testbed.hostKey.fingerprint],
        io.io,
      );
      return { code, path, stdout: io.stdout(), stderr: io.stderr() };
    };
    const open = await run(0o644);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stderr).toContain(`warning: auth[0].path: UNPROTECTED PRIVATE KEY FILE: '${open.path}' has mode 0644`);
    expect(open.stderr).toContain(`run "chmod 600 '${open.path}'"`);
    for (const line of keyLines("rsaPem")) expect(open.stdout + open.stderr).not.toContain(line);
    const closed = await run(0o600);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stderr).not.toContain("UNPROTECTED");
  }, 30_000);
});
