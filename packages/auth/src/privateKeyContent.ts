// The private key content strategy: SSH "publickey" user-auth with key text held in the config (Boomi's prvkeyContent).
import type { ParsedKey } from "ssh2";
import type { AuthStrategy } from "./AuthStrategy.js";
import { authConfigError } from "./authConfigError.js";
import { defineStrategy } from "./defineStrategy.js";
import { parsePrivateKey, type PrivateKeyOptions } from "./parsePrivateKey.js";

/**
 * Logs in with a private key given as text: OpenSSH (`-----BEGIN OPENSSH PRIVATE KEY-----`), PEM
 * (PKCS#1 RSA, SEC1 EC, PKCS#8, encrypted with `Proc-Type: 4,ENCRYPTED`) or PuTTY `.ppk`. Text whose
 * line breaks were lost (pasted on one line, CRLF, literal `\n`) is repaired with
 * `formatPrivateKey`. The key is parsed and checked on the first `prepare` (and kept for later
 * ones); errors are INVALID_CONFIG with field `auth.content`, `auth.passphrase` or `auth.publicKey`.
 *
 * The description is `publickey (key content)`, then `publickey (ssh-ed25519 key content)` once
 * prepared. Key text and passphrase stay in closures: never in a message, the description,
 * `JSON.stringify` or `util.inspect`.
 *
 * @param content - The private key text. Secret.
 * @example
 * ```ts
 * const strategy = privateKeyContent(process.env.SFTP_KEY ?? "", { passphrase: process.env.SFTP_KEY_PASSPHRASE });
 * const entries = await strategy.prepare("etl"); // throws INVALID_CONFIG for a bad key or passphrase
 * ```
 */
export function privateKeyContent(content: string | Buffer, options: PrivateKeyOptions = {}): AuthStrategy {
  const field = options.field ?? "auth";
  const { passphrase, publicKey } = options;
  let parsed: ParsedKey | undefined;
  return defineStrategy(
    "publickey",
    () => `publickey (${parsed ? `${parsed.type} ` : ""}key content)`,
    async (username) => {
      if (parsed === undefined) {
        if (typeof content !== "string" && !Buffer.isBuffer(content)) {
          throw authConfigError(`${field}.content: expected the private key text, got ${typeof content}`);
        }
        const text = typeof content === "string" ? content : content.toString("utf8");
        parsed = parsePrivateKey(text, { field }, { ...(passphrase === undefined ? {} : { passphrase }), ...(publicKey === undefined ? {} : { publicKey }) });
      }
      return [{ type: "publickey", username, key: parsed }];
    },
  );
}
