// SftpSession against OpenSSH: the limits and extensions it announces, its statuses mapped to reasons, readdir's batches and handle, rename and mkdir -p.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSftpConnectorError } from "@sftp-connector/core";
import { rejectionOf, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { openSession, type SftpSession } from "./index.js";

let testbed: Testbed;
let session: SftpSession;
let home: string;

beforeAll(async () => {
  testbed = await startTestbed();
  home = testbed.users.password.home;
  session = await openSession(testbed.connectionConfig({ hostKey: "fingerprint" }));
});
afterAll(async () => {
  await session?.close();
  await testbed?.stop();
});

/** Descriptors the user's SFTP server process holds open (its handles, plus stdio), counted on the server. */
async function serverDescriptors(): Promise<number> {
  const { stdout } = await testbed.exec("for p in $(pgrep -f '^sshd: tester@internal-sftp'); do ls /proc/$p/fd; done | wc -l");
  return Number(stdout.trim());
}

describe("SftpSession against OpenSSH", () => {
  it("takes the server's read and write limits from limits@openssh.com, and a full-size read comes back whole", async () => {
    expect(session.extensions).toEqual(expect.arrayContaining(["limits@openssh.com", "posix-rename@openssh.com"]));
    expect(session.limits.maxReadLength).toBeGreaterThan(32_768);
    expect(session.limits.maxWriteLength).toBeGreaterThan(32_768);
    await testbed.exec(`head -c 600000 /dev/urandom > ${home}/limit.bin && chown tester ${home}/limit.bin`);
    const handle = await session.open(`${home}/limit.bin`, "r");
    const chunk = await session.readChunk(handle, session.limits.maxReadLength, 0);
    await session.close(handle, `${home}/limit.bin`);
    expect(chunk!.length).toBe(session.limits.maxReadLength);
  });

  it("maps the server's statuses to reasons, quoting the path, and the session survives them", async () => {
    await testbed.exec("echo secret > /root/only-root && chmod 600 /root/only-root");
    const missing = await rejectionOf(session.stat(`${home}/nope`), isSftpConnectorError);
    expect([missing.reason, missing.path]).toEqual(["NO_SUCH_FILE", `${home}/nope`]);
    expect(missing.message).toContain(`'${home}/nope'`);
    expect((await rejectionOf(session.stat("/root/only-root"), isSftpConnectorError)).reason).toBe("PERMISSION_DENIED");
    expect((await rejectionOf(session.open("/etc/passwd", "w"), isSftpConnectorError)).reason).toBe("PERMISSION_DENIED");
    expect(await session.statIfExists(`${home}/nope`)).toBeUndefined();
    expect(session.closed).toBe(false);
    expect((await session.stat(home)).isDirectory).toBe(true);
  });

  it("readdir lists a directory of several batches once each, and closes its handle on the server, also when the loop breaks", async () => {
    const dir = `${home}/many`;
    await testbed.exec(`mkdir ${dir} && cd ${dir} && for i in $(seq 1 250); do : > f$i; done && chown -R tester ${dir}`);
    const idle = await serverDescriptors();
    const names: string[] = [];
    for await (const entry of session.readdir(dir)) names.push(entry.name);
    expect(names).toHaveLength(250);
    expect(new Set(names).size).toBe(250);
    expect(await serverDescriptors()).toBe(idle);
    const entries = session.readdir(dir);
    await entries.next();
    expect(await serverDescriptors()).toBe(idle + 1);
    for await (const entry of entries) if (entry) break;
    expect(await serverDescriptors()).toBe(idle);
  });

  it("rename with overwrite replaces the target (posix-rename); without it an existing target is refused", async () => {
    await testbed.exec(`cd ${home} && echo new > a.txt && echo old > b.txt && echo c > c.txt && chown tester a.txt b.txt c.txt`);
    await session.rename(`${home}/a.txt`, `${home}/b.txt`, { overwrite: true });
    expect((await testbed.exec(`cat ${home}/b.txt; ls ${home}/a.txt 2>/dev/null || echo gone`)).stdout).toBe("new\ngone\n");
    const refused = await rejectionOf(session.rename(`${home}/c.txt`, `${home}/b.txt`), isSftpConnectorError);
    expect(refused.operation).toBe("rename");
    expect((await testbed.exec(`cat ${home}/b.txt ${home}/c.txt`)).stdout).toBe("new\nc\n");
  });

  it("mkdir recursive makes every missing level and accepts an existing directory; without recursive an existing one fails", async () => {
    await session.mkdir(`${home}/x/y/z`, { recursive: true });
    await session.mkdir(`${home}/x/y/z`, { recursive: true });
    expect((await session.stat(`${home}/x/y/z`)).isDirectory).toBe(true);
    await session.mkdir(`${home}/x/y/w`);
    expect(isSftpConnectorError(await rejectionOf(session.mkdir(`${home}/x/y/w`)))).toBe(true);
    await session.rmdir(`${home}/x/y/w`);
    expect(await session.statIfExists(`${home}/x/y/w`)).toBeUndefined();
  });
});
