// Old servers Boomi (JSch 0.1.55) reaches: an sshd offering only legacy algorithms, one offering only legacy key exchanges, one taking passwords only over keyboard-interactive.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { rejectionOf, sha256, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { fromBoomiProperties, isSftpConnectorError, toBoomiStatus, type ConnectionConfig } from "@sftp-connector/core";
import { openSession, LEGACY_ALGORITHMS, type Logger } from "./index.js";

/** The legacy-only sshd; the same image, but the modern algorithms switched off. */
let legacy: Testbed;
/** An sshd whose key exchanges are only `diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1`. */
let legacyKexOnly: Testbed;
/** A modern sshd. */
let modern: Testbed;
/** An sshd with `PasswordAuthentication no`: passwords only over keyboard-interactive. */
let kbdOnly: Testbed;

beforeAll(async () => {
  [legacy, legacyKexOnly, modern, kbdOnly] = await Promise.all([
    startTestbed({ legacyAlgorithmsOnly: true }),
    startTestbed({ sshdConfig: ["KexAlgorithms diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1"] }),
    startTestbed(),
    startTestbed({ keyboardInteractiveOnly: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([legacy, legacyKexOnly, modern, kbdOnly].map((testbed) => testbed?.stop()));
});

/** A logger that keeps every line with its details, to check what was said and that no secret was. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, details?: Record<string, unknown>) =>
    lines.push(`${level} ${message}${details ? ` ${JSON.stringify(details)}` : ""}`);
  return { logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") }, lines };
}

/** A testbed's connection as Boomi stores it (password user, pinned host key), plus `extra` properties. */
function boomiProps(testbed: Testbed, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { username, password } = testbed.users.password;
  return { host: "127.0.0.1", port: String(testbed.port), username, password, hostEntry: testbed.hostKey.knownHostsLine, ...extra };
}

/** Uploads random bytes, downloads them back, and compares SHA-256 (and the server's own sha256sum). */
async function roundTripFile(testbed: Testbed, config: ConnectionConfig, logger?: Logger) {
  const session = await openSession(config, logger ? { logger } : {});
  try {
    const data = randomBytes(300 * 1024 + 17);
    const path = `${session.info.homeDirectory}/legacy-${randomBytes(4).toString("hex")}.bin`;
    await pipeline(Readable.from([data]), session.createWriteStream(path));
    const chunks: Buffer[] = [];
    await pipeline(
      session.createReadStream(path),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(data));
    expect(await testbed.sha256(path)).toBe(sha256(data));
    return session.info.algorithms;
  } finally {
    await session.close();
  }
}

describe("an sshd that offers only legacy algorithms", () => {
  it("the default profile fails with INVALID_CONFIG naming the server's offer and the profile, not retried", async () => {
    const error = await rejectionOf(openSession(legacy.connectionConfig()), isSftpConnectorError);
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      `connect failed: 127.0.0.1:${legacy.port} and this client share no key exchange algorithm (Handshake failed: no matching key exchange algorithm): ` +
        'the server offers only legacy key exchange algorithms (diffie-hellman-group14-sha1, diffie-hellman-group-exchange-sha1), which the "default" algorithm profile does not offer; ' +
        'if the server cannot be upgraded, set algorithms: "legacy" to allow them (SHA-1 key exchanges, CBC ciphers, hmac-md5, ssh-dss), or legacyKex: true for its key exchanges only',
    );
    // A Boomi process sees its generic connect-time failure, with our message (naming the profile) as the cause.
    expect(toBoomiStatus(error)).toEqual({ status: "FAILURE", statusCode: "-1", message: `Unable to get Session. Cause: ${error.message}` });
  });

  it("legacyKex alone gets past the key exchange and fails on the CBC ciphers, naming the profile", async () => {
    const error = await rejectionOf(openSession(legacy.connectionConfig({ extra: { legacyKex: true } })), isSftpConnectorError);
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.message).toContain("share no cipher algorithm");
    expect(error.message).toContain(
      'the server offers only legacy cipher algorithms (aes128-cbc, aes256-cbc, 3des-cbc), which the "default" algorithm profile does not offer',
    );
    expect(error.message).toContain('set algorithms: "legacy"');
  });

  it('algorithms: "legacy" connects, negotiates the old algorithms, round-trips a file and warns naming them', async () => {
    const { logger, lines } = recordingLogger();
    const negotiated = await roundTripFile(legacy, legacy.connectionConfig({ extra: { algorithms: "legacy" } }), logger);
    expect(negotiated).toMatchObject({ kex: "diffie-hellman-group14-sha1", serverHostKey: "ssh-rsa", cipher: "aes128-cbc", mac: "hmac-sha1" });
    const warnings = lines.filter((line) => line.startsWith("warn "));
    expect(warnings).toEqual([
      `warn algorithms: "legacy" for 127.0.0.1:${legacy.port}: also offering legacy algorithms after the modern ones (` +
        `kex ${LEGACY_ALGORITHMS.kex.join(", ")}; serverHostKey ${LEGACY_ALGORITHMS.serverHostKey.join(", ")}; ` +
        `cipher ${LEGACY_ALGORITHMS.cipher.join(", ")}; hmac ${LEGACY_ALGORITHMS.hmac.join(", ")}). ` +
        "They are weak (SHA-1, MD5, CBC, 1024-bit DH and DSA); a server that offers anything newer still negotiates that",
    ]);
    expect(lines.join("\n")).not.toContain(legacy.users.password.password);
  });

  it("reaches DH group exchange (SHA-1), 3DES and hmac-md5 when the lists ask for them", async () => {
    const negotiated = await roundTripFile(
      legacy,
      legacy.connectionConfig({
        extra: { algorithms: { profile: "legacy", kex: ["diffie-hellman-group-exchange-sha1"], cipher: ["3des-cbc"], hmac: ["hmac-md5"] } },
      }),
    );
    expect(negotiated).toMatchObject({ kex: "diffie-hellman-group-exchange-sha1", cipher: "3des-cbc", mac: "hmac-md5" });
  });

  it('Boomi\'s isMaxExchange alone gets past the key exchange; with options.algorithms "legacy" it connects', async () => {
    const props = boomiProps(legacy, { isMaxExchange: "true" });
    const kexOnly = await rejectionOf(openSession(fromBoomiProperties(props)), isSftpConnectorError);
    expect(kexOnly.reason).toBe("INVALID_CONFIG");
    expect(kexOnly.message).toContain("share no cipher algorithm");
    expect(kexOnly.message).not.toContain(legacy.users.password.password);
    const negotiated = await roundTripFile(legacy, fromBoomiProperties(props, { algorithms: "legacy" }));
    expect(negotiated.kex).toBe("diffie-hellman-group14-sha1");
  });
});

describe("an sshd that offers only legacy key exchanges", () => {
  it('Boomi\'s isMaxExchange "true" reaches its SHA-1 key exchange, with modern ciphers', async () => {
    const config = fromBoomiProperties(boomiProps(legacyKexOnly, { isMaxExchange: "true" }));
    const { logger, lines } = recordingLogger();
    const negotiated = await roundTripFile(legacyKexOnly, config, logger);
    expect(negotiated.kex).toBe("diffie-hellman-group14-sha1");
    expect(negotiated.cipher).not.toMatch(/cbc/);
    expect(lines.filter((line) => line.startsWith("warn "))).toEqual([
      `warn legacyKex: true for 127.0.0.1:${legacyKexOnly.port}: also offering legacy algorithms after the modern ones (kex ${LEGACY_ALGORITHMS.kex.join(", ")}). ` +
        "They are weak (SHA-1, MD5, CBC, 1024-bit DH and DSA); a server that offers anything newer still negotiates that",
    ]);
  });

  it("without isMaxExchange it fails naming the profile and legacyKex", async () => {
    const error = await rejectionOf(openSession(legacyKexOnly.connectionConfig()), isSftpConnectorError);
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.message).toContain('set algorithms: "legacy"');
    expect(error.message).toContain("legacyKex: true");
  });
});

describe('algorithms: "legacy" against a modern sshd', () => {
  it("still negotiates modern algorithms", async () => {
    const negotiated = await roundTripFile(modern, modern.connectionConfig({ extra: { algorithms: "legacy", legacyKex: true } }));
    const defaults = await roundTripFile(modern, modern.connectionConfig());
    expect(negotiated).toStrictEqual(defaults);
    expect(negotiated.kex).toMatch(/^curve25519-sha256/);
    expect(negotiated.cipher).not.toMatch(/cbc/);
    expect(negotiated.mac === "" || !/md5|sha1/.test(negotiated.mac)).toBe(true);
  });
});

describe("an sshd that takes passwords only over keyboard-interactive", () => {
  it("password auth answers its single password prompt", async () => {
    const { logger, lines } = recordingLogger();
    await roundTripFile(kbdOnly, kbdOnly.connectionConfig(), logger);
    expect(lines.join("\n")).not.toContain(kbdOnly.users.password.password);
  });

  it("the same config through Boomi's properties logs in too", async () => {
    await roundTripFile(kbdOnly, fromBoomiProperties(boomiProps(kbdOnly)));
  });

  it("a wrong password is AUTH_FAILED naming what was tried, and the password appears nowhere", async () => {
    const wrong = `wrong-${randomBytes(6).toString("hex")}`;
    const { logger, lines } = recordingLogger();
    const error = await rejectionOf(
      openSession(kbdOnly.connectionConfig({ extra: { auth: { type: "password", password: wrong } } }), { logger }),
      isSftpConnectorError,
    );
    expect(error.reason).toBe("AUTH_FAILED");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("tried: password, password over keyboard-interactive");
    expect(error.message).toContain("the server accepts: publickey, keyboard-interactive");
    for (const text of [error.message, JSON.stringify(error), String(error.stack), lines.join("\n")]) expect(text).not.toContain(wrong);
  });
});
