// @sftp-connector/transport: SSH+SFTP sessions with ssh2, through proxies or jump hosts, verified, pooled, pipelined and retried.
export { openSession, toNormalizedConfig } from "./openSession.js";
export { resolveAlgorithms, describeLegacyAlgorithms, noCommonAlgorithmError, LEGACY_ALGORITHMS, LEGACY_KEX } from "./resolveAlgorithms.js";
export type { AlgorithmSettings, ResolvedAlgorithms, LegacyAlgorithmKind } from "./resolveAlgorithms.js";
export { watchServerOffer, parseServerOffer } from "./watchServerOffer.js";
export type { ServerAlgorithmOffer, ServerOfferWatch } from "./watchServerOffer.js";
export type { OpenSessionOptions } from "./openSession.js";
export { testConnection } from "./testConnection.js";
export type { ConnectionReport } from "./testConnection.js";
export { SftpSession, toFileStats } from "./SftpSession.js";
export type { SessionInfo, FileStats, DirectoryEntry, SessionParts } from "./SftpSession.js";
export { SftpReadStream } from "./SftpReadStream.js";
export type { ReadStreamOptions } from "./SftpReadStream.js";
export { SftpWriteStream } from "./SftpWriteStream.js";
export type { WriteStreamOptions } from "./SftpWriteStream.js";
export { SessionPool, sessionPoolFor, closeAllPools, configKey } from "./SessionPool.js";
export type { SessionProvider, SessionPoolOptions, AcquireOptions } from "./SessionPool.js";
export { withRetry, isRetryable, isRetryableAt, retriesExhausted } from "./withRetry.js";
export type { WithRetryOptions } from "./withRetry.js";
export { createResumableReadStream } from "./createResumableReadStream.js";
export type { ResumableReadStreamOptions } from "./createResumableReadStream.js";
export { createResumableWriteStream } from "./createResumableWriteStream.js";
export type { ResumableWriteStreamOptions } from "./createResumableWriteStream.js";
export { createParallelReadStream, DEFAULT_RANGE_BYTES } from "./createParallelReadStream.js";
export { readChunks } from "./readChunks.js";
export type { ParallelReadStreamOptions } from "./createParallelReadStream.js";
export { createParallelWriteStream } from "./createParallelWriteStream.js";
export type { ParallelWriteStream, ParallelWriteStreamOptions } from "./createParallelWriteStream.js";
export { openTunnel, proxyFromEnvironment, describeProxy, setNoDelay, ProxyError } from "./openTunnel.js";
export type { TunnelTarget, SocketFactory, OpenTunnelOptions } from "./openTunnel.js";
export { LoginQueue, defaultLoginQueue } from "./LoginQueue.js";
export { silentLogger } from "./Logger.js";
export type { Logger } from "./Logger.js";
export { createHostKeyVerifier, parseKnownHosts, fingerprintOf, keyTypeOf, knownHostsName } from "./verifyHostKey.js";
export type { HostKeyVerifier, HostKeyVerifierOptions, KnownHostsEntry, ParsedKnownHosts, PresentedHostKey } from "./verifyHostKey.js";
export { classifyError, ERROR_CLASSIFICATION_RULES } from "./classifyError.js";
export type { ErrorContext, ErrorClassificationRule } from "./classifyError.js";
export { withSessionTarget, isSessionProvider } from "./withSessionTarget.js";
export type { SessionTarget } from "./withSessionTarget.js";
export { defineConnector } from "./defineConnector.js";
export type { CustomConnector, Operation, Bound, DefineConnectorOptions } from "./defineConnector.js";

// Moved: upload plumbing is in "@sftp-connector/transport/upload", the directory walk in
// "@sftp-connector/transport/scan"; the pure option checks and Boomi's upload result are in core.
/** @deprecated Import from `@sftp-connector/core`. */
export {
  checkLoggerOption,
  checkUploadOptions,
  FILE_CREATED_MESSAGE,
  MISSING_FILE_NAME_MESSAGE,
  UPLOAD_OPTION_NAMES,
  UPLOAD_OPTION_ALIASES,
  planDirectoryScan,
} from "@sftp-connector/core";
/** @deprecated Import from `@sftp-connector/core`. */
export type { UploadFileOptions, DirectoryScanInput, DirectoryScanOptions, DirectoryScanPlan, UploadFileResult, UploadResponse } from "@sftp-connector/core";
