// The private key file strategy: SSH "publickey" user-auth with a key file on this machine (Boomi's keyPath), read at prepare time.
import { open } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ParsedKey } from "ssh2";
import { quotePath } from "@sftp-connector/core";
import type { AuthStrategy } from "./AuthStrategy.js";
import { authConfigError } from "./authConfigError.js";
import { defineStrategy } from "./defineStrategy.js";
import { parsePrivateKey, type PrivateKeyOptions } from "./parsePrivateKey.js";

/** Larger files are refused: no private key comes near this. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

/** What a file system error code means, in words. */
const FS_REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a directory",
  ENOTDIR: "a parent is not a directory",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "name too long",
};

/** `~` or `~/…` (also `~\…` on Windows) resolved against the home directory; other paths as they are. */
function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/") || (process.platform === "win32" && path.startsWith("~\\"))) return join(homedir(), path.slice(2));
  return path;
}

/**
 * OpenSSH's "UNPROTECTED PRIVATE KEY FILE" check: the warning for a key file whose mode lets group
 * or others in (`mode & 0o077`), or undefined. Never on Windows, whose modes mean nothing here.
 * @internal
 */
export function unprotectedKeyWarning(field: string, file: string, mode: number, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === "win32" || (mode & 0o077) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(4, "0");
  return (
    `${field}.path: UNPROTECTED PRIVATE KEY FILE: ${quotePath(file)} has mode ${octal}, so users other than its owner may read it; ` +
    `run "chmod 600 ${quotePath(file)}" (OpenSSH would refuse this key; it is used anyway)`
  );
}

/** Reads at most MAX_KEY_FILE_BYTES + 1 bytes, so a huge file or a device cannot exhaust memory; also returns the file's mode. */
async function readKeyFile(path: string): Promise<{ data: Buffer; mode: number }> {
  const handle = await open(path, "r");
  try {
    const { mode } = await handle.stat();
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { data: buffer.subarray(0, length), mode };
  } finally {
    await handle.close();
  }
}

/**
 * Logs in with a private key file on this machine. `~` is expanded to the home directory. The file
 * is read (and decrypted with `passphrase`) on every `prepare`, so a replaced key is picked up. It
 * may hold any format `privateKeyContent` takes. Errors are INVALID_CONFIG with the file as `path`:
 * an unreadable file (`auth.path: cannot read the private key file '/x' (no such file)`), a corrupt or
 * public key, a missing or wrong passphrase, a `publicKey` that does not match.
 *
 * The description is `publickey (key from '~/.ssh/id_ed25519')` (the path as given), then
 * `publickey (ssh-ed25519 key from '~/.ssh/id_ed25519')` once prepared; never the passphrase.
 *
 * A key file readable by group or others (`mode & 0o077`, not on Windows) is used, with a warning
 * to `prepare`'s `warnings` naming the file and its mode and saying `chmod 600` (never key content).
 *
 * @param path - Path of the private key file (`~/…` allowed).
 * @example
 * ```ts
 * const strategy = privateKeyFile("~/.ssh/id_ed25519", { passphrase: process.env.KEY_PASSPHRASE });
 * ```
 */
export function privateKeyFile(path: string, options: PrivateKeyOptions = {}): AuthStrategy {
  const field = options.field ?? "auth";
  const { passphrase, publicKey } = options;
  let keyType: string | undefined;
  return defineStrategy(
    "publickey",
    () => `publickey (${keyType === undefined ? "" : `${keyType} `}key from ${quotePath(String(path))})`,
    async (username, warnings) => {
      if (typeof path !== "string" || path.trim() === "") {
        throw authConfigError(`${field}.path: expected the private key file path, got ${typeof path === "string" ? "a blank string" : typeof path}`);
      }
      const file = expandHome(path);
      let data: Buffer;
      let mode: number;
      try {
        ({ data, mode } = await readKeyFile(file));
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? "unknown error");
        throw authConfigError(`${field}.path: cannot read the private key file ${quotePath(file)} (${FS_REASONS[code] ?? code})`, {
          path: file,
          cause: error,
        });
      }
      const warning = unprotectedKeyWarning(field, file, mode);
      if (warning !== undefined) warnings?.warn(warning);
      if (data.length > MAX_KEY_FILE_BYTES) {
        throw authConfigError(`${field}.path: the private key file ${quotePath(file)} is too large to be a private key (over 1 MiB)`, { path: file });
      }
      const key: ParsedKey = parsePrivateKey(
        data.toString("utf8"),
        { field, file },
        { ...(passphrase === undefined ? {} : { passphrase }), ...(publicKey === undefined ? {} : { publicKey }) },
      );
      keyType = key.type;
      return [{ type: "publickey", username, key }];
    },
  );
}
