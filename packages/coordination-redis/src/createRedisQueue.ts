// The shared work queue on Redis: a stream per poller key with a consumer group, fenced enqueue, per-file order and visibility deadlines by the server's clock, all in Lua.
import { SftpConnectorError, describeValue } from "@sftp-connector/core";
import { changeIdentity, type ClaimedChange, type FenceContext, type PollEvent, type WorkQueue } from "@sftp-connector/poller";
import { checkKey } from "./createRedisLock.js";
import { requireFencingToken } from "@sftp-connector/poller";
import { FENCE_LUA, lockLostError } from "./lockLostError.js";
import type { RedisContext } from "./RedisContext.js";
import type { RedisCoordinationKeys } from "./redisKeysFor.js";
import { luaScript } from "./RedisScriptRunner.js";

/** The consumer group every worker of a poller key reads through. */
export const QUEUE_GROUP = "workers";

/** The group's consumer that holds changes read from the stream but not claimed by a worker (parked behind an older change of their file, or given back). */
export const UNCLAIMED_CONSUMER = "sftpc:unclaimed";

/** How many changes one enqueue script appends at most (a longer list is sent in several fenced scripts, in order). */
const ENQUEUE_BATCH = 500;

/** How many parked changes one claim script reads past before handing the rest to another call. */
const CLAIM_READS = 200;

/** The shared work queue of a Redis coordination, fenced by its lock's token. */
export type RedisQueue = WorkQueue;

/** The server's clock in ms, and the lookup of a field in a stream entry's flat field list. */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function field(fields, name)
  for i = 1, #fields, 2 do
    if fields[i] == name then return fields[i + 1] end
  end
  return nil
end
`;

/**
 * KEYS lease, token, queue, ids, heads, tails, next; ARGV owner, token, count, then per change: identity, name, event JSON.
 * Appends each change not already waiting or claimed and links it behind the newest change of its file.
 * Returns {1, added} or the fence's {0, liveToken}.
 */
const ENQUEUE = luaScript(`${FENCE_LUA}
local refused = fence(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
if refused then return refused end
if redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('XGROUP', 'CREATE', KEYS[3], '${QUEUE_GROUP}', '0', 'MKSTREAM')
end
local added = 0
for i = 0, tonumber(ARGV[3]) - 1 do
  local identity, name, event = ARGV[4 + 3 * i], ARGV[5 + 3 * i], ARGV[6 + 3 * i]
  if redis.call('HEXISTS', KEYS[4], identity) == 0 then
    local id = redis.call('XADD', KEYS[3], '*', 'event', event, 'name', name, 'identity', identity, 'fencingToken', ARGV[2])
    redis.call('HSET', KEYS[4], identity, id)
    local tail = redis.call('HGET', KEYS[6], name)
    if tail then redis.call('HSET', KEYS[7], tail, id) else redis.call('HSET', KEYS[5], name, id) end
    redis.call('HSET', KEYS[6], name, id)
    added = added + 1
  end
end
return {1, added}
`);

/**
 * KEYS queue, heads, due, receipts, deliveries, parked, seq; ARGV consumer, visibilityMs, reads.
 * First a change already read whose time has come (a lapsed claim, a released one, or one whose
 * older sibling was acknowledged), oldest due first; else the next new entries of the stream
 * (XREADGROUP), parking each whose file has an older change in the queue, until one is the oldest
 * of its file. Returns {id, fields, deliveries, receipt}, nil when nothing is claimable, or 'more'
 * when it read ARGV[3] parked entries without finding one (the caller calls again).
 */
const CLAIM = luaScript(`${PRELUDE}
local function deliver(id, fields)
  local deliveries = redis.call('HINCRBY', KEYS[5], id, 1)
  local receipt = tostring(redis.call('INCR', KEYS[7]))
  redis.call('HSET', KEYS[4], id, receipt)
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), id)
  redis.call('XCLAIM', KEYS[1], '${QUEUE_GROUP}', ARGV[1], 0, id, 'JUSTID')
  return {id, fields, deliveries, receipt}
end
while true do
  local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 1)[1]
  if not due then break end
  local entry = redis.call('XRANGE', KEYS[1], due, due)[1]
  if entry then return deliver(due, entry[2]) end
  redis.call('ZREM', KEYS[3], due)
end
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
for i = 1, tonumber(ARGV[3]) do
  local read = redis.call('XREADGROUP', 'GROUP', '${QUEUE_GROUP}', '${UNCLAIMED_CONSUMER}', 'COUNT', 1, 'STREAMS', KEYS[1], '>')
  if not read then return nil end
  local entry = read[1][2][1]
  if redis.call('HGET', KEYS[2], field(entry[2], 'name')) == entry[1] then return deliver(entry[1], entry[2]) end
  redis.call('SADD', KEYS[6], entry[1])
