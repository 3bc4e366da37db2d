// Parses and checks private key text with ssh2 (after repairing it), turning every failure into one clear INVALID_CONFIG message.
import { createHash } from "node:crypto";
import ssh2 from "ssh2";
import type { ParsedKey } from "ssh2";
import { quotePath, type SftpConnectorError } from "@sftp-connector/core";
import { authConfigError } from "./authConfigError.js";
import { formatPrivateKey } from "./formatPrivateKey.js";
import { convertPkcs8Key, isPkcs8Key } from "./convertPkcs8Key.js";

/** Where a key came from, for messages: the config field prefix and, for a key file, its path. */
export interface KeySource {
  /** Field path prefix of the auth entry, e.g. `auth` or `auth[1]`. */
  field: string;
  /** The (home-expanded) key file path; absent for key content. */
  file?: string;
}

/** Options of {@link parsePrivateKey}. */
export interface ParsePrivateKeyOptions {
  /** Passphrase of an encrypted key; blank means none. @default undefined */
  passphrase?: string;
  /** An OpenSSH public key line the private key must match. @default undefined (no check) */
  publicKey?: string;
}

/** The SHA256 fingerprint of an SSH public key blob, as `ssh-keygen -l` prints it. */
export function fingerprint(key: ParsedKey): string {
  return `SHA256:${createHash("sha256").update(key.getPublicSSH()).digest("base64").replace(/=+$/, "")}`;
}

/** ssh2's reason, cut before any `:` (after which ssh2 may quote bytes of the key) and kept to printable ASCII. */
function ssh2Reason(error: Error): string {
  const head = error.message.split(":")[0] ?? "";
  const clean = head
    .replace(/[^\x20-\x7e]/g, "")
    .trim()
    .slice(0, 100);
  return clean === "" ? "unknown format" : clean;
}

/** Whether key text is encrypted: a PEM `Proc-Type: 4,ENCRYPTED` header, an OpenSSH cipher other than `none`, or a PuTTY `Encryption:` other than `none`. */
function isEncrypted(text: string): boolean {
  if (/^Proc-Type:\s*4,ENCRYPTED/m.test(text)) return true;
  const ppk = /^Encryption:\s*(\S+)/m.exec(text);
  if (ppk && /^PuTTY-User-Key-File-/m.test(text)) return ppk[1] !== "none";
  const openssh = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (!openssh) return false;
  const blob = Buffer.from(openssh[1]!.replace(/\s+/g, ""), "base64");
  const magic = "openssh-key-v1\0";
  if (blob.length < magic.length + 4 || blob.toString("latin1", 0, magic.length) !== magic) return false;
  const length = blob.readUInt32BE(magic.length);
  const start = magic.length + 4;
  if (length > 64 || start + length > blob.length) return false;
  return blob.toString("latin1", start, start + length) !== "none";
}

const PUBLIC_KEY_ARMOR = /-----BEGIN (?:RSA |EC |DSA )?PUBLIC KEY-----|---- BEGIN SSH2 PUBLIC KEY ----/;

/**
 * Repairs (with {@link formatPrivateKey}), decrypts and parses private key text with ssh2's
 * `utils.parseKey`; PKCS#8 keys are converted first. Checks it against `publicKey` when given.
 * Throws an INVALID_CONFIG `SftpConnectorError` naming the field and the source (file path or
 * "key content"), never the key or passphrase, for: empty text, a public key, text ssh2 cannot
 * parse, an encrypted key without passphrase, a wrong passphrase, an unparseable `publicKey`, or a
 * `publicKey` that does not match.
 */
