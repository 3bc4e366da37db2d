// A hostile SFTP server on ssh2's Server (not OpenSSH, which can never send a name holding "/" or NUL, nor more bytes than a file holds): crafted listings and reads.
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";
import type { Attributes, Connection, SFTPWrapper } from "ssh2";

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** A file the hostile server serves: the size its STAT reports, and what a READ at an offset returns (null = end of file). */
export interface HostileFile {
  size: number;
  read: (offset: number, length: number) => Buffer | null;
}

/** What the hostile server holds: directories (absolute) with the raw names their listing sends, and files by absolute path. */
export interface HostileContent {
  /** The home directory REALPATH(".") answers. */
  home: string;
  /** Directory → the names READDIR sends (any bytes: "/", "..", NUL, control characters), each listed as a regular file unless it is a key of `directories`. */
  directories: Record<string, string[]>;
  files: Record<string, HostileFile>;
}

/** A running hostile server. */
export interface HostileServer {
  host: string;
  port: number;
  username: string;
  password: string;
  /** The pinned host key fingerprint (SHA256:…). */
  fingerprint: string;
  /** Requests served, for assertions: READ byte counts, paths opened, handles closed. */
  stats: { bytesServed: number; reads: number; opened: string[]; closed: number };
  stop(): Promise<void>;
}

const fileAttrs = (size: number): Attributes => ({ mode: S_IFREG | 0o644, uid: 1000, gid: 1000, size, atime: 1_700_000_000, mtime: 1_700_000_000 });
const dirAttrs = (): Attributes => ({ mode: S_IFDIR | 0o755, uid: 1000, gid: 1000, size: 4096, atime: 1_700_000_000, mtime: 1_700_000_000 });

/** Starts the hostile server on 127.0.0.1 (a free port), with a fresh ECDSA host key and password auth. */
export async function startHostileServer(content: HostileContent): Promise<HostileServer> {
  // ECDSA: ssh2's keygen makes a malformed ed25519 key about 1 time in 256 (mscdex/ssh2#1513).
  const keys = utils.generateKeyPairSync("ecdsa", { bits: 256 });
  const blob = keys.public.trim().split(/\s+/)[1] ?? "";
  const fingerprint = `SHA256:${createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "")}`;
  const username = "hostile";
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const stats = { bytesServed: 0, reads: 0, opened: [] as string[], closed: 0 };
  const clients = new Set<Connection>();

  const server = new Server({ hostKeys: [keys.private] }, (client) => {
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", () => {});
    client.on("authentication", (ctx) => {
      if (ctx.method === "password" && ctx.username === username && ctx.password === password) ctx.accept();
      else ctx.reject(["password"]);
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("sftp", (acceptSftp) => serveSftp(acceptSftp(), content, stats));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: "127.0.0.1",
    port,
    username,
    password,
    fingerprint,
    stats,
    stop: async () => {
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers REALPATH, STAT, LSTAT, FSTAT, OPENDIR, READDIR, OPEN, READ and CLOSE from `content`; anything else is unsupported. */
function serveSftp(sftp: SFTPWrapper, content: HostileContent, stats: HostileServer["stats"]): void {
  const handles = new Map<number, { kind: "dir"; path: string; sent: boolean } | { kind: "file"; path: string }>();
  let nextHandle = 1;
  const newHandle = (value: typeof handles extends Map<number, infer V> ? V : never): Buffer => {
    const id = nextHandle++;
    handles.set(id, value);
    const handle = Buffer.alloc(4);
    handle.writeUInt32BE(id);
    return handle;
  };
  const lookup = (handle: Buffer) => (handle.length === 4 ? handles.get(handle.readUInt32BE(0)) : undefined);
  const normalize = (path: string) => {
    const absolute = path.startsWith("/") ? path : `${content.home}/${path}`;
    const parts: string[] = [];
    for (const part of absolute.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") parts.pop();
      else parts.push(part);
    }
    return `/${parts.join("/")}`;
  };
  const attrsOf = (path: string): Attributes | undefined => {
    if (path in content.directories || path === "/" || Object.keys(content.directories).some((d) => d.startsWith(`${path}/`))) return dirAttrs();
    const file = content.files[path];
    return file ? fileAttrs(file.size) : undefined;
  };
  const onStat = (reqid: number, path: string) => {
    const attrs = attrsOf(normalize(path));
    if (attrs) sftp.attrs(reqid, attrs);
    else sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
  };

  sftp.on("REALPATH", (reqid, path) => sftp.name(reqid, [{ filename: normalize(path), longname: "", attrs: {} as Attributes }]));
  sftp.on("STAT", onStat);
  sftp.on("LSTAT", onStat);
  sftp.on("FSTAT", (reqid, handle) => {
    const open = lookup(handle);
    const attrs = open ? attrsOf(open.path) : undefined;
    if (attrs) sftp.attrs(reqid, attrs);
    else sftp.status(reqid, STATUS_CODE.FAILURE);
  });
  sftp.on("OPENDIR", (reqid, path) => {
    const directory = normalize(path);
    if (!(directory in content.directories)) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
    sftp.handle(reqid, newHandle({ kind: "dir", path: directory, sent: false }));
  });
  sftp.on("READDIR", (reqid, handle) => {
    const open = lookup(handle);
    if (open?.kind !== "dir") return sftp.status(reqid, STATUS_CODE.FAILURE);
    if (open.sent) return sftp.status(reqid, STATUS_CODE.EOF);
    open.sent = true;
    const names = content.directories[open.path] ?? [];
    sftp.name(
      reqid,
      names.map((filename) => {
        const full = `${open.path}/${filename}`;
        const attrs = full in content.directories ? dirAttrs() : fileAttrs(content.files[full]?.size ?? 5);
        return { filename, longname: `-rw-r--r-- 1 u g ${attrs.size} Nov 14 2023 ${filename}`, attrs };
      }),
    );
  });
  sftp.on("OPEN", (reqid, filename) => {
    const path = normalize(filename);
    stats.opened.push(path);
    if (!content.files[path]) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
    sftp.handle(reqid, newHandle({ kind: "file", path }));
  });
  sftp.on("READ", (reqid, handle, offset, length) => {
    const open = lookup(handle);
    const file = open?.kind === "file" ? content.files[open.path] : undefined;
    if (!file) return sftp.status(reqid, STATUS_CODE.FAILURE);
    stats.reads++;
    const data = file.read(offset, length);
    if (data === null || data.length === 0) return sftp.status(reqid, STATUS_CODE.EOF);
    stats.bytesServed += data.length;
    sftp.data(reqid, data);
  });
  sftp.on("CLOSE", (reqid, handle) => {
    const id = handle.length === 4 ? handle.readUInt32BE(0) : -1;
    if (!handles.delete(id)) return sftp.status(reqid, STATUS_CODE.FAILURE);
    stats.closed++;
    sftp.status(reqid, STATUS_CODE.OK);
  });
  for (const unsupported of ["OPEN_DIR_UNUSED", "WRITE", "REMOVE", "RENAME", "MKDIR", "RMDIR", "SETSTAT", "FSETSTAT", "READLINK", "SYMLINK"] as const) {
    (sftp as unknown as { on(event: string, listener: (reqid: number) => void): void }).on(unsupported, (reqid) =>
      sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED),
    );
  }
}

/** A file whose bytes are a pure function of their offset, so any reply can be checked: byte i is `i % 251`. */
export function patternBytes(offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (offset + i) % 251;
  return out;
}
