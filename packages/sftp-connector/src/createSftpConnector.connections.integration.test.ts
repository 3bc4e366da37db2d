// The facade with `connections`: GET, CREATE and UPSERT of one large file over several sessions of its pool, byte-identical with nothing left behind, on every server kind of the testbed and through an HTTP CONNECT and a SOCKS5 proxy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { chunkedSource, rejectionOf, sha256, startTestbed, type Testbed } from "@sftp-connector/testkit";
import type { ConnectionConfig } from "@sftp-connector/core";
import { createSftpConnector } from "./index.js";

const MiB = 1024 * 1024;
/** A modern sshd with the proxies. */
let modern: Testbed;
/** Only legacy algorithms (CBC ciphers, SHA-1 key exchanges, ssh-rsa). */
let legacy: Testbed;
/** Only legacy key exchanges. */
let legacyKexOnly: Testbed;
/** Passwords only over keyboard-interactive. */
let kbdOnly: Testbed;

beforeAll(async () => {
  [modern, legacy, legacyKexOnly, kbdOnly] = await Promise.all([
    startTestbed({ proxies: true }),
    startTestbed({ legacyAlgorithmsOnly: true }),
    startTestbed({ sshdConfig: ["KexAlgorithms diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1"] }),
    startTestbed({ keyboardInteractiveOnly: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([modern, legacy, legacyKexOnly, kbdOnly].map((testbed) => testbed?.stop()));
});

/** Every entry of a directory on the server, hidden ones (a temporary file) too. */
async function entries(testbed: Testbed, dir: string): Promise<string[]> {
  return (await testbed.exec(`ls -A '${dir}'`)).stdout.split("\n").filter(Boolean).sort();
}

/**
 * Through a connector for `config`: CREATE `size` random bytes as `<label>/up.bin`, GET them back,
 * both with `connections`; the server's SHA-256 and the GET's are the upload's, the directory holds
 * that one file, and the pool used more than one session.
 */
async function roundTrip(testbed: Testbed, config: ConnectionConfig, label: string, size: number, connections: number): Promise<void> {
  const dir = `${testbed.users.password.home}/${label}`;
  await testbed.exec(`mkdir -p '${dir}'`, { user: "tester" });
  const data = randomBytes(size);
  const sftp = createSftpConnector(config);
  try {
    const created = await sftp.create({ content: chunkedSource(data, MiB), fileName: `${label}/up.bin` }, { connections });
    expect(created.bytesWritten, label).toBe(size);
    expect(await testbed.sha256(`${dir}/up.bin`), label).toBe(sha256(data));
    const document = await sftp.get({ fileName: `${label}/up.bin` }, { as: "buffer", failIfNotFound: true, connections });
    expect(sha256(document.content), label).toBe(sha256(data));
    expect(await entries(testbed, dir), label).toEqual(["up.bin"]);
    expect(sftp.pool.peak, label).toBeGreaterThan(1);
  } finally {
    await sftp.close();
  }
}

describe("createSftpConnector with connections", () => {
  it("GET, CREATE and UPSERT of a 40 MiB file with connections 4: byte-identical, no temporary file, more than one session", async () => {
    const home = modern.users.password.home;
    await modern.exec(`mkdir -p ${home}/facade && head -c ${40 * MiB + 99} /dev/urandom > ${home}/facade/server.bin && chown -R tester ${home}/facade`);
    const serverSha = await modern.sha256(`${home}/facade/server.bin`);
    const sftp = createSftpConnector(modern.connectionConfig({ extra: { remoteDirectory: `${home}/facade` } }));
    try {
      const got = await sftp.get({ fileName: "server.bin" }, { as: "buffer", failIfNotFound: true, connections: 4 });
      expect(got.content.length).toBe(40 * MiB + 99);
      expect(sha256(got.content)).toBe(serverSha);
      expect(sftp.pool.peak).toBeGreaterThan(1);
      expect(sftp.pool.peak).toBeLessThanOrEqual(4);

      const data = randomBytes(40 * MiB + 7);
      await sftp.create({ content: chunkedSource(data, MiB), fileName: "created.bin" }, { connections: 4 });
      expect(await modern.sha256(`${home}/facade/created.bin`)).toBe(sha256(data));

      const replacement = randomBytes(40 * MiB + 11);
      await sftp.upsert({ content: chunkedSource(replacement, MiB), fileName: "created.bin" }, { connections: 4 });
      expect(await modern.sha256(`${home}/facade/created.bin`)).toBe(sha256(replacement));
      expect(await entries(modern, `${home}/facade`)).toEqual(["created.bin", "server.bin"]);
    } finally {
      await sftp.close();
    }
  });

  it("connections is checked by each operation: out of range or not a number is INVALID_INPUT naming it; a misspelling is still an unknown option", async () => {
    const sftp = createSftpConnector(modern.connectionConfig());
    try {
      for (const connections of [0, 65, 2.5, "4"]) {
        const calls = [
          sftp.get({ fileName: "x" }, { connections: connections as number }),
          sftp.create({ fileName: "x", content: "x" }, { connections: connections as number }),
          sftp.upsert({ fileName: "x", content: "x" }, { connections: connections as number }),
        ];
        for (const call of calls) {
          const error = await rejectionOf(call);
          expect(error).toMatchObject({ reason: "INVALID_INPUT" });
          expect((error as Error).message).toContain(`connections: expected an integer from 1 to 64, got ${JSON.stringify(connections)}`);
        }
      }
      const misspelt = await rejectionOf(sftp.get({ fileName: "x" }, { connection: 4 } as never));
      expect(misspelt).toMatchObject({ reason: "INVALID_INPUT" });
      expect((misspelt as Error).message).toMatch(/connection\b.*connections/);
      expect(sftp.pool.peak).toBe(0); // nothing reached the server
    } finally {
      await sftp.close();
    }
  });

  it("a pool smaller than connections (max 1 or 2), or no pooling, moves the file over the sessions it has, byte-identical", async () => {
    const home = modern.users.password.home;
    for (const max of [1, 2, false] as const) {
      const dir = `${home}/small-pool-${max}`;
      await modern.exec(`mkdir -p ${dir}`, { user: "tester" });
      const data = randomBytes(20 * MiB + 7);
      const sftp = createSftpConnector(modern.connectionConfig({ extra: { remoteDirectory: dir, pool: max === false ? false : { max } } }));
      try {
        await sftp.create({ content: chunkedSource(data, MiB), fileName: "up.bin" }, { connections: 4 });
        expect(await modern.sha256(`${dir}/up.bin`)).toBe(sha256(data));
        const document = await sftp.get({ fileName: "up.bin" }, { as: "buffer", failIfNotFound: true, connections: 4 });
        expect(sha256(document.content)).toBe(sha256(data));
        await sftp.upsert({ content: chunkedSource(data.subarray(MiB), MiB), fileName: "up.bin" }, { connections: 4 });
        expect(await modern.sha256(`${dir}/up.bin`)).toBe(sha256(data.subarray(MiB)));
        expect(await entries(modern, dir)).toEqual(["up.bin"]);
        if (max !== false) expect(sftp.pool.peak).toBeLessThanOrEqual(max);
      } finally {
        await sftp.close();
      }
    }
  });

  it("works through an HTTP CONNECT proxy and a SOCKS5 proxy (both with credentials)", async () => {
    const { httpAuth, socksAuth } = modern.proxies!;
    await roundTrip(modern, modern.connectionConfig({ extra: { proxy: { type: "http", ...httpAuth } } }), "via-http", 20 * MiB + 1, 3);
    await roundTrip(modern, modern.connectionConfig({ extra: { proxy: { type: "socks5", ...socksAuth } } }), "via-socks5", 20 * MiB + 2, 3);
  });

  it("works with every server kind of the testbed: legacy algorithms only, legacy key exchanges only, keyboard-interactive only", async () => {
    await Promise.all([
      roundTrip(legacy, legacy.connectionConfig({ extra: { algorithms: "legacy" } }), "legacy", 20 * MiB + 3, 3),
      roundTrip(legacyKexOnly, legacyKexOnly.connectionConfig({ extra: { legacyKex: true } }), "legacy-kex", 20 * MiB + 4, 3),
      roundTrip(kbdOnly, kbdOnly.connectionConfig(), "keyboard-interactive", 20 * MiB + 5, 3),
    ]);
  });
});
