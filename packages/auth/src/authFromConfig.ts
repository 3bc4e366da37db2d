// Maps the auth entries of an @sftp-connector/core connection config to auth strategies, in order.
import type { AuthMethod } from "@sftp-connector/core";
import type { AuthStrategy } from "./AuthStrategy.js";
import { authConfigError } from "./authConfigError.js";
import { password } from "./password.js";
import { privateKeyFile } from "./privateKeyFile.js";
import { privateKeyContent } from "./privateKeyContent.js";
import { keyboardInteractive } from "./keyboardInteractive.js";
import { agent } from "./agent.js";

/** One config entry to its strategy; `field` is `auth` or `auth[i]`. */
function strategyFor(method: AuthMethod, field: string): AuthStrategy {
  if (typeof method !== "object" || method === null) throw authConfigError(`${field}: expected an auth method object`);
  switch (method.type) {
    case "password":
      return password(method.password, { field });
    case "privateKey": {
      const options = {
        field,
        ...(method.passphrase === undefined ? {} : { passphrase: method.passphrase }),
        ...(method.publicKey === undefined ? {} : { publicKey: method.publicKey }),
      };
      const hasPath = method.path !== undefined;
      const hasContent = method.content !== undefined;
      if (hasPath === hasContent) {
        throw authConfigError(
          `${field}: expected exactly one of ${field}.path or ${field}.content for auth type "privateKey", got ${hasPath ? "both" : "neither"}`,
        );
      }
      return method.path !== undefined ? privateKeyFile(method.path, options) : privateKeyContent(method.content as string, options);
    }
    case "agent":
      return agent({ field, ...(method.socket === undefined ? {} : { socket: method.socket }) });
    case "keyboardInteractive":
      return keyboardInteractive(method.responses !== undefined ? { responses: method.responses } : { password: method.password }, { field });
    default: {
      const type = (method as { type?: unknown }).type;
      throw authConfigError(
        `${field}.type: expected one of "password", "privateKey", "agent", "keyboardInteractive", got ${typeof type === "string" ? JSON.stringify(type) : typeof type}`,
      );
    }
  }
}

/**
 * Turns the `auth` of a connection config (one method or a list, as `validateConfig` of
 * `@sftp-connector/core` accepts) into strategies, in the same order: `password` → {@link password},
 * `privateKey` with `path` → {@link privateKeyFile}, with `content` → {@link privateKeyContent},
 * `keyboardInteractive` → {@link keyboardInteractive}, `agent` → {@link agent}. Error messages
 * name the entry (`auth.path`, or `auth[1].path` in a list). Throws INVALID_CONFIG for an unknown
 * type; key files are only read by `prepare`.
 *
 * @example
 * ```ts
 * const strategies = authFromConfig(config.auth);
 * const auth = createAuthHandler(strategies, config.username);
 * ```
 */
export function authFromConfig(auth: AuthMethod | readonly AuthMethod[]): AuthStrategy[] {
  if (Array.isArray(auth)) {
    if (auth.length === 0) throw authConfigError("auth: expected at least one auth method, got an empty array");
    return (auth as readonly AuthMethod[]).map((method, index) => strategyFor(method, `auth[${index}]`));
  }
  return [strategyFor(auth as AuthMethod, "auth")];
}
