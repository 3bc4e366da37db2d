import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { Client } from "ssh2";
import { LEGACY_ALGORITHMS, LEGACY_KEX, describeLegacyAlgorithms, noCommonAlgorithmError, resolveAlgorithms } from "./resolveAlgorithms.js";
import type { ServerAlgorithmOffer } from "./watchServerOffer.js";

const legacy = { legacyKex: false, algorithms: { profile: "legacy" as const } };
const plain = { legacyKex: false };

/** The KEXINIT lists ssh2 would send for these options (its own list generation, through a real Client). */
function offeredBy(algorithms: unknown): Record<string, string[]> {
  const client = new Client();
  let offer: Record<string, string[]> = {};
  // ssh2 builds its offer in connect(); a socket that never connects keeps it from sending anything.
  const sock = new PassThrough();
  client.on("error", () => {});
  client.connect({ sock, username: "u", algorithms: algorithms as never, readyTimeout: 2_147_483_647 });
  const internals = client as unknown as { _protocol: { _offer: { lists: Record<string, { array: string[] } | Record<string, { array: string[] }>> } } };
  const lists = internals._protocol._offer.lists as Record<string, unknown>;
  const read = (value: unknown) => (value as { array: string[] }).array;
  offer = {
    // Without the extension markers ssh2 adds to its key exchanges.
    kex: read(lists.kex).filter((name) => !/^(ext-info-c|kex-strict-c-v00@openssh\.com)$/.test(name)),
    serverHostKey: read(lists.serverHostKey),
    cipher: read((lists.cs as Record<string, unknown>).cipher),
    hmac: read((lists.cs as Record<string, unknown>).mac),
  };
  client.end();
  sock.destroy();
  return offer;
}

