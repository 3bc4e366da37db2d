import { describe, expect, it } from "vitest";
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";
import type { SftpSession } from "@sftp-connector/transport";
import { cleanTemporaryFiles, parseOlderThan, type CleanTemporaryFilesOptions } from "./index.js";

/** A session that fails the test if any request reaches it. */
const untouchable = new Proxy({} as SftpSession, {
  get(_target, property) {
    if (property === "then") return undefined;
    throw new Error(`unexpected request: ${String(property)}`);
  },
});

async function refusal(options: unknown): Promise<SftpConnectorError> {
  const error = await cleanTemporaryFiles(untouchable, options as CleanTemporaryFilesOptions).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSftpConnectorError(error)) throw new Error(`expected an SftpConnectorError, got ${String(error)}`);
  return error;
}

describe("parseOlderThan", () => {
  it.each([
    [1, 1],
    [3_600_000, 3_600_000],
    ["250ms", 250],
    ["90s", 90_000],
    ["1.5m", 90_000],
    ["1h", 3_600_000],
    [" 2d ", 172_800_000],
  ])("%j is %d ms", (value, ms) => {
    expect(parseOlderThan(value)).toBe(ms);
  });

  it.each([undefined, 0, -5, Number.NaN, Number.POSITIVE_INFINITY, "", "1", "0h", "1w", "1 hour", "h", true, {}])("refuses %j naming olderThan", (value) => {
    expect(() => parseOlderThan(value)).toThrow(/^olderThan: expected a number of ms or a duration/u);
  });

  it("says a missing olderThan is required, and suggests a unit for a bare number", () => {
    expect(() => parseOlderThan(undefined)).toThrow("it is required, so that uploads in progress are never removed");
    expect(() => parseOlderThan("60")).toThrow('got "60": give the unit ("60s"? "60m"?)');
  });
});

describe("cleanTemporaryFiles: options are checked before any request", () => {
  it("refuses a missing olderThan (there is no default that could remove an upload in progress)", async () => {
    const error = await refusal({});
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.problems[0]).toMatch(/^olderThan: .*it is required/u);
    expect((await refusal(undefined)).reason).toBe("INVALID_INPUT");
  });

  it("names every problem at once, and the closest known option", async () => {
    const error = await refusal({ olderThan: "soon", dryrun: true, recursive: "yes", remoteDirectory: 3, retry: { attempts: -1 }, logger: 5 });
    expect(error.problems).toEqual([
      'unknown option "dryrun"; did you mean "dryRun"?',
      'olderThan: expected a number of ms or a duration such as "30m", "1h" or "2d" (more than 0), got "soon"',
      "remoteDirectory: expected a path without NUL characters, got 3",
      'recursive: expected true or false, got "yes"',
      expect.stringMatching(/^retry\.attempts: /u),
      "logger: expected an object with debug, info, warn and error methods",
    ]);
  });

  it("refuses a bad signal, and does nothing at all with an aborted one", async () => {
    expect((await refusal({ olderThan: "1h", signal: "stop" })).message).toMatch(/signal: expected an AbortSignal/u);
    const error = await refusal({ olderThan: "1h", signal: AbortSignal.abort() });
    expect(error.reason).toBe("ABORTED");
  });
});

describe("cleanTemporaryFiles: a lost connection", () => {
  const OLD = new Date(Date.now() - 86_400_000);
  const names = [".a.csv.0b9f6c1e-6a8f-4c57-9d36-2f5b0c3f8a11.sftp-tmp", ".b.csv.1b9f6c1e-6a8f-4c57-9d36-2f5b0c3f8a11.sftp-tmp"];
  const stats = (isDirectory: boolean) => ({
    size: 3,
    modifiedAt: OLD,
    accessedAt: OLD,
    mode: 0,
    permissions: 0o644,
    uid: 1,
    gid: 1,
    isFile: !isDirectory,
    isDirectory,
    isSymbolicLink: false,
  });
  const lost = () => new SftpConnectorError("CONNECTION_LOST", "connection lost", { retryable: true });

  /** A session over one shared set of files in /home/u/in; `dropOnUnlink` loses the connection on its first unlink, after (or before) removing the file. */
  function fakeSession(files: Set<string>, dropOnUnlink?: "after" | "before"): SftpSession {
    const session = {
      closed: false,
      resolveDirectory: () => "/home/u/in",
      stat: async () => stats(true),
      realpath: async (path: string) => path,
      lstat: async (path: string) => {
        if (!files.has(path.slice("/home/u/in/".length))) throw new SftpConnectorError("NO_SUCH_FILE", "no such file", { path });
        return stats(false);
      },
      readdir: () =>
        (async function* () {
          for (const name of [...files]) yield { name, longname: name, stats: stats(false) };
        })(),
      unlink: async (path: string) => {
        const name = path.slice("/home/u/in/".length);
        if (dropOnUnlink === "before") throw lost();
        files.delete(name);
        if (dropOnUnlink === "after") throw lost();
      },
    };
    return session as unknown as SftpSession;
  }

  const provider = (sessions: SftpSession[]) => ({
    acquire: async () => sessions.shift()!,
    release: () => undefined,
  });

  it.each(["after", "before"] as const)("goes on with a fresh session; a removal cut %s it happened is reported once, as it turned out", async (when) => {
    const files = new Set(names);
    const cleaned = await cleanTemporaryFiles(provider([fakeSession(files, when), fakeSession(files)]), {
      olderThan: "1h",
      retry: { attempts: 1, backoffMs: 0 },
    });
    expect(cleaned.map((f) => [f.path, f.removed])).toEqual(names.map((name) => [`/home/u/in/${name}`, true]));
    expect(files.size).toBe(0);
  });

  it("with one session, the lost connection is the error", async () => {
    const files = new Set(names);
    await expect(cleanTemporaryFiles(fakeSession(files, "before"), { olderThan: "1h" })).rejects.toMatchObject({ reason: "CONNECTION_LOST" });
  });
});
