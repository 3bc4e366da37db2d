// A checkpoint store in one JSON file, written atomically (temp file, fsync, rename); a corrupt file is refused, never taken as empty.
import { SftpConnectorError, quotePath } from "@sftp-connector/core";
import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type { Snapshot, SnapshotEntry, SnapshotStore } from "./SnapshotStore.js";

/** The `format` field of a snapshot file. */
export const SNAPSHOT_FILE_FORMAT = "@sftp-connector/poller snapshot";

/** The version of the snapshot file format this package writes (and the newest it reads). */
export const SNAPSHOT_FILE_VERSION = 1;

/** A {@link SnapshotStore} in a file. */
export interface FileStore extends SnapshotStore {
  /** The snapshot file. */
  readonly path: string;
}

/** An entry on disk: `[name, size, mtime (epoch ms), isDirectory (0 or 1)]`. */
type EncodedEntry = [string, number, number, 0 | 1];

interface EncodedSnapshot {
  savedAt?: number;
  entries: EncodedEntry[];
}

interface SnapshotDocument {
  format: typeof SNAPSHOT_FILE_FORMAT;
  version: number;
  snapshots: Record<string, EncodedSnapshot>;
}

interface CachedDocument {
  document: SnapshotDocument;
  /** Identifies the file version it was read from or written as: every write is a rename, so a new inode. */
  stamp: string;
}

/**
 * Creates a {@link SnapshotStore} that keeps snapshots in the JSON file `path` (one file can hold the
 * snapshots of several keys). Every save writes a temp file beside it, fsyncs it and renames it over the
 * old file, so a crash leaves either the old or the new snapshot, never a torn one.
 *
 * The format is versioned (`{ "format": "@sftp-connector/poller snapshot", "version": 1, "snapshots":
 * { key: { savedAt, entries: [[name, size, mtimeMs, isDirectory 0|1], …] } } }`). A missing file is a first
 * run. A file that cannot be read, is not valid JSON, or is not in this format is an error, at `load`
 * (so the poller refuses to start) and at `save` (it is never overwritten): treating it as empty would
 * deliver every file again.
 *
 * Saves from one store object are serialized. Processes that share a file should each use their own
 * key; a poller with a `lock` only saves while it holds the lock.
 *
 * @example
 * ```ts
 * const poller = createDirectoryPoller({ list, store: createFileStore("/var/lib/etl/inbox.snapshot.json") });
 * ```
 */
