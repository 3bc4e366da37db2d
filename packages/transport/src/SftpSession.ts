// An open SSH+SFTP session: the SFTP calls operations need, as promises with a read timeout, plus pipelined streams.
import { EventEmitter } from "node:events";
import type { Client, SFTPWrapper, Stats, FileEntryWithStats, OpenMode } from "ssh2";
import { SftpConnectorError, quotePath, resolveRemoteDirectory } from "@sftp-connector/core";
import { classifyError } from "./classifyError.js";
import { canReadIntoPacket, readIntoPacket } from "./readIntoPacket.js";
import type { Logger } from "./Logger.js";
import { SftpReadStream, type ReadStreamOptions } from "./SftpReadStream.js";
import { SftpWriteStream, type WriteStreamOptions } from "./SftpWriteStream.js";

/** SFTP status code for end of file. */
const STATUS_EOF = 1;

/** What the server and the handshake told us about a session. */
export interface SessionInfo {
  /** Host and port of the SSH server (the last hop). */
  host: string;
  port: number;
  /** The server's identification string, e.g. `SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3`. */
  banner: string;
  /** Negotiated algorithms. */
  algorithms: { kex: string; serverHostKey: string; cipher: string; mac: string; compress: string };
  /** The host key the server presented. */
  hostKey: { type: string; fingerprint: string };
  /** The user's home directory (`realpath(".")`). */
  homeDirectory: string;
  /** The connection's `remoteDirectory` as configured (relative paths resolve against home), if any. */
  remoteDirectory?: string;
  /** SFTP extensions the server announced, e.g. `posix-rename@openssh.com`. */
  extensions: string[];
  /** Largest read and write request sizes (from `limits@openssh.com` when the server offers it). */
  limits: { maxReadLength: number; maxWriteLength: number };
}

/** File metadata, from stat/lstat/readdir. */
export interface FileStats {
  /** Size in bytes. */
  size: number;
  /** Modification time, at the server's resolution (SFTP v3: seconds). */
  modifiedAt: Date;
  /** Access time. */
  accessedAt: Date;
  /** The full mode (type bits included). */
  mode: number;
  /** Permission bits (`mode & 0o7777`). */
  permissions: number;
  uid: number;
  gid: number;
  isFile: boolean;
  isDirectory: boolean;
  isSymbolicLink: boolean;
}

/** One directory entry: its name (never `.` or `..`) and stats. */
export interface DirectoryEntry {
  name: string;
  /** The server's `ls -l`-style line. */
  longname: string;
  stats: FileStats;
}

/** Turns ssh2 attributes into {@link FileStats}. */
export function toFileStats(attrs: Stats): FileStats {
  const mode = attrs.mode ?? 0;
  const type = mode & 0o170000;
  return {
    size: attrs.size ?? 0,
    modifiedAt: new Date((attrs.mtime ?? 0) * 1000),
    accessedAt: new Date((attrs.atime ?? 0) * 1000),
    mode,
    permissions: mode & 0o7777,
    uid: attrs.uid ?? 0,
    gid: attrs.gid ?? 0,
    isFile: type === 0o100000,
    isDirectory: type === 0o040000,
    isSymbolicLink: type === 0o120000,
  };
}

/** Internals the session is built from; made by `openSession`. */
export interface SessionParts {
  client: Client;
  sftp: SFTPWrapper;
  /** Jump-host clients under this session, closed with it. */
  hops: Client[];
  info: Omit<SessionInfo, "homeDirectory" | "remoteDirectory" | "extensions" | "limits">;
  readMs: number;
  logger: Logger;
}

// biome-ignore lint/suspicious/noExplicitAny: ssh2's callbacks give results of every shape; each call site names the ones it reads.
type Callback = (error: Error | null | undefined, ...results: any[]) => void;

/**
 * An open session. Every call rejects with `SftpConnectorError`; a call that gets no answer
 * within `timeouts.readMs` rejects with `TIMEOUT` and ends the session (its connection can no
 * longer be trusted). Emits `close` once, with the error that ended it if any.
 */
