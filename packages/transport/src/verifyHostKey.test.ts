// Unit tests of host key checking: known_hosts parsing and matching, fingerprints, revocation, files and the opt-out.
import { describe, expect, it } from "vitest";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { utils } from "ssh2";
import { isSftpConnectorError, type NormalizedHostKey, type NormalizedPinnedHostKey, type SftpConnectorError } from "@sftp-connector/core";
import { createHostKeyVerifier, fingerprintOf, keyTypeOf, knownHostsName, parseKnownHosts } from "./verifyHostKey.js";

/** A fresh ed25519 public key blob; made again when ssh2's keygen gives a malformed one (about 1 in 256: mscdex/ssh2#1513). */
function newKeyBlob(): Buffer {
  for (;;) {
    const parsed = utils.parseKey(utils.generateKeyPairSync("ed25519").public);
    if (!(parsed instanceof Error)) return parsed.getPublicSSH();
  }
}

const serverKey = newKeyBlob();
const otherKey = newKeyBlob();
const thirdKey = newKeyBlob();
const line = (hosts: string, key: Buffer = serverKey): string => `${hosts} ssh-ed25519 ${key.toString("base64")}`;
const hashed = (name: string, salt: Buffer = randomBytes(20)): string =>
  `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
const pinned = (pins: Omit<NormalizedPinnedHostKey, "insecureAcceptAny">): NormalizedHostKey => ({
  ...pins,
  insecureAcceptAny: false,
});

async function verdict(host: string, port: number, knownHosts: string, key: Buffer = serverKey): Promise<boolean> {
  const verifier = await createHostKeyVerifier({ host, port, hostKey: pinned({ knownHosts }) });
  return verifier.verify(key);
}

describe("fingerprintOf and keyTypeOf", () => {
  it("computes the OpenSSH SHA256 fingerprint without padding", () => {
    const expected = `SHA256:${createHash("sha256").update(serverKey).digest("base64").replace(/=+$/, "")}`;
    expect(fingerprintOf(serverKey)).toBe(expected);
    expect(fingerprintOf(serverKey)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("reads the key type from the blob", () => {
    expect(keyTypeOf(serverKey)).toBe("ssh-ed25519");
    const { public: rsa } = utils.generateKeyPairSync("rsa", { bits: 1024 });
    const parsed = utils.parseKey(rsa);
    if (parsed instanceof Error) throw parsed;
    expect(keyTypeOf(parsed.getPublicSSH())).toBe("ssh-rsa");
  });

  it.each([
    ["empty", Buffer.alloc(0)],
    ["short length", Buffer.from([0, 0])],
    ["length past the end", Buffer.from([0, 0, 0, 9, 0x61])],
    ["zero length", Buffer.from([0, 0, 0, 0])],
    ["unprintable type", Buffer.from([0, 0, 0, 2, 0x00, 0x01])],
  ])("returns undefined for a malformed blob (%s)", (_name, blob) => {
    expect(keyTypeOf(blob)).toBeUndefined();
  });
});

describe("knownHostsName", () => {
  it.each([
    ["sftp.example.com", 22, "sftp.example.com"],
    ["SFTP.Example.com", 22, "sftp.example.com"],
    ["127.0.0.1", 2222, "[127.0.0.1]:2222"],
    ["::1", 2222, "[::1]:2222"],
  ])("%s port %s → %s", (host, port, name) => {
    expect(knownHostsName(host, port)).toBe(name);
  });
});

describe("parseKnownHosts", () => {
  it("parses plain, marked and hashed lines and skips blank lines and comments", () => {
    const salt = randomBytes(20);
    const text = [
      "# a comment",
      "",
      "   ",
      `${line("a.example.com,[b.example.com]:2222")} my comment here`,
      `@revoked ${line("*", otherKey)}`,
      `@cert-authority ${line("*.example.com", thirdKey)}`,
      `\t${line(hashed("c.example.com", salt))}  `,
    ].join("\r\n");
    const { entries, problems } = parseKnownHosts(text);
    expect(problems).toEqual([]);
    expect(entries).toHaveLength(4);
    expect(entries[0]).toMatchObject({
      hosts: { kind: "patterns", patterns: ["a.example.com", "[b.example.com]:2222"] },
      keyType: "ssh-ed25519",
      keyBase64: serverKey.toString("base64"),
      line: 4,
    });
    expect(entries[0]?.marker).toBeUndefined();
    expect(entries[0]?.key.equals(serverKey)).toBe(true);
    expect(entries[1]).toMatchObject({ marker: "revoked", line: 5 });
    expect(entries[2]).toMatchObject({ marker: "cert-authority", line: 6 });
    expect(entries[3]).toMatchObject({ hosts: { kind: "hashed", salt }, line: 7 });
  });

  it.each([
    ["one field", "a.example.com", /found 1 field/],
    ["two fields", "a.example.com ssh-ed25519", /found 2 field/],
    ["marker only", "@revoked", /found 0 field/],
    ["unknown marker", `@trusted ${line("a")}`, /unknown marker "@trusted"/],
    ["bad base64", "a ssh-ed25519 not*base64", /not valid base64/],
    ["not a key blob", `a ssh-ed25519 ${Buffer.from("xy").toString("base64")}`, /not an SSH public key blob/],
    ["type mismatch", `a ssh-rsa ${serverKey.toString("base64")}`, /ssh-rsa does not match the type inside the key data \(ssh-ed25519\)/],
    ["SSH-1 key", "a 1024 35 12345", /SSH protocol 1/],
    ["hashed with a short salt", line(`|1|${Buffer.from("salt").toString("base64")}|${randomBytes(20).toString("base64")}`), /malformed hashed/],
    ["hashed in an unknown format", line(`|2|${randomBytes(20).toString("base64")}|${randomBytes(20).toString("base64")}`), /malformed hashed/],
    ["empty pattern list", line(",,"), /empty host pattern list/],
  ])("reports a malformed line (%s) with its number and keeps going", (_name, bad, message) => {
    const { entries, problems } = parseKnownHosts(`# header\n${bad}\n${line("ok.example.com")}`);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.line).toBe(2);
    expect(problems[0]?.message).toMatch(message);
    expect(entries.map((entry) => entry.line)).toEqual([3]);
  });
});

