// Runs Lua scripts and commands on the user's ioredis client under a deadline, turning failures into SftpConnectorErrors.
import { createHash } from "node:crypto";
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";

/** What this package needs of an ioredis client (`Redis` or `Cluster`): its generic `call`. */
export interface RedisCallable {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** A Lua script and its SHA-1, run with EVALSHA (EVAL when the server does not have it yet). */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** Makes a {@link LuaScript} from its source. */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Replies that a retry (of the same call, later) may cure. */
const RETRYABLE_REPLY = /^(READONLY|LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|MOVED|ASK)\b/;

/**
 * Sends every call of one coordination to Redis with a deadline of `timeoutMs` (below a third of
 * the lease): a call that does not answer in time rejects with `TIMEOUT`, and its outcome is
 * unknown (it may still land). The client's own `commandTimeout` is left alone.
 */
export class RedisScriptRunner {
  constructor(
    private readonly client: RedisCallable,
    private readonly timeoutMs: number,
  ) {}

  /** Runs `script` over `keys` (all of one hash tag) with `args`. */
  async script(script: LuaScript, keys: readonly string[], args: readonly (string | number)[], operation: string, what: string): Promise<unknown> {
    const argv = [keys.length, ...keys, ...args];
    return this.withDeadline(operation, what, async () => {
      try {
        return await this.client.call("evalsha", script.sha, ...argv);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
        return await this.client.call("eval", script.source, ...argv);
      }
    });
  }

  /** Runs one plain command. */
  command(operation: string, what: string, command: string, ...args: (string | number)[]): Promise<unknown> {
    return this.withDeadline(operation, what, () => this.client.call(command, ...args));
  }

  private async withDeadline<T>(operation: string, what: string, run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SftpConnectorError("TIMEOUT", `Redis did not answer ${what} within ${this.timeoutMs} ms (operationTimeoutMs): its outcome is unknown`, {
              operation,
              retryable: true,
            }),
          ),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      throw redisError(error, operation, what);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** An SftpConnectorError for what the client threw: a Redis error reply is `FAILURE`, anything else (a closed or refused connection) `CONNECTION_LOST`. */
function redisError(error: unknown, operation: string, what: string): SftpConnectorError {
  if (isSftpConnectorError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === "ReplyError") {
    return new SftpConnectorError("FAILURE", `Redis refused ${what}: ${message}`, { operation, cause: error, retryable: RETRYABLE_REPLY.test(message) });
  }
  return new SftpConnectorError("CONNECTION_LOST", `Redis ${what} failed: ${message}`, { operation, cause: error, retryable: true });
}
