// SftpWriteStream against OpenSSH: one large chunk goes out in server-sized writes within the in-flight limit, byte-identical; destroy closes the handle on the server; refusals keep the file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isSftpConnectorError } from "@sftp-connector/core";
import { rejectionOf, sha256, startTestbed, waitFor, type Testbed } from "@sftp-connector/testkit";
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

describe("SftpWriteStream against OpenSSH", () => {
  it("writes one 8 MiB chunk in requests of the server's write limit, at most `concurrency` in flight, byte-identical (SHA-256)", async () => {
    const data = randomBytes(8 * 1024 * 1024);
    const lengths: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const write = session.write.bind(session);
    session.write = (handle, buffer, offset, length, position, path) => {
      lengths.push(length);
      peak = Math.max(peak, ++inFlight);
      return write(handle, buffer, offset, length, position, path).finally(() => (inFlight -= 1));
    };
    try {
      await pipeline(Readable.from([data]), session.createWriteStream(`${home}/one-chunk.bin`, { concurrency: 4 }));
    } finally {
      session.write = write;
    }
    expect(await testbed.sha256(`${home}/one-chunk.bin`)).toBe(sha256(data));
    expect(peak).toBe(4);
    expect(Math.max(...lengths)).toBe(session.limits.maxWriteLength);
    expect(lengths.length).toBe(Math.ceil(data.length / session.limits.maxWriteLength));
  });

  it("destroyed mid-upload, it closes its handle on the server", async () => {
    const descriptors = async () =>
      Number((await testbed.exec("for p in $(pgrep -f '^sshd: tester@internal-sftp'); do ls /proc/$p/fd; done | wc -l")).stdout.trim());
    const idle = await descriptors();
    const stream = session.createWriteStream(`${home}/abandoned.bin`);
    stream.on("error", () => {});
    await new Promise((resolve) => stream.once("ready", resolve));
    stream.write(randomBytes(100_000));
    expect(await descriptors()).toBe(idle + 1);
    stream.destroy();
    await waitFor(async () => (await descriptors()) === idle, "the server to close the handle");
    expect(session.closed).toBe(false);
  });

  it("flags 'wx' refuses an existing file and leaves it as it was; a directory the user may not write gives PERMISSION_DENIED", async () => {
    await testbed.exec(`echo keep > ${home}/kept.txt && chown tester ${home}/kept.txt`);
    const exists = await rejectionOf(
      pipeline(Readable.from([Buffer.from("new")]), session.createWriteStream(`${home}/kept.txt`, { flags: "wx" })),
      isSftpConnectorError,
    );
    expect(exists.operation).toBe("open");
    expect((await testbed.exec(`cat ${home}/kept.txt`)).stdout).toBe("keep\n");
    const denied = await rejectionOf(pipeline(Readable.from([Buffer.from("x")]), session.createWriteStream("/etc/not-yours")), isSftpConnectorError);
    expect(denied.reason).toBe("PERMISSION_DENIED");
    expect(denied.message).toContain("'/etc/not-yours'");
  });
});
