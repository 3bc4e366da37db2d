// Composes a custom connector from chosen operation packages: each operation is bound to one session pool.
import type { ConnectionConfig, NormalizedConnectionConfig } from "@sftp-connector/core";
import { toNormalizedConfig } from "./openSession.js";
import { SessionPool } from "./SessionPool.js";
import type { SessionTarget } from "./withSessionTarget.js";

/** An operation as the packages export it: a plain async function whose first argument, `target`, is a session or a pool. */
// biome-ignore lint/suspicious/noExplicitAny: any operation's own parameters and result; each one keeps its signature through `Bound`.
export type Operation = (target: SessionTarget, ...args: any[]) => any;

/** The operation with its `target` argument bound. */
export type Bound<Op> = Op extends (target: SessionTarget, ...args: infer A) => infer R ? (...args: A) => R : never;

/** A connector made of the operations you chose, plus `close()`. */
export type CustomConnector<Ops extends Record<string, Operation>> = { [K in keyof Ops]: Bound<Ops[K]> } & {
  /** Closes the pool. */
  close(): Promise<void>;
  /** The pool every operation uses. */
  readonly pool: SessionPool;
  /** The validated config. */
  readonly config: NormalizedConnectionConfig;
};

/** What {@link defineConnector} takes. */
export interface DefineConnectorOptions<Ops extends Record<string, Operation>> {
  /** The connection: our config, checked here (INVALID_CONFIG naming every problem), or one already validated. */
  config: ConnectionConfig | NormalizedConnectionConfig;
  /** The operations to bind, by the name they get on the connector. */
  operations: Ops;
}

/**
 * Builds a connector from the operations you pick, each bound to one {@link SessionPool}: install
 * only those packages (and transport, core, auth).
 *
 * @example
 * ```ts
 * import { defineConnector } from "@sftp-connector/transport";
 * import { getFile } from "@sftp-connector/get";
 * import { createFile } from "@sftp-connector/create";
 * const sftp = defineConnector({ config, operations: { get: getFile, create: createFile } });
 * await sftp.create({ fileName: "a.txt", content: "x" });
 * const doc = await sftp.get({ fileName: "a.txt" }, { as: "buffer" });
 * await sftp.close();
 * ```
 * @throws SftpConnectorError INVALID_CONFIG when `config` is not a valid connection config.
 */
export function defineConnector<Ops extends Record<string, Operation>>({ config, operations }: DefineConnectorOptions<Ops>): CustomConnector<Ops> {
  const normalized = toNormalizedConfig(config);
  const pool = new SessionPool(normalized);
  const bound = Object.fromEntries(Object.entries(operations).map(([name, op]) => [name, (...args: unknown[]) => op(pool, ...args)]));
  return { ...bound, pool, config: normalized, close: () => pool.close() } as CustomConnector<Ops>;
}
