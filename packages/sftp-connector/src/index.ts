// sftp-connector: the facade bundle, every operation bound to one pooled, retrying connection.
export { createSftpConnector, toConnectionConfig } from "./createSftpConnector.js";
export type { SftpConnector, ConnectorConfig, ConnectorOptions, ConnectorListenOptions } from "./createSftpConnector.js";
export { defineConnector } from "./defineConnector.js";
export type { CustomConnector, Operation, Bound } from "@sftp-connector/transport";
export {
  SftpConnectorError,
  isSftpConnectorError,
  validateConfig,
  fromBoomiProperties,
  fromBoomiOperationProperties,
  parseFilter,
  toBoomiStatus,
} from "@sftp-connector/core";
export type { BoomiStatus, BoomiStatusResult, ToBoomiStatusOptions, BoomiOperation, BoomiOperationOptions } from "@sftp-connector/core";
export { openSession, SessionPool } from "@sftp-connector/transport";
