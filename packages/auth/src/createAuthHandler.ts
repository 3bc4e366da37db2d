// Builds the ssh2 authHandler that offers auth strategies in order, and remembers what it tried and why a strategy could not be prepared.
import type { AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware } from "ssh2";
import { SftpConnectorError } from "@sftp-connector/core";
import type { AuthMethodName, AuthStrategy, AuthWarningSink } from "./AuthStrategy.js";

/** One auth entry offered to the server. */
export interface AuthAttempt {
  /** The strategy's SSH method. */
  method: AuthMethodName;
  /** The strategy's description (no secret), e.g. `publickey (ssh-ed25519 key content)`. */
  description: string;
}

/** Options of {@link createAuthHandler}. */
export interface CreateAuthHandlerOptions {
  /** Called each time an entry is offered to the server (for logs); errors it throws are ignored. @default undefined */
  onAttempt?: (attempt: AuthAttempt) => void;
  /** Receives the strategies' warnings (e.g. a private key file readable by others); errors it throws are ignored. @default none */
  warnings?: AuthWarningSink;
}

/** What {@link createAuthHandler} returns. Use one per connection attempt. */
export interface AuthHandler {
  /** Pass as ssh2's `authHandler` connect option. */
  readonly handler: AuthHandlerMiddleware;
  /** Descriptions of the entries offered so far, in order. */
  tried(): string[];
  /** The first error a strategy's `prepare` threw (INVALID_CONFIG for a bad key file, key or passphrase), if any. */
  preparationError(): Error | undefined;
  /** The SSH methods the server said it still accepts, from its last refusal (`undefined` before one). */
  methodsLeft(): readonly string[] | undefined;
  /**
   * The error to throw once ssh2 reports that authentication failed: the first preparation error
   * (a config problem the user must fix) if there was one, else an AUTH_FAILED error such as
   * `authentication failed for user tester (tried: password, publickey (ssh-ed25519 key content); the server accepts: publickey)`.
   */
  failure(cause?: unknown): Error;
}

/** The SSH method name the server uses for an entry (agent keys travel as `publickey`). */
function wireMethod(method: AuthMethodName | AnyAuthMethod["type"]): string {
  return method === "agent" ? "publickey" : method;
}

/**
 * Makes an ssh2 `authHandler` that tries `strategies` in order for `username`. Each strategy is
 * prepared lazily, when its turn comes and only if the server still accepts its method (or one of
 * its `fallbackMethods`); each entry it returns is offered while the server still lists its method
 * (`methodsLeft` is `null` on the first call: anything may be offered). An entry of a fallback
 * method is offered only when the server's list is known and lacks the strategy's own method. When nothing is left the handler answers `false` and
 * ssh2 fails with "All configured authentication methods failed" (level `client-authentication`).
 *
 * A strategy whose `prepare` throws is skipped and the first such error is kept: throw
 * `failure()` (or `preparationError()`) when the connection fails, so a wrong passphrase reads as
 * INVALID_CONFIG rather than as a refused login.
 *
 * @example
 * ```ts
 * const auth = createAuthHandler([password("wrong"), privateKeyFile("~/.ssh/id_ed25519")], "etl");
 * client.on("error", (e) => reject((e as { level?: string }).level === "client-authentication" ? auth.failure(e) : e));
 * client.connect({ host, port, username: "etl", authHandler: auth.handler, hostVerifier });
 * ```
 */
export function createAuthHandler(strategies: readonly AuthStrategy[], username: string, options: CreateAuthHandlerOptions = {}): AuthHandler {
  const offered: string[] = [];
  /** `fallbackFor`: the strategy's own method, which the server must not accept for this entry to be offered. */
  const queue: { entry: AnyAuthMethod; attempt: AuthAttempt; fallbackFor?: string }[] = [];
  let nextStrategy = 0;
  let firstError: Error | undefined;
  let lastMethodsLeft: readonly string[] | undefined;
  const sink = options.warnings;
  // A logging sink must not break the login.
  const warnings: AuthWarningSink | undefined = sink && {
    warn(message) {
      try {
        sink.warn(message);
      } catch {
        // ignored
      }
    },
  };

  const accepts = (methodsLeft: readonly string[] | null, method: string) => methodsLeft === null || methodsLeft.includes(wireMethod(method as AuthMethodName));

  async function nextEntry(methodsLeft: readonly string[] | null): Promise<AnyAuthMethod | false> {
    for (;;) {
      while (queue.length > 0) {
        const { entry, attempt, fallbackFor } = queue.shift()!;
        if (!accepts(methodsLeft, entry.type)) continue;
        // A fallback only once the server has named its methods, and only without the strategy's own.
        if (fallbackFor !== undefined && (methodsLeft === null || methodsLeft.includes(fallbackFor))) continue;
        offered.push(attempt.description);
        try {
          options.onAttempt?.(attempt);
        } catch {
          // A logging callback must not break the login.
        }
        return entry;
      }
      const strategy = strategies[nextStrategy++];
      if (strategy === undefined) return false;
      const fallbacks = strategy.fallbackMethods ?? [];
      if (![strategy.method, ...fallbacks].some((method) => accepts(methodsLeft, method))) continue;
      try {
        const entries = await strategy.prepare(username, warnings);
        const attempt = { method: strategy.method, description: strategy.description };
        for (const entry of entries) {
          if (entry.type !== wireMethod(strategy.method) && fallbacks.includes(entry.type as AuthMethodName)) {
            const fallback = { method: entry.type as AuthMethodName, description: `${attempt.description} over ${entry.type}` };
            queue.push({ entry, attempt: fallback, fallbackFor: wireMethod(strategy.method) });
          } else {
            queue.push({ entry, attempt });
          }
        }
      } catch (error) {
        firstError ??= error instanceof Error ? error : new Error(String(error));
      }
    }
  }

  const handler = ((methodsLeft: AuthenticationType[] | null, _partialSuccess: boolean | null, next: (entry: AnyAuthMethod | false) => void) => {
    if (methodsLeft !== null) lastMethodsLeft = [...methodsLeft];
    nextEntry(methodsLeft).then(next, (error: unknown) => {
      firstError ??= error instanceof Error ? error : new Error(String(error));
      next(false);
    });
  }) as unknown as AuthHandlerMiddleware;

  return {
    handler,
    tried: () => [...offered],
    preparationError: () => firstError,
    methodsLeft: () => lastMethodsLeft,
    failure(cause?: unknown): Error {
      if (firstError !== undefined) return firstError;
      const tried = offered.length > 0 ? offered.join(", ") : "nothing";
      const left = lastMethodsLeft === undefined ? "" : `; the server accepts: ${lastMethodsLeft.join(", ") || "nothing"}`;
      return new SftpConnectorError("AUTH_FAILED", `authentication failed for user ${username} (tried: ${tried}${left})`, {
        operation: "auth",
        ...(cause === undefined ? {} : { cause }),
      });
    },
  };
}