export class SftpSession extends EventEmitter {
  /** What the server told us. Set by `openSession` before the session is handed out. */
  info!: SessionInfo;
  private readonly parts: SessionParts;
  private ended: SftpConnectorError | null | undefined = undefined;
  private readonly label: string;
  /** Whether `readChunk` hands over ssh2's packet (decided on first use). */
  private zeroCopy: boolean | undefined;

  constructor(parts: SessionParts) {
    super();
    this.parts = parts;
    this.label = `${parts.info.host}:${parts.info.port}`;
    const onGone = (error?: Error) => this.markClosed(error);
    parts.client.once("close", () => onGone());
    parts.client.on("error", (error) => onGone(error));
    parts.sftp.once("close", () => onGone());
  }

  /** The raw ssh2 objects, for what this class does not wrap. Calls made on them get no timeout. */
  get raw(): { client: Client; sftp: SFTPWrapper } {
    return { client: this.parts.client, sftp: this.parts.sftp };
  }

  /** True once the session has ended (closed by us, by the server, or by a failure). */
  get closed(): boolean {
    return this.ended !== undefined;
  }

  /** The largest read and write request sizes. */
  get limits(): SessionInfo["limits"] {
    const sftp = this.parts.sftp as unknown as { _maxReadLen?: number; _maxWriteLen?: number };
    return { maxReadLength: sftp._maxReadLen ?? 32_768, maxWriteLength: sftp._maxWriteLen ?? 32_768 };
  }

  /** SFTP extensions the server announced. */
  get extensions(): string[] {
    return Object.keys((this.parts.sftp as unknown as { _extensions?: Record<string, string> })._extensions ?? {});
  }

  private markClosed(error?: Error): void {
    if (this.ended !== undefined) return;
    this.ended = error === undefined ? null : classifyError(error, { operation: "session", host: this.parts.info.host, port: this.parts.info.port });
    for (const hop of this.parts.hops) hop.end();
    this.emit("close", this.ended ?? undefined);
  }

  private lost(operation: string, path?: string): SftpConnectorError {
    return new SftpConnectorError("CONNECTION_LOST", `cannot ${operation}${path ? ` ${quotePath(path)}` : ""}: the session to ${this.label} has ended`, {
      operation,
      path,
      cause: this.ended ?? undefined,
    });
  }

