// LISTEN's strict options: unknown keys refused before the server is touched; Boomi's pollingInterval is pollingIntervalMs.
import { describe, expect, it, vi } from "vitest";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import type { SessionProvider, SftpSession } from "@sftp-connector/transport";
import { rejectionOf } from "@sftp-connector/testkit";
import type { DirectoryPollerOptions } from "@sftp-connector/poller";
import { listen, type ListenOptions } from "./listen.js";

/** The options each poller was created with. */
const created = vi.hoisted(() => [] as Array<{ intervalMs?: number }>);
vi.mock("@sftp-connector/poller", async (importOriginal) => {
  const real = await importOriginal<typeof import("@sftp-connector/poller")>();
  return {
    ...real,
    createDirectoryPoller: (options: DirectoryPollerOptions) => {
      created.push(options);
      return real.createDirectoryPoller(options);
    },
  };
});

/** A provider that fails the test if anything asks it for a session. */
const untouchable: SessionProvider = {
  acquire: () => Promise.reject(new Error("the server was touched")),
  release() {},
};

/** A provider of one session holding an empty directory /home/u/in. */
function emptyDirectory(): SessionProvider {
  const session = {
    info: { host: "127.0.0.1", port: 22 },
    resolveDirectory: (dir: string) => `/home/u/${dir}`,
    statIfExists: async () => ({ isDirectory: true }),
    stat: async () => ({ isDirectory: true }),
    realpath: async (path: string) => path,
    readdir: () => (async function* () {})(),
    closed: false,
  } as unknown as SftpSession;
  return { acquire: async () => session, release() {} };
}

const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

describe("listen: strict options and Boomi's names", () => {
  it("refuses an unknown option before the server is touched, naming the closest known one", async () => {
    const error = await failure(listen(untouchable, { remoteDirectory: "in", pollingIntrval: 1000 } as never, () => {}));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.problems).toEqual(['unknown option "pollingIntrval"; did you mean "pollingInterval"?']);
    expect(error.message).toBe('Invalid listen options:\n  - unknown option "pollingIntrval"; did you mean "pollingInterval"?');
    expect((await failure(listen(untouchable, { remoteDirectory: "in", singleton: true } as never, () => {}))).problems).toEqual([
      'unknown option "singleton"; did you mean "isSingleton"?',
    ]);
    expect((await failure(listen(untouchable, null as never, () => {}))).problems).toEqual(["options: expected an object, got null"]);
  });

  it("pollingInterval (Boomi's id) sets the poll interval as pollingIntervalMs does", async () => {
    created.length = 0;
    for (const options of [{ pollingInterval: 1234 }, { pollingIntervalMs: 1234 }, {}]) {
      const listener = await listen(emptyDirectory(), { remoteDirectory: "in", ...options }, () => {});
      await listener.stop();
    }
    expect(created.map((options) => options.intervalMs)).toEqual([1234, 1234, 5000]);
  });

  it("checks a value given as pollingInterval like one given as pollingIntervalMs, and refuses both with different values", async () => {
    expect((await failure(listen(untouchable, { remoteDirectory: "in", pollingInterval: 5 }, () => {}))).problems).toEqual([
      "pollingIntervalMs: expected a number of milliseconds of at least 100, got 5",
    ]);
    expect((await failure(listen(untouchable, { remoteDirectory: "in", pollingInterval: 1000, pollingIntervalMs: 2000 }, () => {}))).problems).toEqual([
      '"pollingInterval" and "pollingIntervalMs" name the same option, "pollingIntervalMs", with different values (1000 and 2000); give one',
    ]);
  });

  it("accepts every documented option, also set to undefined", async () => {
    const options = {
      remoteDirectory: "in",
      pollingIntervalMs: undefined,
      pollingInterval: undefined,
      filter: undefined,
      pattern: undefined,
      recursive: undefined,
      depth: undefined,
      stableAfter: undefined,
      store: undefined,
      stateFile: undefined,
      emitInitial: undefined,
      afterProcessing: undefined,
      createDirectories: undefined,
      concurrency: undefined,
      isSingleton: undefined,
      lock: undefined,
      coordination: undefined,
      mode: undefined,
      visibilityMs: undefined,
      key: undefined,
      ignore: undefined,
      boomiPayloads: undefined,
      retryBackoffMs: undefined,
      allowAbsolutePaths: undefined,
      logger: undefined,
      signal: undefined,
    } satisfies Required<{ [K in keyof ListenOptions]: unknown }>;
    const listener = await listen(emptyDirectory(), options, () => {});
    await listener.stop();
  });
});
