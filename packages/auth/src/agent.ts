// The ssh-agent strategy: SSH "publickey" user-auth with every key an agent holds (SSH_AUTH_SOCK unless a socket is given).
import { stat } from "node:fs/promises";
import { quotePath } from "@sftp-connector/core";
import type { AuthStrategy } from "./AuthStrategy.js";
import { authConfigError } from "./authConfigError.js";
import { defineStrategy, type StrategyOptions } from "./defineStrategy.js";

/** Options of {@link agent}. */
export interface AgentOptions extends StrategyOptions {
  /** The agent's socket path, `"pageant"` or a Windows named pipe. @default the `SSH_AUTH_SOCK` environment variable, read at prepare time */
  socket?: string;
}

/** Sockets that are not files on this machine: Pageant and Windows named pipes. */
function isWindowsAgent(socket: string): boolean {
  return socket === "pageant" || socket.startsWith("\\\\.\\pipe\\") || socket.startsWith("//./pipe/");
}

/**
 * Logs in with the keys held by an SSH agent (ssh2 tries each of them). The socket is
 * `options.socket`, else `SSH_AUTH_SOCK` as set when `prepare` runs. `prepare` throws INVALID_CONFIG
 * when there is neither, or when no socket exists at that path.
 *
 * Description: `agent (SSH_AUTH_SOCK)` or `agent (/path/to/socket)`.
 *
 * @example
 * ```ts
 * agent(); // the agent of SSH_AUTH_SOCK
 * agent({ socket: "/run/user/1000/ssh-agent.socket" });
 * ```
 */
export function agent(options: AgentOptions = {}): AuthStrategy {
  const field = options.field ?? "auth";
  const given = options.socket;
  return defineStrategy(
    "agent",
    () => `agent (${given ?? "SSH_AUTH_SOCK"})`,
    async (username) => {
      if (given !== undefined && (typeof given !== "string" || given.trim() === "")) {
        throw authConfigError(`${field}.socket: expected the agent socket path, got ${typeof given === "string" ? "a blank string" : typeof given}`);
      }
      const socket = given ?? process.env.SSH_AUTH_SOCK;
      if (socket === undefined || socket.trim() === "") {
        throw authConfigError(
          `${field}.socket: no SSH agent to use: ${field}.socket is not given and SSH_AUTH_SOCK is not set; start one (eval "$(ssh-agent)" && ssh-add) or give ${field}.socket`,
        );
      }
      if (!isWindowsAgent(socket)) {
        const where = given === undefined ? `${quotePath(socket)} (from SSH_AUTH_SOCK)` : quotePath(socket);
        let isSocket: boolean;
        try {
          isSocket = (await stat(socket)).isSocket();
        } catch (error) {
          const code = String((error as { code?: unknown }).code ?? "unknown error");
          throw authConfigError(`${field}.socket: no SSH agent socket at ${where} (${code === "ENOENT" ? "no such file" : code})`, {
            path: socket,
            cause: error,
          });
        }
        if (!isSocket) throw authConfigError(`${field}.socket: ${where} is not a socket`, { path: socket });
      }
      return [{ type: "agent", username, agent: socket }];
    },
  );
}
