// The Redis lease: SET owner PX ttl in a Lua script that INCRs the fencing token on every change of holder; renew and release compare owner and token.
import { SftpConnectorError, describeValue } from "@sftp-connector/core";
import type { PollerLock } from "@sftp-connector/poller";
import type { RedisContext } from "./RedisContext.js";
import { luaScript } from "./RedisScriptRunner.js";

/** What `acquire` resolves with while this holder has the lease. */
export interface RedisLease {
  /** The lease's fencing token (a decimal string): it rises by one on every change of holder. */
  readonly fencingToken: string;
  /** The lease length, counted from when `acquire` was sent (Redis started the TTL later, so the lease lasts at least that long). */
  readonly ttlMs: number;
  /** When the lease lapses unless renewed: the send time plus `ttlMs`, in epoch milliseconds of this machine (informational). */
  readonly expiresAt: number;
}

/** The lease lock of a Redis coordination: one object stands for one holder, its `owner`. */
export interface RedisLock extends PollerLock {
  /** Takes the lease of `key`, renews it, or confirms it (after a call whose outcome was unknown); `false` while another owner holds a live lease. */
  acquire(key: string): Promise<false | RedisLease>;
  /** Gives the lease of `key` up when this owner holds it (owner and token compared); does nothing otherwise. */
  release(key: string): Promise<void>;
  /** This holder's identity: the value of its lease keys. */
  readonly owner: string;
}

/**
 * KEYS lease, token, checkpoint, init; ARGV owner, ttlMs, known token ('' when unknown).
 * A new term (no live lease) takes token + 1; a token counter lost (deleted by hand) restarts above
 * the token the last checkpoint was saved under, so a token is never handed out twice.
 * Returns {1, token, how} when this owner holds the lease now ('acquired', 'renewed', or 'confirmed':
 * this owner held a lease with a token it did not know, e.g. after a timed-out acquire that landed),
 * {0} while another owner holds it.
 */
const ACQUIRE = luaScript(`
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  local token = redis.call('GET', KEYS[2]) or '0'
  if token == ARGV[3] then return {1, token, 'renewed'} end
  return {1, token, 'confirmed'}
end
if holder then return {0} end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local saved = tonumber(redis.call('HGET', KEYS[3], 'fencingToken') or '0') or 0
  local marked = tonumber(redis.call('HGET', KEYS[4], 'fencingToken') or '0') or 0
  redis.call('SET', KEYS[2], math.max(saved, marked))
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1, tostring(token), 'acquired'}
`);

/** KEYS lease, token; ARGV owner, known token ('' = compare the owner only). Deletes the lease when both match; returns 1 if it did. */
const RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
return redis.call('DEL', KEYS[1])
`);

/** Creates the lock of a coordination (internal: the factory pairs it with the store and queue of the same engine). */
export function createRedisLock(context: RedisContext): RedisLock {
  /** The token this holder last got per poller key; forgotten when a call's outcome is unknown. */
  const known = new Map<string, string>();
  return {
    owner: context.owner,
    async acquire(key) {
      checkKey(key, "poll.lock");
      await context.ready("poll.lock");
      const keys = context.keys(key);
      const sentAt = Date.now();
      let reply: unknown;
      try {
        reply = await context.runner.script(
          ACQUIRE,
          [keys.lease, keys.token, keys.checkpoint, keys.init],
          [context.owner, context.ttlMs, known.get(key) ?? ""],
          "poll.lock",
          `the lease of ${key}`,
        );
      } catch (error) {
        known.delete(key); // outcome unknown: the next acquire confirms by owner
        throw error;
      }
      const [held, token] = reply as [number, string?, string?];
      if (held !== 1 || token === undefined) {
        known.delete(key);
        return false;
      }
      known.set(key, token);
      return { fencingToken: token, ttlMs: context.ttlMs, expiresAt: sentAt + context.ttlMs };
    },
    async release(key) {
      checkKey(key, "poll.lock");
      await context.ready("poll.lock");
      const keys = context.keys(key);
      await context.runner.script(RELEASE, [keys.lease, keys.token], [context.owner, known.get(key) ?? ""], "poll.lock", `the release of the lease of ${key}`);
      known.delete(key);
    },
  };
}

/** Refuses a poller key that is not a non-empty string. */
export function checkKey(key: unknown, operation: string): asserts key is string {
  if (typeof key !== "string" || key === "") {
    throw new SftpConnectorError("INVALID_INPUT", `key: expected a non-empty string, got ${describeValue(key)}`, { operation });
  }
}