  /**
   * Runs one SFTP request with the read timeout. `invoke` gets the ssh2 callback. Used by the
   * streams and by callers that need a request this class does not wrap.
   */
  request<T>(operation: string, path: string | undefined, invoke: (callback: Callback) => void): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      if (this.ended !== undefined) return reject(this.lost(operation, path));
      let timer: NodeJS.Timeout | undefined;
      if (this.parts.readMs > 0) {
        timer = setTimeout(() => {
          const error = new SftpConnectorError(
            "TIMEOUT",
            `no answer from ${this.label} within ${this.parts.readMs} ms (timeouts.readMs) to ${operation}${path ? ` ${quotePath(path)}` : ""}`,
            { operation, path },
          );
          reject(error);
          this.destroy(error);
        }, this.parts.readMs);
      }
      try {
        invoke((error, ...results) => {
          if (timer) clearTimeout(timer);
          if (error) reject(classifyError(error, { operation, path, host: this.parts.info.host, port: this.parts.info.port }));
          else resolve(results as T[]);
        });
      } catch (error) {
        if (timer) clearTimeout(timer);
        reject(classifyError(error, { operation, path, host: this.parts.info.host, port: this.parts.info.port }));
      }
    });
  }

  /**
   * The effective remote directory of an operation (Boomi's rule): the per-call value if
   * non-blank, else the connection's `remoteDirectory`, else home; relative paths resolve against home.
   */
  resolveDirectory(perCall?: string): string {
    return resolveRemoteDirectory({ perCall, connection: this.info.remoteDirectory, home: this.info.homeDirectory });
  }

  /** Metadata of a path, following symlinks. */
  async stat(path: string): Promise<FileStats> {
    const [attrs] = await this.request<Stats>("stat", path, (cb) => this.parts.sftp.stat(path, cb));
    return toFileStats(attrs!);
  }

  /** Metadata of a path itself (a symlink is not followed). */
  async lstat(path: string): Promise<FileStats> {
    const [attrs] = await this.request<Stats>("lstat", path, (cb) => this.parts.sftp.lstat(path, cb));
    return toFileStats(attrs!);
  }

  /** Stats of `path`, or `undefined` when it does not exist. */
  async statIfExists(path: string): Promise<FileStats | undefined> {
    try {
      return await this.stat(path);
    } catch (error) {
      if (error instanceof SftpConnectorError && error.reason === "NO_SUCH_FILE") return undefined;
      throw error;
    }
  }

  /** The canonical absolute form of a path. */
  async realpath(path: string): Promise<string> {
    const [resolved] = await this.request<string>("realpath", path, (cb) => this.parts.sftp.realpath(path, cb));
    return resolved!;
  }

  /**
   * The entries of a directory, streamed batch by batch as the server sends them (memory does not
   * grow with the directory's size). `.` and `..` are never yielded. Breaking out of the loop closes the handle.
   */
  async *readdir(path: string): AsyncIterableIterator<DirectoryEntry> {
    const [handle] = await this.request<Buffer>("opendir", path, (cb) => this.parts.sftp.opendir(path, cb));
    try {
      for (;;) {
        const [list] = await this.request<FileEntryWithStats[] | false>("readdir", path, (cb) =>
          this.parts.sftp.readdir(handle!, (error, entries) =>
            (error as { code?: number } | undefined)?.code === STATUS_EOF ? cb(undefined, false) : cb(error, entries),
          ),
        );
        if (!list) return;
        for (const entry of list) {
          if (entry.filename === "." || entry.filename === "..") continue;
          yield { name: entry.filename, longname: entry.longname, stats: toFileStats(entry.attrs) };
        }
      }
    } finally {
      if (!this.closed) await this.request("close", path, (cb) => this.parts.sftp.close(handle!, cb)).catch(() => {});
    }
  }

  /** Opens a file; `flags` as Node's fs (`r`, `w`, `wx`, `a`, `r+`, …). Returns the SFTP handle. */
  async open(path: string, flags: string, mode?: number): Promise<Buffer> {
    const [handle] = await this.request<Buffer>("open", path, (cb) =>
      mode === undefined ? this.parts.sftp.open(path, flags as OpenMode, cb) : this.parts.sftp.open(path, flags as OpenMode, { mode }, cb),
    );
    return handle!;
  }

  /** Closes an SFTP handle. */
  async close(handle: Buffer, path?: string): Promise<void>;
  /** Ends the session (and its jump hosts). Safe to call twice. */
  async close(): Promise<void>;
  async close(handle?: Buffer, path?: string): Promise<void> {
    if (handle) {
      await this.request("close", path, (cb) => this.parts.sftp.close(handle, cb));
      return;
    }
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.parts.client.once("close", () => resolve());
      this.parts.client.end();
      setTimeout(resolve, 2_000).unref();
    });
    this.markClosed();
  }

  /** Ends the session at once, failing calls in flight with `error` (CONNECTION_LOST when none is given). */
  destroy(error?: Error): void {
    if (this.closed) return;
    this.markClosed(error ?? new SftpConnectorError("CONNECTION_LOST", `session to ${this.label} destroyed`));
    this.parts.client.destroy();
  }

  /** Reads up to `length` bytes at `position`; resolves with the count read (0 at end of file). */
  async read(handle: Buffer, buffer: Buffer, offset: number, length: number, position: number, path?: string): Promise<number> {
    const [bytesRead] = await this.request<number>("read", path, (cb) => this.parts.sftp.read(handle, buffer, offset, length, position, cb));
    return bytesRead ?? 0;
  }

  /**
   * Reads up to `length` bytes at `position` (at most `limits.maxReadLength`) without copying:
   * resolves with a view of the received packet (never more than `length` bytes: a server answering
   * more is refused), or `null` at end of file. The read streams use it.
   */
  async readChunk(handle: Buffer, length: number, position: number, path?: string): Promise<Buffer | null> {
    if (this.zeroCopy === undefined) this.zeroCopy = canReadIntoPacket(this.parts.sftp) && process.env.SFTP_CONNECTOR_COPY_READS !== "1";
    if (!this.zeroCopy || length > this.limits.maxReadLength) {
      const buffer = Buffer.allocUnsafe(length);
      const bytesRead = await this.read(handle, buffer, 0, length, position, path);
      return bytesRead === 0 ? null : bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    }
    const [data] = await this.request<Buffer | null>("read", path, (cb) =>
      readIntoPacket(this.parts.sftp, handle, length, position, (error, chunk) => (error ? cb(error) : cb(undefined, chunk))),
    );
    return data && data.length > 0 ? data : null;
  }

  /**
   * Writes `length` bytes at `position`. A write of at most `limits.maxWriteLength` bytes has
   * copied them before it returns (the write streams reuse their buffer).
   */
  async write(handle: Buffer, buffer: Buffer, offset: number, length: number, position: number, path?: string): Promise<void> {
    await this.request("write", path, (cb) => this.parts.sftp.write(handle, buffer, offset, length, position, cb));
  }

  /** Stats of an open handle. */
  async fstat(handle: Buffer, path?: string): Promise<FileStats> {
    const [attrs] = await this.request<Stats>("fstat", path, (cb) => this.parts.sftp.fstat(handle, cb));
    return toFileStats(attrs!);
  }

  /** Creates a directory; with `recursive`, also its missing parents (an existing directory is fine). */
  async mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    const attrs = options.mode === undefined ? {} : { mode: options.mode };
    if (!options.recursive) {
      await this.request("mkdir", path, (cb) => this.parts.sftp.mkdir(path, attrs, cb));
      return;
    }
    const existing = await this.statIfExists(path);
    if (existing?.isDirectory) return;
    if (existing)
      throw new SftpConnectorError("ALREADY_EXISTS", `cannot create directory ${quotePath(path)}: a file is in the way`, { operation: "mkdir", path });
    const parent = path.replace(/\/+[^/]*\/*$/, "") || "/";
    if (parent !== path) await this.mkdir(parent, options);
    try {
      await this.request("mkdir", path, (cb) => this.parts.sftp.mkdir(path, attrs, cb));
    } catch (error) {
      // Another client may have made it meanwhile.
      if (!(await this.statIfExists(path))?.isDirectory) throw error;
    }
  }

  /** Removes an empty directory. */
  async rmdir(path: string): Promise<void> {
    await this.request("rmdir", path, (cb) => this.parts.sftp.rmdir(path, cb));
  }

  /** Removes a file. */
  async unlink(path: string): Promise<void> {
    await this.request("unlink", path, (cb) => this.parts.sftp.unlink(path, cb));
  }

  /** Whether the server offers `posix-rename@openssh.com` (an atomic rename that replaces the target). */
  get hasPosixRename(): boolean {
    return this.extensions.includes("posix-rename@openssh.com");
  }

  /**
   * Renames `from` to `to`. With `overwrite`, an existing `to` is replaced atomically through
   * `posix-rename@openssh.com` when the server offers it; otherwise plain SFTP rename, which fails if `to` exists.
   */
  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    if (options.overwrite && this.hasPosixRename) {
      await this.request("rename", from, (cb) => this.parts.sftp.ext_openssh_rename(from, to, cb));
      return;
    }
    await this.request("rename", from, (cb) => this.parts.sftp.rename(from, to, cb));
  }

  /**
   * A pipelined read stream: many requests of the server's largest read size in flight, bytes
   * delivered in order, reading to end of file whatever `stat` said the size was.
   */
  createReadStream(path: string, options: ReadStreamOptions = {}): SftpReadStream {
    return new SftpReadStream(this, path, options);
  }

  /** A pipelined write stream: many write requests of the server's largest write size in flight. */
  createWriteStream(path: string, options: WriteStreamOptions = {}): SftpWriteStream {
    return new SftpWriteStream(this, path, options);
  }
}
