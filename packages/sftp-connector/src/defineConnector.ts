// Composes a custom connector from chosen operation packages: each operation is bound to one session pool.
import { SessionPool, type SessionTarget } from "@sftp-connector/transport";
import type { NormalizedConnectionConfig } from "@sftp-connector/core";
import { toConnectionConfig, type ConnectorConfig } from "./createSftpConnector.js";

/** An operation as the packages export it: a plain async function whose first argument is a session (or a pool). */
export type Operation = (target: SessionTarget, ...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The operation with its session argument bound. */
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

/**
 * Builds a connector from the operations you pick: install only those packages.
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
export function defineConnector<Ops extends Record<string, Operation>>({ config, operations }: { config: ConnectorConfig; operations: Ops }): CustomConnector<Ops> {
  const normalized = toConnectionConfig(config);
  const pool = new SessionPool(normalized);
  const bound = Object.fromEntries(Object.entries(operations).map(([name, op]) => [name, (...args: unknown[]) => op(pool, ...args)]));
  return { ...bound, pool, config: normalized, close: () => pool.close() } as CustomConnector<Ops>;
}
