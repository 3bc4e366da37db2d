// @sftp-connector/core: the contracts every sftp-connector package shares.
export { SftpConnectorError, isSftpConnectorError, ERROR_REASONS } from "./SftpConnectorError.js";
export type { ErrorReason, SftpConnectorErrorOptions } from "./SftpConnectorError.js";
