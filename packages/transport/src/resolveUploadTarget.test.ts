// Where an upload goes: the name resolved inside the remote directory, its directory checked or created, with Boomi's messages.
import { describe, expect, it } from "vitest";
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";
import { rejectionOf } from "@sftp-connector/testkit";
import type { FileStats } from "./SftpSession.js";
import { ensureRemoteDirectory, resolveUploadTarget, type UploadTargetSession } from "./resolveUploadTarget.js";

/** A server holding `directories` and `files`, whose mkdir may fail; it records the mkdirs. */
function server(options: { directories?: string[]; files?: string[]; mkdirFails?: SftpConnectorError } = {}) {
  const directories = new Set(options.directories ?? ["/", "/home", "/home/u"]);
  const files = new Set(options.files ?? []);
  const made: string[] = [];
  const kind = (isDirectory: boolean) => ({ isDirectory, isFile: !isDirectory }) as FileStats;
  const session: UploadTargetSession = {
    resolveDirectory: (perCall?: string) => (perCall === undefined ? "/home/u" : perCall.startsWith("/") ? perCall : `/home/u/${perCall}`),
    statIfExists: async (path: string) => (directories.has(path) ? kind(true) : files.has(path) ? kind(false) : undefined),
    mkdir: async (path: string) => {
      if (options.mkdirFails) throw options.mkdirFails;
      made.push(path);
      directories.add(path);
    },
  };
  return { session, made };
}

const failure = (promise: Promise<unknown>): Promise<SftpConnectorError> => rejectionOf(promise, isSftpConnectorError);

const options = { allowAbsolutePaths: false, createDirectories: false, operation: "create" };

describe("resolveUploadTarget", () => {
  it("resolves the name (with its sub-path) against the per-call directory", async () => {
    const { session } = server({ directories: ["/home/u", "/home/u/in", "/home/u/in/2026"] });
    expect(await resolveUploadTarget(session, " 2026/a.txt ", { ...options, remoteDirectory: "in" })).toEqual({
      path: "/home/u/in/2026/a.txt",
      directory: "/home/u/in/2026",
      name: "a.txt",
    });
  });

  it("refuses an escaping name before touching the server", async () => {
    const { session, made } = server();
    const error = await failure(resolveUploadTarget(session, "../x.txt", options));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toMatch(/^fileName: .*escapes the remote directory/);
    expect(made).toEqual([]);
  });

  it("fails on a missing directory with Boomi's message, or creates it with createDirectories", async () => {
    const missing = await failure(resolveUploadTarget(server().session, "new/a.txt", options));
    expect(missing).toMatchObject({
      reason: "NO_SUCH_FILE",
      message: "Remote directory does not exist: '/home/u/new'",
      path: "/home/u/new",
      operation: "create",
    });
    const { session, made } = server();
    expect((await resolveUploadTarget(session, "new/a.txt", { ...options, createDirectories: true })).path).toBe("/home/u/new/a.txt");
    expect(made).toEqual(["/home/u/new"]);
  });
});

describe("ensureRemoteDirectory", () => {
  it("accepts an existing directory without creating anything", async () => {
    const { session, made } = server();
    await ensureRemoteDirectory(session, "/home/u", { create: true, operation: "upsert" });
    expect(made).toEqual([]);
  });

  it("refuses a file in the way, even with create", async () => {
    const error = await failure(ensureRemoteDirectory(server({ files: ["/home/u/f"] }).session, "/home/u/f", { create: true, operation: "upsert" }));
    expect(error).toMatchObject({ reason: "NO_SUCH_FILE", message: "Remote directory does not exist: '/home/u/f' is not a directory" });
  });

  it("wraps a failed mkdir with Boomi's message, keeping its reason and retryability", async () => {
    const denied = new SftpConnectorError("PERMISSION_DENIED", "Permission denied");
    const error = await failure(ensureRemoteDirectory(server({ mkdirFails: denied }).session, "/home/u/new", { create: true, operation: "upsert" }));
    expect(error).toMatchObject({
      reason: "PERMISSION_DENIED",
      message: "An error occurred while creating the '/home/u/new' directory. Cause: Permission denied",
      path: "/home/u/new",
      retryable: false,
      cause: denied,
    });
  });
});
