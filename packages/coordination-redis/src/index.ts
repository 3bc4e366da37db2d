// @sftp-connector/coordination-redis: LISTEN on several machines with Redis — a fenced lease, a fenced checkpoint store and a shared work queue on your ioredis client.
export { createRedisCoordination, REDIS_COORDINATION_DEFAULTS } from "./createRedisCoordination.js";
export type { RedisCoordination, RedisCoordinationOptions } from "./createRedisCoordination.js";
export type { RedisLock, RedisLease } from "./createRedisLock.js";
export type { RedisStore } from "./createRedisStore.js";
export type { RedisQueue } from "./createRedisQueue.js";
export { QUEUE_GROUP, UNCLAIMED_CONSUMER } from "./createRedisQueue.js";
export type { RedisServerCheck } from "./checkRedisPersistence.js";
export { redisKeysFor } from "./redisKeysFor.js";
export type { RedisCoordinationKeys } from "./redisKeysFor.js";