export function parsePrivateKey(text: string, source: KeySource, options: ParsePrivateKeyOptions = {}): ParsedKey {
  const keyField = `${source.field}.${source.file === undefined ? "content" : "path"}`;
  const subject = source.file === undefined ? "the private key content" : `the private key file ${quotePath(source.file)}`;
  const fail = (message: string): SftpConnectorError => authConfigError(message, source.file === undefined ? {} : { path: source.file });
  const notParsable = (reason: string) =>
    fail(
      `${keyField}: ${subject} is not a private key ssh2 can parse (${reason}); expected an OpenSSH (-----BEGIN OPENSSH PRIVATE KEY-----), PEM (RSA, EC, PKCS#8) or PuTTY private key`,
    );
  const needsPassphrase = () => fail(`${keyField}: ${subject} is encrypted; give ${source.field}.passphrase`);
  const badPassphrase = () => fail(`${source.field}.passphrase: ${subject} could not be decrypted with the given passphrase`);
  const isPublic = () => fail(`${keyField}: ${subject} is a public key, not a private key; give the private key (e.g. id_ed25519, not id_ed25519.pub)`);

  let passphrase = options.passphrase === undefined || options.passphrase === "" ? undefined : options.passphrase;
  let repaired = formatPrivateKey(text);
  if (repaired.trim() === "") throw fail(`${keyField}: ${subject} is empty`);
  if (PUBLIC_KEY_ARMOR.test(repaired)) throw isPublic();

  if (isPkcs8Key(repaired)) {
    const converted = convertPkcs8Key(repaired, passphrase);
    if (!converted.ok) {
      if (converted.failure === "encrypted") throw needsPassphrase();
      if (converted.failure === "bad-passphrase") throw badPassphrase();
      throw notParsable(converted.detail);
    }
    repaired = converted.text;
    passphrase = undefined;
  }

  const encrypted = isEncrypted(repaired);
  if (encrypted && passphrase === undefined) throw needsPassphrase();
  const parsed = ssh2.utils.parseKey(repaired, passphrase) as ParsedKey | ParsedKey[] | Error;
  if (parsed instanceof Error) {
    if (encrypted && /passphrase|integrity check|decrypt/i.test(parsed.message)) throw badPassphrase();
    if (/no passphrase given/i.test(parsed.message)) throw needsPassphrase();
    throw notParsable(ssh2Reason(parsed));
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined) throw notParsable("no key found");
  if (!key.isPrivateKey()) throw isPublic();

  if (options.publicKey !== undefined && options.publicKey.trim() !== "") checkPublicKey(key, options.publicKey, source, subject);
  return key;
}

/** Throws unless `publicKeyText` is an OpenSSH public key line of the same key as `key`. */
function checkPublicKey(key: ParsedKey, publicKeyText: string, source: KeySource, subject: string): void {
  const field = `${source.field}.publicKey`;
  const fail = (message: string) => authConfigError(message, source.file === undefined ? {} : { path: source.file });
  if (/PRIVATE KEY-----|^PuTTY-User-Key-File-/m.test(publicKeyText)) {
    throw fail(`${field}: is a private key; give the public key line (the content of the .pub file, e.g. "ssh-ed25519 AAAA… me@host")`);
  }
  const parsed = ssh2.utils.parseKey(publicKeyText.trim()) as ParsedKey | ParsedKey[] | Error;
  const publicKey = parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
  if (publicKey === undefined || publicKey.isPrivateKey()) {
    throw fail(`${field}: is not an OpenSSH public key line (expected "TYPE BASE64 [comment]", e.g. "ssh-ed25519 AAAA… me@host")`);
  }
  if (!publicKey.getPublicSSH().equals(key.getPublicSSH())) {
    throw fail(`${field}: does not match the private key (given ${publicKey.type} ${fingerprint(publicKey)}; ${subject} is ${key.type} ${fingerprint(key)})`);
  }
}

/** Options of the private key factories `privateKeyFile` and `privateKeyContent`. */
export interface PrivateKeyOptions {
  /** Passphrase of an encrypted key. Secret: never in a message, a description, `JSON.stringify` or `util.inspect`. A blank passphrase counts as none. @default undefined (the key must not be encrypted) */
  passphrase?: string;
  /** The matching OpenSSH public key line (`ssh-ed25519 AAAA… comment`, Boomi's `pubkeyContent`); when given, the private key must match it. @default undefined (no check) */
  publicKey?: string;
  /** The config field path named in error messages. @default "auth" */
  field?: string;
}
