// The fenced checkpoint store on Redis: a save lands only in the Lua step that finds the saver's lease live, with the token beside the snapshot and an init marker.
import { SftpConnectorError, describeValue } from "@sftp-connector/core";
import type { Snapshot, SnapshotStore, SnapshotStoreContext } from "@sftp-connector/poller";
import { checkKey } from "./createRedisLock.js";
import { requireFencingToken } from "@sftp-connector/poller";
import { FENCE_LUA, lockLostError } from "./lockLostError.js";
import type { RedisContext } from "./RedisContext.js";
import { luaScript } from "./RedisScriptRunner.js";

/** The checkpoint store of a Redis coordination, fenced by its lock's token. */
export interface RedisStore extends SnapshotStore {
  /**
   * The snapshot last saved for `key`; `undefined` only when none was ever saved (no init marker).
   * Rejects (`FAILURE`) when the marker says a checkpoint was saved but it is gone: starting over
   * silently would lose the files that arrived in between.
   */
  load(key: string, context?: SnapshotStoreContext): Promise<Snapshot | undefined>;
  /**
   * Saves `snapshot` for `key` in the one atomic step that checks `context.fencingToken` is the token
   * of this owner's live lease; rejects with `LOCK_LOST` (writing nothing) when it is not, and with
   * `INVALID_INPUT` without a token (use the store with its lock).
   */
  save(key: string, snapshot: Snapshot, context?: SnapshotStoreContext): Promise<void>;
  /** Removes the checkpoint of `key` and its init marker on purpose: the next `load` resolves `undefined` (a new baseline). */
  resetState(key: string): Promise<void>;
}

/** KEYS lease, token, checkpoint, init; ARGV owner, token, snapshot JSON. Returns {1, savedAt} or the fence's {0, liveToken}. */
const SAVE = luaScript(`${FENCE_LUA}
local refused = fence(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
if refused then return refused end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[3], 'snapshot', ARGV[3], 'fencingToken', ARGV[2], 'savedAt', now)
redis.call('HSETNX', KEYS[4], 'createdAt', now)
redis.call('HSET', KEYS[4], 'savedAt', now, 'fencingToken', ARGV[2])
return {1, now}
`);

/** KEYS checkpoint, init. Returns {snapshot, fencingToken, savedAt, markerCreatedAt, markerSavedAt} (nil where missing). */
const LOAD = luaScript(`
local c = redis.call('HMGET', KEYS[1], 'snapshot', 'fencingToken', 'savedAt')
local m = redis.call('HMGET', KEYS[2], 'createdAt', 'savedAt')
return {c[1], c[2], c[3], m[1], m[2]}
`);

/** Creates the store of a coordination (internal: the factory pairs it with the lock of the same engine). */
export function createRedisStore(context: RedisContext): RedisStore {
  return {
    async load(key) {
      checkKey(key, "poll.store");
      await context.ready("poll.store");
      const keys = context.keys(key);
      const reply = (await context.runner.script(LOAD, [keys.checkpoint, keys.init], [], "poll.store", `the checkpoint of ${key}`)) as (string | null)[];
      const [json, , savedAt, markerCreatedAt, markerSavedAt] = reply;
      if (json === null || json === undefined) {
        if (markerCreatedAt === null || markerCreatedAt === undefined) return undefined;
        throw new SftpConnectorError(
          "FAILURE",
          `The checkpoint of ${key} is gone although one was saved at ${isoTime(markerSavedAt ?? markerCreatedAt)} (Redis key ${keys.checkpoint}): ` +
            "restore it, or call store.resetState(key) to start over with a new baseline (files that arrived meanwhile will not be delivered as new)",
          { operation: "poll.store", retryable: false },
        );
      }
      let snapshot: Snapshot;
      try {
        snapshot = JSON.parse(json) as Snapshot;
      } catch (cause) {
        throw corrupt(key, keys.checkpoint, "it is not valid JSON", cause);
      }
      if (typeof snapshot !== "object" || snapshot === null || !Array.isArray(snapshot.entries)) {
        throw corrupt(key, keys.checkpoint, "it has no entries array");
      }
      return snapshot.savedAt === undefined && savedAt !== null && savedAt !== undefined ? { ...snapshot, savedAt: Number(savedAt) } : snapshot;
    },
    async save(key, snapshot, context_) {
      checkKey(key, "poll.store");
      const token = requireFencingToken(context_, "poll.store");
      if (typeof snapshot !== "object" || snapshot === null || !Array.isArray(snapshot.entries)) {
        throw new SftpConnectorError("INVALID_INPUT", `snapshot: expected { entries: [...] }, got ${describeValue(snapshot)}`, { operation: "poll.store" });
      }
      await context.ready("poll.store");
      const keys = context.keys(key);
      const reply = (await context.runner.script(
        SAVE,
        [keys.lease, keys.token, keys.checkpoint, keys.init],
        [context.owner, token, JSON.stringify(snapshot)],
        "poll.store",
        `the save of the checkpoint of ${key}`,
      )) as [number, string | number];
      if (reply[0] !== 1) throw lockLostError("The checkpoint save", key, token, String(reply[1]), "poll.store");
    },
    async resetState(key) {
      checkKey(key, "poll.store");
      await context.ready("poll.store");
      const keys = context.keys(key);
      await context.runner.command("poll.store", `the reset of the checkpoint of ${key}`, "del", keys.checkpoint, keys.init);
    },
  };
}

function isoTime(ms: string | null | undefined): string {
  const value = Number(ms);
  return Number.isFinite(value) ? new Date(value).toISOString() : "an unknown time";
}

function corrupt(key: string, redisKey: string, problem: string, cause?: unknown): SftpConnectorError {
  return new SftpConnectorError("FAILURE", `The checkpoint of ${key} (Redis key ${redisKey}) cannot be read: ${problem}`, {
    operation: "poll.store",
    retryable: false,
    ...(cause === undefined ? {} : { cause }),
  });
}
