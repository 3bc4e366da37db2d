// The password strategy: SSH "password" user-auth with one password.
import type { AuthStrategy } from "./AuthStrategy.js";
import { authConfigError } from "./authConfigError.js";
import { defineStrategy, type StrategyOptions } from "./defineStrategy.js";
import { answerPasswordPrompt } from "./keyboardInteractive.js";

/**
 * Logs in with a password (SSH method `password`). The password stays in a closure: it is never in
 * the description, `JSON.stringify(strategy)` or `util.inspect(strategy)`.
 *
 * When the server does not accept `password` but accepts `keyboard-interactive` (sshd with
 * `PasswordAuthentication no`), the password answers a single hidden password prompt there, as
 * JSch (Boomi) did; any other prompt gets `""` (see {@link answerPasswordPrompt}). A server that
 * accepts `password` and refuses the password does not get it again over keyboard-interactive.
 *
 * @param password - The password. Secret.
 * @example
 * ```ts
 * const strategy = password(process.env.SFTP_PASSWORD ?? "");
 * strategy.description; // "password"
 * ```
 */
export function password(password: string, options: StrategyOptions = {}): AuthStrategy {
  const field = options.field ?? "auth";
  return defineStrategy(
    "password",
    () => "password",
    async (username) => {
      if (typeof password !== "string") throw authConfigError(`${field}.password: expected a string, got ${typeof password}`);
      return [
        { type: "password", username, password },
        { type: "keyboard-interactive", username, prompt: answerPasswordPrompt(password) },
      ];
    },
    ["keyboard-interactive"],
  );
}
