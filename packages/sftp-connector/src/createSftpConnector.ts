// The facade: one createSftpConnector(config) with every operation bound to a session pool with retry; no logic of its own.
import type { Readable } from "node:stream";
import {
  checkOptions,
  fromBoomiProperties,
  validateConfig,
  type ConnectionConfig,
  type FileDocument,
  type FromBoomiPropertiesOptions,
  type NormalizedConnectionConfig,
  type OptionsSpec,
} from "@sftp-connector/core";
import { SessionPool, testConnection, type ConnectionReport, type Logger, type OpenSessionOptions } from "@sftp-connector/transport";
import { getFile, type GetFileInput, type GetFileOptions } from "@sftp-connector/get";
import { createFile, type CreateFileInput, type CreateFileOptions, type CreateFileResult } from "@sftp-connector/create";
import { upsertFile, type UpsertFileInput, type UpsertFileOptions, type UpsertFileResult } from "@sftp-connector/upsert";
import {
  cleanTemporaryFiles,
  deleteFiles,
  type CleanTemporaryFilesOptions,
  type CleanedTemporaryFile,
  type DeleteFilesInput,
  type DeleteFilesOptions,
  type DeleteResult,
} from "@sftp-connector/delete";
import { listFiles, type ListEntry, type ListInput, type ListOptions } from "@sftp-connector/list";
import { queryFiles, type QueryInput, type QueryItem, type QueryOptions } from "@sftp-connector/query";
import { listen, type ListenHandler, type ListenOptions, type Listener } from "@sftp-connector/listen";

/** A config: ours (see `@sftp-connector/core`), or a Boomi SFTP V2 connection's properties as they are. */
export type ConnectorConfig = ConnectionConfig | NormalizedConnectionConfig | { boomi: Record<string, unknown>; options?: FromBoomiPropertiesOptions };

/** Options of {@link createSftpConnector}. */
export interface ConnectorOptions extends Pick<OpenSessionOptions, "socketFactory"> {
  /** Told about connections, retries and warnings; never secrets. @default silent */
  logger?: Logger;
}

/** LISTEN's options on a connector: `remoteDirectory` may be left out to listen to the connection's `remoteDirectory`. */
export type ConnectorListenOptions = Omit<ListenOptions, "remoteDirectory"> & {
  /** The directory to listen to. @default the connection's `remoteDirectory` (without either, Boomi's "Please provide a value for the Remote Directory field!") */
  remoteDirectory?: string;
};

/** Every operation, bound to one connection config. */
export interface SftpConnector {
  /** Boomi's Test Connection: banner, algorithms, host key, home directory, round trip. */
  testConnection(options?: { signal?: AbortSignal }): Promise<ConnectionReport>;
  /** GET one file (undefined when it does not exist, unless `failIfNotFound`). */
  get(input: GetFileInput, options: GetFileOptions & { as: "buffer"; failIfNotFound: true }): Promise<FileDocument<Buffer>>;
  get(input: GetFileInput, options: GetFileOptions & { as?: "stream"; failIfNotFound: true }): Promise<FileDocument<Readable>>;
  get(input: GetFileInput, options: GetFileOptions & { failIfNotFound: true }): Promise<FileDocument<Readable | Buffer>>;
  get(input: GetFileInput, options: GetFileOptions & { as: "buffer" }): Promise<FileDocument<Buffer> | undefined>;
  get(input: GetFileInput, options?: GetFileOptions & { as?: "stream" }): Promise<FileDocument<Readable> | undefined>;
  get(input: GetFileInput, options?: GetFileOptions): Promise<FileDocument<Readable | Buffer> | undefined>;
  /** CREATE a file (upload to a temporary name, then rename into place). */
  create(input: CreateFileInput, options?: CreateFileOptions): Promise<CreateFileResult>;
  /** UPSERT a file (replace or append). */
  upsert(input: UpsertFileInput, options?: UpsertFileOptions): Promise<UpsertFileResult>;
  /** DELETE files by name; not found is success unless `failIfNotFound`. */
  delete(input: DeleteFilesInput, options?: DeleteFilesOptions): Promise<DeleteResult[]>;
  /** Remove orphaned upload temporary files (`.<name>.<uuid>.sftp-tmp`) older than `olderThan` (required) from `remoteDirectory`, else the connection's. */
  cleanTemporaryFiles(options: CleanTemporaryFilesOptions): Promise<CleanedTemporaryFile[]>;
  /** LIST a directory: an async iterable of entries. `options.signal` cancels it (already aborted: no connection is opened). */
  list(input?: ListInput, options?: ListOptions): AsyncIterable<ListEntry>;
  /** QUERY files with content: an async iterable of documents and error items. `options.signal` cancels it, handed-out contents included (already aborted: no connection is opened). */
  query(input?: QueryInput, options?: QueryOptions): AsyncIterable<QueryItem<Readable | Buffer>>;
  /** LISTEN to a directory until `stop()`: `options.remoteDirectory`, else the connection's `remoteDirectory` (Boomi's only source). */
  listen(options: ConnectorListenOptions, handler: ListenHandler): Promise<Listener>;
  /** Stops listeners this connector started and closes its sessions. */
  close(): Promise<void>;
  /** The validated config (secrets print as `[redacted]`). */
  readonly config: NormalizedConnectionConfig;
  /** The session pool behind every operation (for composing more operations on it). */
  readonly pool: SessionPool;
}