describe("createHostKeyVerifier: known_hosts host matching", () => {
  it.each<[string, string, number, string, boolean]>([
    ["plain host on port 22", "sftp.example.com", 22, line("sftp.example.com"), true],
    ["plain host matches case-insensitively", "SFTP.example.COM", 22, line("sftp.EXAMPLE.com"), true],
    ["plain host does not match another host", "sftp.example.com", 22, line("other.example.com"), false],
    ["[host]:port for a non-22 port", "127.0.0.1", 2222, line("[127.0.0.1]:2222"), true],
    ["bare host does not match a non-22 port", "127.0.0.1", 2222, line("127.0.0.1"), false],
    ["[host]:port with another port does not match", "127.0.0.1", 2222, line("[127.0.0.1]:2200"), false],
    ["port 22 uses the bare name, not [host]:22", "sftp.example.com", 22, line("[sftp.example.com]:22"), false],
    ["port 22 bare name, as ssh-keyscan prints it", "10.0.0.5", 22, line("10.0.0.5"), true],
    ["multiple comma patterns, first", "a.example.com", 22, line("a.example.com,b.example.com,[c.example.com]:2222"), true],
    ["multiple comma patterns, last", "c.example.com", 2222, line("a.example.com,b.example.com,[c.example.com]:2222"), true],
    ["multiple comma patterns, none", "d.example.com", 22, line("a.example.com,b.example.com"), false],
    ["wildcard *", "sftp.example.com", 22, line("*.example.com"), true],
    ["wildcard * matches the empty string", "example.com", 22, line("*example.com"), true],
    ["wildcard * does not cross into [host]:port", "sftp.example.com", 2222, line("*.example.com"), false],
    ["wildcard * with a port", "sftp.example.com", 2222, line("[*.example.com]:2222"), true],
    ["wildcard ?", "sftp1.example.com", 22, line("sftp?.example.com"), true],
    ["wildcard ? is exactly one character", "sftp12.example.com", 22, line("sftp?.example.com"), false],
    ["wildcard * alone", "anything.at.all", 22, line("*"), true],
    ["negation beats a wildcard match", "bad.example.com", 22, line("*.example.com,!bad.example.com"), false],
    ["negation first still beats a later match", "bad.example.com", 22, line("!bad.example.com,*.example.com"), false],
    ["negation leaves other hosts matched", "good.example.com", 22, line("*.example.com,!bad.example.com"), true],
    ["negation alone matches nothing", "good.example.com", 22, line("!bad.example.com"), false],
    ["negated wildcard", "10.1.2.3", 22, line("10.*,!10.1.*"), false],
    ["hashed name on port 22", "sftp.example.com", 22, line(hashed("sftp.example.com")), true],
    ["hashed [host]:port", "127.0.0.1", 2222, line(hashed("[127.0.0.1]:2222")), true],
    ["hashed name of the lower-cased host", "SFTP.example.com", 22, line(hashed("sftp.example.com")), true],
    ["hashed bare name does not match a non-22 port", "127.0.0.1", 2222, line(hashed("127.0.0.1")), false],
    ["hashed name of another host", "sftp.example.com", 22, line(hashed("other.example.com")), false],
  ])("%s", async (_name, host, port, knownHosts, accepted) => {
    expect(await verdict(host, port, knownHosts)).toBe(accepted);
  });

  it("compares the whole key: a line for the host with another key refuses", async () => {
    expect(await verdict("sftp.example.com", 22, line("sftp.example.com", otherKey))).toBe(false);
  });

  it("accepts when any of several lines for the host has the key", async () => {
    const text = [line("sftp.example.com", otherKey), line("sftp.example.com", serverKey), line("sftp.example.com", thirdKey)].join("\n");
    expect(await verdict("sftp.example.com", 22, text)).toBe(true);
  });

  it("skips comments, blank lines and malformed lines and lists the malformed ones", async () => {
    const text = ["# pinned 2024", "", "garbage", `@bogus ${line("x")}`, line("sftp.example.com")].join("\n");
    const verifier = await createHostKeyVerifier({ host: "sftp.example.com", port: 22, hostKey: pinned({ knownHosts: text }) });
    expect(verifier.verify(serverKey)).toBe(true);
    expect(verifier.problems).toEqual([
      expect.stringMatching(/^hostKey\.knownHosts line 3: expected/),
      expect.stringMatching(/^hostKey\.knownHosts line 4: unknown marker/),
    ]);
  });

  it("names skipped malformed lines in a refusal message", async () => {
    const verifier = await createHostKeyVerifier({ host: "h", port: 22, hostKey: pinned({ knownHosts: `h ssh-ed25519\n${line("h", otherKey)}` }) });
    expect(verifier.verify(serverKey)).toBe(false);
    expect(verifier.failure?.message).toContain("1 malformed known_hosts line was skipped: hostKey.knownHosts line 1: expected");
  });
});

