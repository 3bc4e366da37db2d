// Composes a custom connector from chosen operation packages: transport's defineConnector, also taking a Boomi connection's properties.
import { defineConnector as defineTransportConnector, type CustomConnector, type Operation } from "@sftp-connector/transport";
import { toConnectionConfig, type ConnectorConfig } from "./createSftpConnector.js";

/**
 * `@sftp-connector/transport`'s {@link defineTransportConnector | defineConnector}, whose `config`
 * may also be a Boomi SFTP V2 connection's properties (`{ boomi, options }`), like
 * `createSftpConnector`'s. Without the facade, import it from `@sftp-connector/transport`.
 *
 * @example
 * ```ts
 * import { getFile } from "@sftp-connector/get";
 * import { createFile } from "@sftp-connector/create";
 * const sftp = defineConnector({ config, operations: { get: getFile, create: createFile } });
 * await sftp.create({ fileName: "a.txt", content: "x" });
 * const doc = await sftp.get({ fileName: "a.txt" }, { as: "buffer" });
 * await sftp.close();
 * ```
 */
export function defineConnector<Ops extends Record<string, Operation>>({
  config,
  operations,
}: {
  config: ConnectorConfig;
  operations: Ops;
}): CustomConnector<Ops> {
  return defineTransportConnector({ config: toConnectionConfig(config), operations });
}