/** The keys of {@link ConnectorOptions}: an unknown one is INVALID_CONFIG naming the closest. */
const CONNECTOR_OPTIONS_SPEC: OptionsSpec = {
  known: Object.keys({ logger: true, socketFactory: true } satisfies Record<keyof ConnectorOptions, true>),
  operation: "createSftpConnector",
  what: "connector option",
  reason: "INVALID_CONFIG",
};

/** The keys of the `{ boomi, options }` form of {@link ConnectorConfig}, and of its `options`. */
const BOOMI_CONFIG_SPEC: OptionsSpec = {
  known: ["boomi", "options"],
  operation: "fromBoomiProperties",
  what: "field",
  field: "config",
  reason: "INVALID_CONFIG",
};
const BOOMI_OPTIONS_SPEC: OptionsSpec = {
  known: Object.keys({ insecureAcceptAnyHostKey: true, algorithms: true } satisfies Record<keyof FromBoomiPropertiesOptions, true>),
  operation: "fromBoomiProperties",
  field: "options",
  reason: "INVALID_CONFIG",
};

/** Validates a {@link ConnectorConfig} into our normalized config; in the `{ boomi, options }` form an unknown key beside them, or in `options`, is INVALID_CONFIG. */
export function toConnectionConfig(config: ConnectorConfig): NormalizedConnectionConfig {
  if (config && typeof config === "object" && "boomi" in config) {
    checkOptions(config, BOOMI_CONFIG_SPEC);
    return fromBoomiProperties(config.boomi, checkOptions(config.options, BOOMI_OPTIONS_SPEC));
  }
  return validateConfig(config);
}

/**
 * Binds every operation to a session pool for `config` (pool size and retries as the config says;
 * Boomi: 10 sessions, one retry). It holds no logic of its own: to use less, import the operation
 * packages and bind them yourself (see {@link defineConnector}).
 *
 * Every method's input and options are checked by its operation: an unknown key is INVALID_INPUT
 * naming the closest known one, and Boomi's operation field ids are accepted where ours differ
 * (`recursiveList`, `pollingInterval`, `createDir`, `includeAll`). An unknown key in `options` is
 * INVALID_CONFIG.
 *
 * @example
 * ```ts
 * const sftp = createSftpConnector({ host, username, auth: { type: "password", password }, hostKey: { fingerprints: [fp] } });
 * await sftp.create({ fileName: "hello.txt", content: "hello" });
 * for await (const entry of sftp.list()) console.log(entry.fileName, entry.fileSize);
 * await sftp.close();
 * ```
 */
export function createSftpConnector(config: ConnectorConfig, givenOptions: ConnectorOptions = {}): SftpConnector {
  const options = checkOptions(givenOptions, CONNECTOR_OPTIONS_SPEC);
  const normalized = toConnectionConfig(config);
  const pool = new SessionPool(normalized, {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
  });
  const retry = normalized.retry;
  const listeners = new Set<Listener>();
  // Options that are not an object go to the operation as they are, for it to refuse by name.
  const withRetry = <T extends object>(opts: T | undefined) =>
    (opts === undefined || (typeof opts === "object" && opts !== null && !Array.isArray(opts))
      ? { retry, ...(options.logger ? { logger: options.logger } : {}), ...opts }
      : opts) as T;
  return {
    config: normalized,
    pool,
    testConnection: (testOptions) => testConnection(normalized, { ...options, ...(testOptions?.signal === undefined ? {} : { signal: testOptions.signal }) }),
    get: ((input: GetFileInput, opts?: GetFileOptions) => getFile(pool, input, withRetry(opts))) as SftpConnector["get"],
    create: (input, opts) => createFile(pool, input, withRetry(opts)),
    upsert: (input, opts) => upsertFile(pool, input, withRetry(opts)),
    delete: (input, opts) => deleteFiles(pool, input, withRetry(opts)),
    cleanTemporaryFiles: (opts) => cleanTemporaryFiles(pool, withRetry(opts)),
    list: (input, opts) => listFiles(pool, input, withRetry(opts)),
    query: (input, opts) => queryFiles(pool, input ?? {}, withRetry(opts)) as AsyncIterable<QueryItem<Readable | Buffer>>,
    async listen(listenOptions, handler) {
      const perCall = listenOptions?.remoteDirectory;
      const remoteDirectory = typeof perCall === "string" && perCall.trim() !== "" ? perCall : (normalized.remoteDirectory ?? perCall);
      const listener = await listen(
        pool,
        { ...(options.logger ? { logger: options.logger } : {}), ...listenOptions, remoteDirectory } as ListenOptions,
        handler,
      );
      listeners.add(listener);
      return {
        directory: listener.directory,
        poller: listener.poller,
        done: listener.done,
        ...(listener.worker ? { worker: listener.worker } : {}),
        stop: async () => {
          listeners.delete(listener);
          await listener.stop();
        },
      };
    },
    async close() {
      await Promise.all([...listeners].map((listener) => listener.stop()));
      listeners.clear();
      await pool.close();
    },
  };
}
