// What the lock, store and queue of one Redis coordination share: the runner, the namespace, the owner, the lease length and the persistence check.
import type { RedisScriptRunner } from "./RedisScriptRunner.js";
import type { RedisCoordinationKeys } from "./redisKeysFor.js";

/** The shared state of one coordination (internal). */
export interface RedisContext {
  readonly runner: RedisScriptRunner;
  /** This holder's identity, the value of its lease keys. */
  readonly owner: string;
  /** The lease length in ms (PX). */
  readonly ttlMs: number;
  /** The keys of a poller key in this coordination's namespace. */
  keys(key: string): RedisCoordinationKeys;
  /** Resolves once the server was found persistent (or `allowVolatile`); runs the check on first use. */
  ready(operation: string): Promise<void>;
}
