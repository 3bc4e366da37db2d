// The one shape every auth strategy returns, and what the transport asks of it.
import type { AnyAuthMethod } from "ssh2";

/** The SSH user-auth method a strategy uses. */
export type AuthMethodName = "password" | "publickey" | "keyboard-interactive" | "agent";

/**
 * Where a strategy sends warnings (e.g. a private key file readable by others). The transport's
 * `Logger` fits, as does `console`. A warning never holds a secret.
 */
export interface AuthWarningSink {
  /** Receives one warning. */
  warn(message: string): void;
}

/**
 * An auth strategy, as every factory of this package returns it. The transport calls `prepare`
 * once per connection attempt and offers the entries it returns to the server in order.
 */
export interface AuthStrategy {
  /** The SSH method it uses. */
  readonly method: AuthMethodName;
  /**
   * Methods some of its entries use instead of `method`, when the server does not accept `method`
   * (the password strategy answers a keyboard-interactive password prompt). Such an entry is
   * offered only once the server has said which methods it accepts and `method` is not among them,
   * so one password is never sent twice to a server that refused it. @default none
   */
  readonly fallbackMethods?: readonly AuthMethodName[];
  /** A description safe for logs and errors (e.g. `publickey (ssh-ed25519 key from ~/.ssh/id_ed25519)`); never a secret. */
  readonly description: string;
  /**
   * Reads and decrypts what it needs (key files, passphrases) and returns the ssh2 auth entries to
   * try, in order. Throws `SftpConnectorError` with reason `INVALID_CONFIG` for an unreadable key
   * file, a corrupt key, a wrong or missing passphrase, or a public key that does not match.
   * Problems that do not stop the login (a key file readable by group or others) go to `warnings`.
   */
  prepare(username: string, warnings?: AuthWarningSink): Promise<AnyAuthMethod[]>;
}
