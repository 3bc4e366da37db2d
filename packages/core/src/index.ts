// @sftp-connector/core: the contracts every sftp-connector package shares.
export { SftpConnectorError, isSftpConnectorError, ERROR_REASONS, RETRY_RULES, RETRY_SITUATIONS } from "./SftpConnectorError.js";
export type { ErrorReason, SftpConnectorErrorOptions, RetryRule, ConfigIssue } from "./SftpConnectorError.js";
export { isRetryable } from "./isRetryable.js";
export type { IsRetryableOptions } from "./isRetryable.js";
export { retryDelay } from "./retryDelay.js";
export type { RetryDelayOptions } from "./retryDelay.js";
export { abortedError, checkSignalOption, throwIfAborted } from "./abortedError.js";

export { invalidInputError } from "./invalidInputError.js";
export { remoteDirectoryNotFound, notADirectory, remoteDirectoryProblemOf, REMOTE_DIRECTORY_NOT_FOUND_MESSAGE } from "./remoteDirectoryNotFound.js";
export type { RemoteDirectoryProblem, RemoteDirectoryErrorOptions } from "./remoteDirectoryNotFound.js";
export { toBoomiStatus, BOOMI_STATUS_MESSAGES } from "./toBoomiStatus.js";
export type { BoomiStatus, BoomiStatusResult, ToBoomiStatusOptions } from "./toBoomiStatus.js";
export { describeValue } from "./describeValue.js";
export { silentLogger, createConsoleWarningsLogger } from "./Logger.js";
export type { Logger } from "./Logger.js";
export { quotePath } from "./quotePath.js";
export { checkRetryOption, RETRY_OPTION_DEFAULTS } from "./checkRetryOption.js";
export { checkConnectionsOption, MAX_CONNECTIONS } from "./checkConnectionsOption.js";
export { checkOptions, closestName } from "./checkOptions.js";
export type { OptionsSpec } from "./checkOptions.js";
export { checkLoggerOption } from "./checkLoggerOption.js";
export { checkUploadOptions, MISSING_FILE_NAME_MESSAGE, UPLOAD_OPTION_NAMES, UPLOAD_OPTION_ALIASES } from "./UploadFileOptions.js";
export type { UploadFileOptions } from "./UploadFileOptions.js";
export { buildUploadResult, FILE_CREATED_MESSAGE } from "./buildUploadResult.js";
export type { BuildUploadResultOptions, UploadFileResult, UploadResponse, UploadedFile } from "./buildUploadResult.js";
export { planDirectoryScan } from "./planDirectoryScan.js";
export type { DirectoryScanInput, DirectoryScanOptions, DirectoryScanPlan, DirectoryScanSpec, ReportProblem } from "./planDirectoryScan.js";

export { validateConfig } from "./validateConfig.js";
export { fromBoomiProperties } from "./fromBoomiProperties.js";
export type { FromBoomiPropertiesOptions } from "./fromBoomiProperties.js";
export { fromBoomiOperationProperties, BOOMI_OPERATIONS } from "./fromBoomiOperationProperties.js";
export type { BoomiOperation, BoomiOperationOptions, BoomiActionIfFileExists } from "./fromBoomiOperationProperties.js";
export { redactSecrets, describeConfig, SECRET_FIELDS, REDACTED } from "./redactSecrets.js";
export type { SecretField } from "./redactSecrets.js";
export { CONNECTION_DEFAULTS, PROXY_URL_SCHEMES, proxyTypeOfScheme } from "./ConnectionConfig.js";
export type {
  ConnectionConfig,
  HostConnectionConfig,
  AuthMethod,
  AuthType,
  PasswordAuth,
  PrivateKeyAuth,
  PrivateKeyFileAuth,
  PrivateKeyContentAuth,
  AgentAuth,
  KeyboardInteractiveAuth,
  KeyboardInteractivePasswordAuth,
  KeyboardInteractiveResponsesAuth,
  HostKeyConfig,
  PinnedHostKey,
  InsecureAcceptAnyHostKey,
  ProxyConfig,
  ProxyServer,
  EnvironmentProxy,
  JumpProxy,
  TimeoutOptions,
  AlgorithmOptions,
  AlgorithmProfile,
  PoolOptions,
  RetryOptions,
  NormalizedConnectionConfig,
  NormalizedHostConnectionConfig,
  NormalizedHostKey,
  NormalizedPinnedHostKey,
  NormalizedProxy,
  NormalizedJumpProxy,
  NormalizedTimeouts,
  NormalizedPoolOptions,
  NormalizedRetryOptions,
} from "./ConnectionConfig.js";

export { resolveRemoteDirectory, resolveRemoteFile, splitRemotePath, isSafeRemoteName, isInsideDirectory } from "./resolveRemoteFile.js";
export type { RemoteDirectorySources, ResolveRemoteFileOptions, ResolvedRemoteFile } from "./resolveRemoteFile.js";

export { compileFilter, MAX_FILTER_DEPTH } from "./filter/compileFilter.js";
export { compilePattern, MAX_PATTERN_LENGTH, MAX_PATTERN_STATES } from "./filter/compilePattern.js";
export type { PatternMatcher } from "./filter/compilePattern.js";
export type { CompileFilterOptions } from "./filter/compileFilter.js";
export { parseFilter, MAX_PARENTHESIS_DEPTH, OPERATOR_SYMBOLS } from "./filter/parseFilter.js";
export { formatFilter } from "./filter/formatFilter.js";
export { FILTER_FIELDS, FILTER_OPERATORS, QUERY_FILTER_FIELDS, LIST_FILTER_FIELDS } from "./filter/Filter.js";
export type {
  Filter,
  ComparisonFilter,
  AndFilter,
  OrFilter,
  FilterField,
  FilterOperator,
  FilterEntry,
  FilterPredicate,
} from "./filter/Filter.js";

export { formatIsoSeconds, formatTimestamp } from "./FileDocument.js";
export type { DocumentContentInput, DocumentProperties, FileDocument } from "./FileDocument.js";
export { MetadataJsonEncoder, encodeMetadataJson, formatMetadataJson } from "./MetadataJsonEncoder.js";
