// @sftp-connector/poller: a directory poller that knows nothing of SFTP, with stable-file detection, a checkpoint store and a singleton lock.
export { createDirectoryPoller } from "./createDirectoryPoller.js";
export type { DirectoryPoller, PollerListeners, PollerState, LockChange } from "./createDirectoryPoller.js";
export { normalizePollerOptions, MIN_INTERVAL_MS } from "./normalizePollerOptions.js";
export type {
  DirectoryPollerOptions,
  NormalizedPollerOptions,
  CompareOption,
  StableAfter,
  PollHandler,
} from "./normalizePollerOptions.js";
export { POLL_EVENT_TYPES } from "./PollEvent.js";
export type {
  ListedEntry,
  ListResult,
  PolledEntry,
  PollEvent,
  PollEventType,
  AddedEvent,
  ModifiedEvent,
  RemovedEvent,
  CycleStats,
} from "./PollEvent.js";
export type { Snapshot, SnapshotEntry, SnapshotStore, SnapshotStoreContext } from "./SnapshotStore.js";
export { createMemoryStore } from "./createMemoryStore.js";
export type { MemoryStore } from "./createMemoryStore.js";
export { createFileStore, SNAPSHOT_FILE_FORMAT, SNAPSHOT_FILE_VERSION } from "./createFileStore.js";
export type { FileStore } from "./createFileStore.js";
export type { PollerLock, Lease } from "./PollerLock.js";
export { createFileLock, isProcessAlive } from "./createFileLock.js";
export type { FileLock, FileLockOptions, LockFileContent } from "./createFileLock.js";
export { backoffDelay } from "./backoffDelay.js";
export type { BackoffOptions, NormalizedBackoff } from "./backoffDelay.js";
export { consoleWarningsLogger, silentLogger } from "./PollerLogger.js";
export type { PollerLogger } from "./PollerLogger.js";
export type { WorkQueue, QueuedChange, ClaimedChange, FenceContext, Coordination } from "./WorkQueue.js";
export { createMemoryQueue, changeIdentity } from "./createMemoryQueue.js";
export type { MemoryQueue, MemoryQueueOptions } from "./createMemoryQueue.js";
export { createWorkConsumer } from "./createWorkConsumer.js";
export type { WorkConsumer, WorkConsumerOptions, WorkHandler } from "./createWorkConsumer.js";
export { createMemoryCoordination, createMemoryEngine } from "./createMemoryCoordination.js";
export type { MemoryCoordinationOptions, MemoryEngine } from "./createMemoryCoordination.js";
export { requireFencingToken } from "./requireFencingToken.js";