export function createFileStore(path: string): FileStore {
  if (typeof path !== "string" || path.length === 0) {
    throw new SftpConnectorError("INVALID_CONFIG", `path: expected the snapshot file's path, got ${typeof path === "string" ? '""' : typeof path}`, {
      problems: ["path: expected a non-empty string"],
      operation: "createFileStore",
    });
  }
  let cache: CachedDocument | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  /** The document on disk, or undefined when there is no file; reuses the cache while the file is the one it came from. */
  async function readDocument(operation: string): Promise<CachedDocument | undefined> {
    let stamp: string;
    try {
      stamp = stampOf(await stat(path));
    } catch (error) {
      if (codeOf(error) === "ENOENT") return undefined;
      throw ioError(error, operation, "read");
    }
    if (cache !== undefined && cache.stamp === stamp) return cache;
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if (codeOf(error) === "ENOENT") return undefined;
      throw ioError(error, operation, "read");
    }
    const document = parseDocument(text, path, operation);
    cache = { document, stamp };
    return cache;
  }

  async function writeDocument(document: SnapshotDocument): Promise<void> {
    const text = JSON.stringify(document);
    const temp = `${path}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(temp, "wx");
      try {
        await handle.writeFile(text, "utf8");
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw ioError(error, "save", "write");
    }
    await syncDirectory(dirname(path));
    try {
      cache = { document, stamp: stampOf(await stat(path)) };
    } catch {
      cache = undefined;
    }
  }

  function ioError(error: unknown, operation: string, verb: "read" | "write"): SftpConnectorError {
    const code = codeOf(error);
    const reason = code === "EACCES" || code === "EPERM" ? "PERMISSION_DENIED" : "FAILURE";
    const what = code === "EISDIR" ? "it is a directory" : code === undefined ? String((error as Error)?.message ?? error) : code;
    return new SftpConnectorError(reason, `Cannot ${verb} the snapshot file ${quotePath(path)} (${what})`, {
      operation: `store.${operation}`,
      path,
      cause: error,
      retryable: verb === "write",
    });
  }

  return {
    path,
    async load(key) {
      const found = await readDocument("load");
      const snapshots = found?.document.snapshots;
      return snapshots !== undefined && Object.hasOwn(snapshots, key) ? decodeSnapshot(snapshots[key]!) : undefined;
    },
    save(key, snapshot) {
      const run = queue.then(async () => {
        const found = await readDocument("save");
        const snapshots = { ...found?.document.snapshots, [key]: encodeSnapshot(snapshot) };
        await writeDocument({ format: SNAPSHOT_FILE_FORMAT, version: SNAPSHOT_FILE_VERSION, snapshots });
      });
      queue = run.catch(() => {});
      return run;
    },
  };
}

function encodeSnapshot(snapshot: Snapshot): EncodedSnapshot {
  const entries: EncodedEntry[] = new Array(snapshot.entries.length);
  let i = 0;
  for (const entry of snapshot.entries) entries[i++] = [entry.name, entry.size, entry.mtime, entry.isDirectory ? 1 : 0];
  return { savedAt: snapshot.savedAt ?? Date.now(), entries };
}

function decodeSnapshot(encoded: EncodedSnapshot): Snapshot {
  const entries: SnapshotEntry[] = encoded.entries.map(([name, size, mtime, isDirectory]) => ({ name, size, mtime, isDirectory: isDirectory === 1 }));
  return encoded.savedAt === undefined ? { entries } : { entries, savedAt: encoded.savedAt };
}

/** Parses and checks a whole snapshot file; anything unexpected is a corrupt file. */
function parseDocument(text: string, path: string, operation: string): SnapshotDocument {
  const corrupt = (detail: string, cause?: unknown): SftpConnectorError =>
    new SftpConnectorError(
      "INVALID_CONFIG",
      `The snapshot file ${quotePath(path)} is corrupt (${detail}). It is not read as empty, since that would deliver every file again: ` +
        "restore it, or delete it to start over with a new baseline.",
      { operation: `store.${operation}`, path, cause, problems: [`${quotePath(path)}: ${detail}`] },
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(text.trim() === "" ? "the file is empty" : `not valid JSON: ${(error as Error).message}`, error);
  }
  if (!isRecord(value) || value["format"] !== SNAPSHOT_FILE_FORMAT) {
    throw corrupt(`expected an object with "format": "${SNAPSHOT_FILE_FORMAT}"`);
  }
  const version = value["version"];
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1)
    throw corrupt(`"version" must be a whole number, got ${JSON.stringify(version)}`);
  if (version > SNAPSHOT_FILE_VERSION) {
    throw new SftpConnectorError(
      "INVALID_CONFIG",
      `The snapshot file ${quotePath(path)} was written by a newer version of @sftp-connector/poller (format version ${version}; this one reads up to ${SNAPSHOT_FILE_VERSION}). Upgrade the package.`,
      { operation: `store.${operation}`, path },
    );
  }
  const snapshots = value["snapshots"];
  if (!isRecord(snapshots)) throw corrupt(`"snapshots" must be an object`);
  for (const [key, snapshot] of Object.entries(snapshots)) {
    if (!isRecord(snapshot) || !Array.isArray(snapshot["entries"])) throw corrupt(`snapshots[${JSON.stringify(key)}] must be an object with "entries"`);
    const savedAt = snapshot["savedAt"];
    if (savedAt !== undefined && (typeof savedAt !== "number" || !Number.isFinite(savedAt)))
      throw corrupt(`snapshots[${JSON.stringify(key)}].savedAt must be a number`);
    const entries = snapshot["entries"] as unknown[];
    for (let i = 0; i < entries.length; i++) {
      if (!isEncodedEntry(entries[i])) {
        throw corrupt(`snapshots[${JSON.stringify(key)}].entries[${i}] must be [name, size, mtimeMs, 0|1], got ${JSON.stringify(entries[i])?.slice(0, 80)}`);
      }
    }
  }
  return value as unknown as SnapshotDocument;
}

function isEncodedEntry(value: unknown): value is EncodedEntry {
  if (!Array.isArray(value) || value.length !== 4) return false;
  const [name, size, mtime, isDirectory] = value as unknown[];
  return (
    typeof name === "string" &&
    name.length > 0 &&
    typeof size === "number" &&
    Number.isFinite(size) &&
    size >= 0 &&
    typeof mtime === "number" &&
    Number.isFinite(mtime) &&
    (isDirectory === 0 || isDirectory === 1)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stampOf(stats: { ino: number; size: number; mtimeMs: number }): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Makes the rename durable (best effort: not every platform can fsync a directory). */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some file systems refuse; the rename itself is still atomic.
  }
}