end
return 'more'
`);

/** The receipt check of extend, ack and release: the claim must be the current one and its deadline not passed. */
const CURRENT_CLAIM = `
local function current(receipts, due, id, receipt)
  if redis.call('HGET', receipts, id) ~= receipt then return false end
  local deadline = redis.call('ZSCORE', due, id)
  return deadline ~= false and tonumber(deadline) > now
end
`;

/** KEYS due, receipts; ARGV id, receipt, visibilityMs. Pushes the deadline to now + visibilityMs; 1, or 0 when the claim was lost. */
const EXTEND = luaScript(`${PRELUDE}${CURRENT_CLAIM}
if not current(KEYS[2], KEYS[1], ARGV[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
return 1
`);

/** KEYS due, receipts, queue; ARGV id, receipt, delayMs. Gives the claim back, claimable after the delay; 1, or 0 when the claim was lost. */
const RELEASE = luaScript(`${PRELUDE}${CURRENT_CLAIM}
if not current(KEYS[2], KEYS[1], ARGV[1], ARGV[2]) then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('XCLAIM', KEYS[3], '${QUEUE_GROUP}', '${UNCLAIMED_CONSUMER}', 0, ARGV[1], 'JUSTID')
return 1
`);

/**
 * KEYS queue, ids, heads, tails, next, due, receipts, deliveries, parked; ARGV id, receipt.
 * Removes an acknowledged change (XACK + XDEL and its bookkeeping) and makes the next change of its
 * file the claimable one; 1, or 0 when the claim was lost.
 */
const ACK = luaScript(`${PRELUDE}${CURRENT_CLAIM}
local id = ARGV[1]
if not current(KEYS[7], KEYS[6], id, ARGV[2]) then return 0 end
local entry = redis.call('XRANGE', KEYS[1], id, id)[1]
redis.call('XACK', KEYS[1], '${QUEUE_GROUP}', id)
redis.call('XDEL', KEYS[1], id)
redis.call('HDEL', KEYS[7], id)
redis.call('HDEL', KEYS[8], id)
redis.call('ZREM', KEYS[6], id)
if entry then
  local name, identity = field(entry[2], 'name'), field(entry[2], 'identity')
  if redis.call('HGET', KEYS[2], identity) == id then redis.call('HDEL', KEYS[2], identity) end
  local following = redis.call('HGET', KEYS[5], id)
  if following then
    redis.call('HDEL', KEYS[5], id)
    redis.call('HSET', KEYS[3], name, following)
    if redis.call('SREM', KEYS[9], following) == 1 then redis.call('ZADD', KEYS[6], now, following) end
  elseif redis.call('HGET', KEYS[3], name) == id then
    redis.call('HDEL', KEYS[3], name)
    redis.call('HDEL', KEYS[4], name)
  end
end
return 1
`);

/** Creates the queue of a coordination (internal: the factory pairs it with the lock of the same engine). */
export function createRedisQueue(context: RedisContext): RedisQueue {
  const start = async (key: string): Promise<RedisCoordinationKeys> => {
    checkKey(key, "poll.queue");
    await context.ready("poll.queue");
    return context.keys(key);
  };
  return {
    async enqueue(key, events, fence?: FenceContext) {
      checkKey(key, "poll.queue");
      const token = requireFencingToken(fence, "poll.queue");
      if (!Array.isArray(events))
        throw new SftpConnectorError("INVALID_INPUT", `events: expected an array, got ${describeValue(events)}`, { operation: "poll.queue" });
      for (const event of events) checkEvent(event);
      const keys = await start(key);
      for (let from = 0; from < events.length || from === 0; from += ENQUEUE_BATCH) {
        const batch = events.slice(from, from + ENQUEUE_BATCH);
        const args: string[] = [context.owner, token, String(batch.length)];
        for (const event of batch) args.push(changeIdentity(event), event.entry.name, JSON.stringify(event));
        const reply = (await context.runner.script(
          ENQUEUE,
          [keys.lease, keys.token, keys.queue, keys.queueIds, keys.queueHeads, keys.queueTails, keys.queueNext],
          args,
          "poll.queue",
          `the enqueue of ${batch.length} change(s) for ${key}`,
        )) as [number, string | number];
        if (reply[0] !== 1) throw lockLostError("The enqueue", key, token, String(reply[1]), "poll.queue");
      }
    },
    async claim(key, consumer, visibilityMs) {
      if (typeof consumer !== "string" || consumer === "" || consumer === UNCLAIMED_CONSUMER) {
        throw new SftpConnectorError(
          "INVALID_INPUT",
          `consumer: expected a non-empty name other than "${UNCLAIMED_CONSUMER}", got ${describeValue(consumer)}`,
          { operation: "poll.queue" },
        );
      }
      const visibility = checkMs("visibilityMs", visibilityMs, 1);
      const keys = await start(key);
      for (;;) {
        const reply = await context.runner.script(
          CLAIM,
          [keys.queue, keys.queueHeads, keys.queueDue, keys.queueReceipts, keys.queueDeliveries, keys.queueParked, keys.queueSeq],
          [consumer, visibility, CLAIM_READS],
          "poll.queue",
          `a claim on the queue of ${key}`,
        );
        if (reply === "more") continue;
        if (reply === null || reply === undefined) return undefined;
        const [id, fields, deliveries, receipt] = reply as [string, string[], number, string];
        const field = (name: string): string | undefined => {
          for (let at = 0; at < fields.length; at += 2) if (fields[at] === name) return fields[at + 1];
          return undefined;
        };
        let event: PollEvent;
        try {
          const parsed = JSON.parse(field("event") ?? "") as Record<string, unknown>;
          // JSON drops `previous: undefined`, which an added event carries.
          event = (parsed.type === "added" && !("previous" in parsed) ? { ...parsed, previous: undefined } : parsed) as unknown as PollEvent;
        } catch (cause) {
          throw new SftpConnectorError("FAILURE", `The change ${id} in the queue of ${key} (Redis key ${keys.queue}) is not valid JSON`, {
            operation: "poll.queue",
            cause,
            retryable: false,
          });
        }
        const fencingToken = field("fencingToken");
        const change: ClaimedChange = {
          id,
          event,
          ...(fencingToken === undefined ? {} : { fencingToken }),
          deliveries: Number(deliveries),
          receipt: String(receipt),
        };
        return change;
      }
    },
    async extend(key, change, visibilityMs) {
      checkChange(change);
      const visibility = checkMs("visibilityMs", visibilityMs, 1);
      const keys = await start(key);
      const reply = await context.runner.script(
        EXTEND,
        [keys.queueDue, keys.queueReceipts],
        [change.id, change.receipt, visibility],
        "poll.queue",
        `the extension of change ${change.id} of ${key}`,
      );
      return reply === 1;
    },
    async ack(key, change) {
      checkChange(change);
      const keys = await start(key);
      const reply = await context.runner.script(
        ACK,
        [
          keys.queue,
          keys.queueIds,
          keys.queueHeads,
          keys.queueTails,
          keys.queueNext,
          keys.queueDue,
          keys.queueReceipts,
          keys.queueDeliveries,
          keys.queueParked,
        ],
        [change.id, change.receipt],
        "poll.queue",
        `the acknowledgement of change ${change.id} of ${key}`,
      );
      return reply === 1;
    },
    async release(key, change, delayMs) {
      checkChange(change);
      const delay = checkMs("delayMs", delayMs, 0);
      const keys = await start(key);
      const reply = await context.runner.script(
        RELEASE,
        [keys.queueDue, keys.queueReceipts, keys.queue],
        [change.id, change.receipt, delay],
        "poll.queue",
        `the release of change ${change.id} of ${key}`,
      );
      return reply === 1;
    },
    async size(key) {
      const keys = await start(key);
      return Number(await context.runner.command("poll.queue", `the size of the queue of ${key}`, "xlen", keys.queue));
    },
  };
}

/** A duration argument in whole ms (a fraction rounds up). */
function checkMs(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new SftpConnectorError("INVALID_INPUT", `${name}: expected a number of ${min} or more (ms), got ${describeValue(value)}`, {
      operation: "poll.queue",
    });
  }
  return Math.ceil(value);
}

function checkChange(change: unknown): asserts change is ClaimedChange {
  const c = change as Partial<ClaimedChange> | null;
  if (typeof c !== "object" || c === null || typeof c.id !== "string" || typeof c.receipt !== "string") {
    throw new SftpConnectorError("INVALID_INPUT", `change: expected a claimed change (with id and receipt), got ${describeValue(change)}`, {
      operation: "poll.queue",
    });
  }
}

function checkEvent(event: unknown): asserts event is PollEvent {
  const e = event as Partial<PollEvent> | null;
  if (
    typeof e !== "object" ||
    e === null ||
    typeof e.type !== "string" ||
    typeof e.entry !== "object" ||
    e.entry === null ||
    typeof e.entry.name !== "string"
  ) {
    throw new SftpConnectorError("INVALID_INPUT", `events: expected poll events ({ type, entry: { name, … } }), got ${describeValue(event)}`, {
      operation: "poll.queue",
    });
  }
}