describe("resolveAlgorithms", () => {
  it("leaves ssh2's defaults alone for the default profile", () => {
    expect(resolveAlgorithms(plain)).toStrictEqual({ algorithms: {}, legacy: {} });
  });

  it("appends every legacy list for the legacy profile", () => {
    const { algorithms, legacy: added } = resolveAlgorithms(legacy);
    for (const kind of ["kex", "cipher", "hmac", "serverHostKey"] as const) {
      expect(algorithms[kind]).toStrictEqual({ append: [...LEGACY_ALGORITHMS[kind]], prepend: [], remove: [] });
      expect(added[kind]).toStrictEqual([...LEGACY_ALGORITHMS[kind]]);
    }
    expect(algorithms.compress).toBeUndefined();
  });

  it("legacyKex adds the key exchanges only", () => {
    const { algorithms, legacy: added } = resolveAlgorithms({ legacyKex: true });
    expect(algorithms).toStrictEqual({ kex: { append: [...LEGACY_KEX], prepend: [], remove: [] } });
    expect(added).toStrictEqual({ kex: [...LEGACY_KEX] });
  });

  it("a per-kind list replaces that kind, the profile still covers the others", () => {
    const { algorithms, legacy: added } = resolveAlgorithms({
      legacyKex: true,
      algorithms: { profile: "legacy", cipher: ["aes256-ctr"], kex: ["curve25519-sha256"] },
    });
    expect(algorithms.cipher).toStrictEqual(["aes256-ctr"]);
    expect(algorithms.kex).toStrictEqual(["curve25519-sha256"]);
    expect(added.cipher).toBeUndefined();
    expect(added.kex).toBeUndefined();
    expect(added.hmac).toStrictEqual([...LEGACY_ALGORITHMS.hmac]);
  });

  it("puts the pinned key type's algorithms first and the legacy ones last", () => {
    const { algorithms } = resolveAlgorithms(legacy, ["ssh-rsa"]);
    expect(algorithms.serverHostKey).toStrictEqual({ append: ["ssh-dss"], prepend: ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"], remove: [] });
  });

  it("ssh2 accepts the lists: modern algorithms stay first, the legacy ones follow", () => {
    const defaults = offeredBy(resolveAlgorithms(plain).algorithms);
    const offered = offeredBy(resolveAlgorithms(legacy).algorithms);
    for (const kind of ["kex", "cipher", "hmac", "serverHostKey"] as const) {
      expect(offered[kind]!.slice(0, defaults[kind]!.length)).toStrictEqual(defaults[kind]);
      expect(offered[kind]!.slice(defaults[kind]!.length)).toStrictEqual([...LEGACY_ALGORITHMS[kind]]);
      for (const name of LEGACY_ALGORITHMS[kind]) expect(defaults[kind]).not.toContain(name);
    }
    // What JSch 0.1.55 offered and ssh2 offers by default anyway.
    expect(defaults.serverHostKey).toContain("ssh-rsa");
    expect(defaults.hmac).toContain("hmac-sha1");
  });
});

describe("describeLegacyAlgorithms", () => {
  it("names every legacy algorithm added, by kind", () => {
    const text = describeLegacyAlgorithms(resolveAlgorithms(legacy).legacy, "sftp.example.com:22", 'algorithms: "legacy"');
    expect(text).toBe(
      'algorithms: "legacy" for sftp.example.com:22: also offering legacy algorithms after the modern ones (' +
        "kex diffie-hellman-group14-sha1, diffie-hellman-group-exchange-sha1, diffie-hellman-group1-sha1; serverHostKey ssh-dss; " +
        "cipher aes128-cbc, aes192-cbc, aes256-cbc, 3des-cbc; hmac hmac-md5, hmac-sha1-96, hmac-md5-96). " +
        "They are weak (SHA-1, MD5, CBC, 1024-bit DH and DSA); a server that offers anything newer still negotiates that",
    );
  });

  it("says nothing when nothing was added", () => {
    expect(describeLegacyAlgorithms({}, "h:22", "x")).toBeUndefined();
  });
});

describe("noCommonAlgorithmError", () => {
  const offer: ServerAlgorithmOffer = {
    kex: ["diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1"],
    serverHostKey: ["ssh-rsa"],
    cipher: ["aes128-cbc", "aes256-cbc", "3des-cbc"],
    hmac: ["hmac-sha1", "hmac-md5"],
    compress: ["none"],
  };
  const where = "127.0.0.1:2222";
  const kexError = new Error("Handshake failed: no matching key exchange algorithm");
  const cipherError = new Error("Handshake failed: no matching C->S cipher");

  it("names the profile and the server's legacy offer, as INVALID_CONFIG not retried", () => {
    const error = noCommonAlgorithmError(kexError, offer, plain, where)!;
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.retryable).toBe(false);
    expect(error.cause).toBe(kexError);
    expect(error.message).toBe(
      "connect failed: 127.0.0.1:2222 and this client share no key exchange algorithm (Handshake failed: no matching key exchange algorithm): " +
        'the server offers only legacy key exchange algorithms (diffie-hellman-group14-sha1, diffie-hellman-group-exchange-sha1), which the "default" algorithm profile does not offer; ' +
        'if the server cannot be upgraded, set algorithms: "legacy" to allow them (SHA-1 key exchanges, CBC ciphers, hmac-md5, ssh-dss), or legacyKex: true for its key exchanges only',
    );
  });

  it("for ciphers it does not suggest legacyKex", () => {
    const error = noCommonAlgorithmError(cipherError, offer, { legacyKex: true }, where)!;
    expect(error.message).toContain("the server offers only legacy cipher algorithms (aes128-cbc, aes256-cbc, 3des-cbc)");
    expect(error.message).toContain('set algorithms: "legacy"');
    expect(error.message).not.toContain("legacyKex");
  });

  it("names the user's own list when it replaced the kind", () => {
    const error = noCommonAlgorithmError(
      cipherError,
      offer,
      { legacyKex: false, algorithms: { profile: "legacy", cipher: ["aes256-gcm@openssh.com"] } },
      where,
    )!;
    expect(error.message).toContain("the server offers aes128-cbc, aes256-cbc, 3des-cbc; algorithms.cipher lists only aes256-gcm@openssh.com");
  });

  it("says when even the legacy profile cannot help", () => {
    const odd = { ...offer, cipher: ["arcfour", "blowfish-cbc"] };
    expect(noCommonAlgorithmError(cipherError, odd, legacy, where)!.message).toContain(
      'the server offers arcfour, blowfish-cbc, which this client does not support even with algorithms: "legacy"',
    );
    expect(noCommonAlgorithmError(cipherError, odd, plain, where)!.message).toContain(
      "the server offers arcfour, blowfish-cbc, which this client does not support with any algorithm profile",
    );
  });

  it("leaves other errors, and a mismatch without the server's offer, to classifyError", () => {
    expect(noCommonAlgorithmError(new Error("boom"), offer, plain, where)).toBeUndefined();
    expect(noCommonAlgorithmError(kexError, undefined, plain, where)).toBeUndefined();
    expect(noCommonAlgorithmError(undefined, offer, plain, where)).toBeUndefined();
  });
});