describe("createHostKeyVerifier: @revoked and @cert-authority", () => {
  it("@revoked beats a matching line", async () => {
    const text = [line("sftp.example.com"), `@revoked ${line("*")}`].join("\n");
    const verifier = await createHostKeyVerifier({ host: "sftp.example.com", port: 22, hostKey: pinned({ knownHosts: text }) });
    expect(verifier.verify(serverKey)).toBe(false);
    expect(verifier.failure?.reason).toBe("HOST_KEY_MISMATCH");
    expect(verifier.failure?.message).toContain(`the server presented ssh-ed25519 ${fingerprintOf(serverKey)}, which is revoked`);
    expect(verifier.failure?.message).toContain("hostKey.knownHosts line 2");
  });

  it("@revoked beats a matching fingerprint and a line in another source", async () => {
    const dir = await mkdtemp(join(tmpdir(), "known-hosts-"));
    try {
      const file = join(dir, "known_hosts");
      await writeFile(file, `@revoked ${line("[127.0.0.1]:2222")}\n`);
      const verifier = await createHostKeyVerifier({
        host: "127.0.0.1",
        port: 2222,
        hostKey: pinned({ knownHosts: line("[127.0.0.1]:2222"), knownHostsFile: file, fingerprints: [fingerprintOf(serverKey)] }),
      });
      expect(verifier.verify(serverKey)).toBe(false);
      expect(verifier.failure?.message).toMatch(/which is revoked \(@revoked at hostKey\.knownHostsFile \('.*known_hosts'\) line 1\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("@revoked only applies to the hosts it names", async () => {
    const text = [line("sftp.example.com"), `@revoked ${line("other.example.com")}`].join("\n");
    expect(await verdict("sftp.example.com", 22, text)).toBe(true);
  });

  it("@revoked for another key does not refuse this one", async () => {
    const text = [line("sftp.example.com"), `@revoked ${line("*", otherKey)}`].join("\n");
    expect(await verdict("sftp.example.com", 22, text)).toBe(true);
  });

  it("@cert-authority lines are ignored (certificates are not supported)", async () => {
    expect(await verdict("sftp.example.com", 22, `@cert-authority ${line("*.example.com")}`)).toBe(false);
    const verifier = await createHostKeyVerifier({
      host: "sftp.example.com",
      port: 22,
      hostKey: pinned({ knownHosts: [`@cert-authority ${line("*.example.com", otherKey)}`, line("sftp.example.com")].join("\n") }),
    });
    expect(verifier.verify(serverKey)).toBe(true);
    expect(verifier.pinnedKeyTypes).toEqual(["ssh-ed25519"]);
  });
});

describe("createHostKeyVerifier: fingerprints", () => {
  const withoutPadding = fingerprintOf(serverKey);

  it.each([
    ["without padding", withoutPadding],
    ["with a trailing =", `${withoutPadding}=`],
    ["among others", [fingerprintOf(otherKey), withoutPadding]],
  ])("accepts a pinned fingerprint %s", async (_name, fingerprints) => {
    const verifier = await createHostKeyVerifier({
      host: "h",
      port: 2222,
      hostKey: pinned({ fingerprints: Array.isArray(fingerprints) ? fingerprints : [fingerprints] }),
    });
    expect(verifier.verify(serverKey)).toBe(true);
    expect(verifier.failure).toBeUndefined();
    expect(verifier.presented).toEqual({ type: "ssh-ed25519", fingerprint: withoutPadding });
    expect(verifier.insecure).toBe(false);
  });

  it("refuses another key and says how many fingerprints differ", async () => {
    const verifier = await createHostKeyVerifier({
      host: "h",
      port: 2222,
      hostKey: pinned({ fingerprints: [`${fingerprintOf(otherKey)}=`, fingerprintOf(thirdKey)] }),
    });
    expect(verifier.verify(serverKey)).toBe(false);
    expect(verifier.failure?.message).toContain(
      `the server presented ssh-ed25519 ${withoutPadding}, which matches no pinned key (2 pinned fingerprints differ)`,
    );
  });

  it("treats knownHosts, knownHostsFile and fingerprints as a union", async () => {
    const dir = await mkdtemp(join(tmpdir(), "known-hosts-"));
    try {
      const file = join(dir, "known_hosts");
      await writeFile(file, `${line("[h]:2222", thirdKey)}\n`);
      const verifier = await createHostKeyVerifier({
        host: "h",
        port: 2222,
        hostKey: pinned({ knownHosts: line("[h]:2222", otherKey), knownHostsFile: file, fingerprints: [fingerprintOf(serverKey)] }),
      });
      expect(verifier.verify(serverKey)).toBe(true);
      expect(verifier.verify(otherKey)).toBe(true);
      expect(verifier.verify(thirdKey)).toBe(true);
      expect(verifier.verify(newKeyBlob())).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("createHostKeyVerifier: refusal messages", () => {
  function expectMismatch(failure: SftpConnectorError | undefined): SftpConnectorError {
    expect(isSftpConnectorError(failure)).toBe(true);
    expect(failure).toMatchObject({ reason: "HOST_KEY_MISMATCH", operation: "connect", retryable: false });
    return failure as SftpConnectorError;
  }

  it("names the presented key and the known_hosts lines with another key", async () => {
    const verifier = await createHostKeyVerifier({ host: "127.0.0.1", port: 2222, hostKey: pinned({ knownHosts: line("[127.0.0.1]:2222", otherKey) }) });
    expect(verifier.verify(serverKey)).toBe(false);
    const failure = expectMismatch(verifier.failure);
    expect(failure.message).toContain(
      `host key verification failed for 127.0.0.1:2222: the server presented ssh-ed25519 ${fingerprintOf(serverKey)}, which matches no pinned key ` +
        `(known_hosts lines for [127.0.0.1]:2222: 1 with another key (ssh-ed25519 ${fingerprintOf(otherKey)}))`,
    );
    expect(failure.message).toContain("someone may be intercepting");
    expect(verifier.presented).toEqual({ type: "ssh-ed25519", fingerprint: fingerprintOf(serverKey) });
  });

  it("says when no known_hosts line names the host, and how to pin it", async () => {
    const verifier = await createHostKeyVerifier({ host: "sftp.example.com", port: 2022, hostKey: pinned({ knownHosts: line("other.example.com") }) });
    expect(verifier.verify(serverKey)).toBe(false);
    const failure = expectMismatch(verifier.failure);
    expect(failure.message).toContain("no known_hosts line names [sftp.example.com]:2022 (1 line names other hosts)");
    expect(failure.message).toContain('"ssh-keyscan -p 2022 sftp.example.com"');
  });

  it("points out a line that names the host without the port", async () => {
    const verifier = await createHostKeyVerifier({ host: "127.0.0.1", port: 2222, hostKey: pinned({ knownHosts: line("127.0.0.1") }) });
    expect(verifier.verify(serverKey)).toBe(false);
    expect(verifier.failure?.message).toContain("1 line names 127.0.0.1 without a port; for port 2222 the name must be [127.0.0.1]:2222");
  });

  it("clears the failure after a later acceptance", async () => {
    const verifier = await createHostKeyVerifier({ host: "h", port: 22, hostKey: pinned({ knownHosts: line("h") }) });
    expect(verifier.verify(otherKey)).toBe(false);
    expect(verifier.failure).toBeDefined();
    expect(verifier.verify(serverKey)).toBe(true);
    expect(verifier.failure).toBeUndefined();
  });

  it("refuses, without throwing, a blob it cannot read", async () => {
    const verifier = await createHostKeyVerifier({ host: "h", port: 22, hostKey: pinned({ knownHosts: line("h") }) });
    expect(verifier.verify(Buffer.from([1, 2]))).toBe(false);
    expect(verifier.failure?.message).toMatch(/the server presented unknown SHA256:/);
  });

  it("lists the pinned key types for this host, not revoked or other hosts' ones", async () => {
    const { public: rsa } = utils.generateKeyPairSync("rsa", { bits: 1024 });
    const rsaKey = utils.parseKey(rsa);
    if (rsaKey instanceof Error) throw rsaKey;
    const rsaLine = `h ssh-rsa ${rsaKey.getPublicSSH().toString("base64")}`;
    const text = [line("h"), rsaLine, line("h", otherKey), `@revoked ${line("h", thirdKey)}`, line("other")].join("\n");
    const verifier = await createHostKeyVerifier({ host: "h", port: 22, hostKey: pinned({ knownHosts: text }) });
    expect(verifier.pinnedKeyTypes).toEqual(["ssh-ed25519", "ssh-rsa"]);
  });
});

describe("createHostKeyVerifier: knownHostsFile", () => {
  it("reads the file once, at creation", async () => {
    const dir = await mkdtemp(join(tmpdir(), "known-hosts-"));
    try {
      const file = join(dir, "known_hosts");
      await writeFile(file, `# my known hosts\n${line(hashed("[127.0.0.1]:2222"))}\n`);
      const verifier = await createHostKeyVerifier({ host: "127.0.0.1", port: 2222, hostKey: pinned({ knownHostsFile: file }) });
      await rm(file);
      expect(verifier.verify(serverKey)).toBe(true);
      expect(verifier.verify(otherKey)).toBe(false);
      expect(verifier.failure?.message).toContain("known_hosts lines for [127.0.0.1]:2222: 1 with another key");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("uses the readFile option, with a Buffer", async () => {
    const reads: string[] = [];
    const verifier = await createHostKeyVerifier({
      host: "h",
      port: 22,
      hostKey: pinned({ knownHostsFile: "/etc/ssh/ssh_known_hosts" }),
      readFile: async (path) => {
        reads.push(path);
        return Buffer.from(line("h"));
      },
    });
    expect(verifier.verify(serverKey)).toBe(true);
    expect(verifier.verify(serverKey)).toBe(true);
    expect(reads).toEqual(["/etc/ssh/ssh_known_hosts"]);
  });

  it("names the file in problems of malformed lines", async () => {
    const verifier = await createHostKeyVerifier({
      host: "h",
      port: 22,
      hostKey: pinned({ knownHostsFile: "/x/known_hosts" }),
      readFile: async () => "h ssh-ed25519\n",
    });
    expect(verifier.problems).toEqual([expect.stringMatching(/^hostKey\.knownHostsFile \('\/x\/known_hosts'\) line 1: expected/)]);
  });

  it("rejects an unreadable file with INVALID_CONFIG naming the field and the path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "known-hosts-"));
    try {
      const missing = join(dir, "missing_known_hosts");
      const error = await createHostKeyVerifier({ host: "h", port: 22, hostKey: pinned({ knownHostsFile: missing }) }).catch((e: unknown) => e);
      expect(isSftpConnectorError(error)).toBe(true);
      const failure = error as SftpConnectorError;
      expect(failure).toMatchObject({ reason: "INVALID_CONFIG", retryable: false, operation: "connect" });
      expect(failure.message).toContain(`hostKey.knownHostsFile: cannot read the known_hosts file '${missing}'`);
      expect(failure.message).toContain("ENOENT");
      expect(failure.problems).toEqual([failure.message]);
      expect((failure.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("createHostKeyVerifier: insecureAcceptAny", () => {
  it("accepts every key, says it is insecure and records the presented key", async () => {
    const verifier = await createHostKeyVerifier({ host: "h", port: 22, hostKey: { insecureAcceptAny: true } });
    expect(verifier.insecure).toBe(true);
    expect(verifier.pinnedKeyTypes).toEqual([]);
    for (const key of [serverKey, otherKey, Buffer.alloc(0)]) {
      expect(verifier.verify(key)).toBe(true);
      expect(verifier.failure).toBeUndefined();
    }
    expect(verifier.presented).toEqual({ type: "unknown", fingerprint: fingerprintOf(Buffer.alloc(0)) });
    verifier.verify(otherKey);
    expect(verifier.presented).toEqual({ type: "ssh-ed25519", fingerprint: fingerprintOf(otherKey) });
  });

  it("does not read any file", async () => {
    const verifier = await createHostKeyVerifier({
      host: "h",
      port: 22,
      hostKey: { insecureAcceptAny: true },
      readFile: () => Promise.reject(new Error("must not be called")),
    });
    expect(verifier.verify(serverKey)).toBe(true);
  });
});
