// Converts a PKCS#8 private key (`BEGIN PRIVATE KEY` / `BEGIN ENCRYPTED PRIVATE KEY`, which ssh2 cannot read) to a format ssh2 reads.
import { createPrivateKey, randomBytes, type KeyObject } from "node:crypto";

/** Why a PKCS#8 key could not be converted. */
export type Pkcs8Failure = "encrypted" | "bad-passphrase" | "corrupt" | "unsupported";

/** The result of {@link convertPkcs8Key}: the key text for ssh2, or why there is none. */
export type Pkcs8Conversion = { ok: true; text: string } | { ok: false; failure: Pkcs8Failure; detail: string };

/** True for PEM text holding a PKCS#8 key (plain or encrypted). */
export function isPkcs8Key(text: string): boolean {
  return /-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(text);
}

/**
 * Decodes a PKCS#8 PEM key with Node's crypto (decrypting it with `passphrase` when it is an
 * `ENCRYPTED PRIVATE KEY`) and returns it in a format ssh2 parses: PKCS#1 PEM for RSA, SEC1 PEM for
 * ECDSA, an unencrypted OpenSSH key for Ed25519. The returned text holds the decrypted key: keep it
 * out of logs. Failure details never contain key material.
 */
export function convertPkcs8Key(text: string, passphrase: string | undefined): Pkcs8Conversion {
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text);
  if (encrypted && passphrase === undefined) return { ok: false, failure: "encrypted", detail: "encrypted PKCS#8 key" };
  let key: KeyObject;
  try {
    key = createPrivateKey(encrypted ? { key: text, format: "pem", passphrase: passphrase ?? "" } : { key: text, format: "pem" });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (encrypted && code === "ERR_OSSL_BAD_DECRYPT") return { ok: false, failure: "bad-passphrase", detail: "bad decrypt" };
    return { ok: false, failure: encrypted ? "bad-passphrase" : "corrupt", detail: `PKCS#8 key not readable${typeof code === "string" ? ` (${code})` : ""}` };
  }
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { ok: true, text: key.export({ type: "pkcs1", format: "pem" }).toString() };
    case "ec":
      return { ok: true, text: key.export({ type: "sec1", format: "pem" }).toString() };
    case "ed25519":
      return { ok: true, text: ed25519ToOpenSsh(key) };
    default:
      return { ok: false, failure: "unsupported", detail: `unsupported PKCS#8 key type ${key.asymmetricKeyType ?? "unknown"}` };
  }
}

/** Length-prefixed SSH wire string. */
function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An unencrypted `openssh-key-v1` private key holding one Ed25519 key. */
function ed25519ToOpenSsh(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  const seed = Buffer.from(jwk.d ?? "", "base64url");
  const pub = Buffer.from(jwk.x ?? "", "base64url");
  const publicBlob = Buffer.concat([sshString("ssh-ed25519"), sshString(pub)]);
  const check = randomBytes(4);
  let privateSection = Buffer.concat([check, check, sshString("ssh-ed25519"), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString("")]);
  const padding = (8 - (privateSection.length % 8)) % 8;
  privateSection = Buffer.concat([privateSection, Buffer.from(Array.from({ length: padding }, (_, i) => i + 1))]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const blob = Buffer.concat([
    Buffer.from("openssh-key-v1\0"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    count,
    sshString(publicBlob),
    sshString(privateSection),
  ]).toString("base64");
  const lines = blob.match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}
