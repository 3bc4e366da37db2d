// Remote path rules: the effective remote directory, splitting a name into directory and file, and confinement.
import { posix } from "node:path";
import { SftpConnectorError } from "./SftpConnectorError.js";
import { quotePath } from "./quotePath.js";

/** Where the effective remote directory comes from, in order of precedence (Boomi: the document property wins). */
export interface RemoteDirectorySources {
  /** The per-call value (Boomi's `remoteDirectory` document property). */
  perCall?: string | undefined;
  /** The connection's `remoteDirectory`. */
  connection?: string | undefined;
  /** The user's home directory on the server (absolute), as the server reports it. */
  home: string;
}

/**
 * The effective remote directory: the per-call value if non-blank, else the connection's if
 * non-blank, else the home directory; a relative result is resolved against home. Returned
 * normalized and absolute, without a trailing slash (except `/`).
 */
export function resolveRemoteDirectory(sources: RemoteDirectorySources): string {
  if (!sources.home.startsWith("/")) {
    throw new SftpConnectorError("INVALID_INPUT", `home: expected an absolute path, got ${quotePath(sources.home)}`, {
      operation: "resolveRemoteDirectory",
    });
  }
  const chosen = [sources.perCall, sources.connection].map((d) => d?.trim() ?? "").find((d) => d !== "") ?? "";
  assertNoNul(chosen, "remoteDirectory");
  return posix.resolve(sources.home, chosen);
}

/** A path split at its last `/` (trailing slashes ignored): `/a/b.txt` → `{ directory: "/a", name: "b.txt" }`; `b.txt` → `{ directory: "", name: "b.txt" }`. */
export function splitRemotePath(path: string): { directory: string; name: string } {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") || "/" : path;
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return { directory: "", name: trimmed };
  return { directory: slash === 0 ? "/" : trimmed.slice(0, slash), name: trimmed.slice(slash + 1) };
}

/** Options of {@link resolveRemoteFile}. */
export interface ResolveRemoteFileOptions {
  /** Let a file name be absolute or climb out of the remote directory with `..`. @default false */
  allowAbsolutePaths?: boolean;
  /** The operation, for the error. */
  operation?: string;
  /** The input field the name came from, for the error. @default "fileName" */
  field?: string;
}

/** A file name resolved inside a remote directory. */
export interface ResolvedRemoteFile {
  /** The full, normalized path. */
  path: string;
  /** Its directory (the remote directory, or a sub-directory of it). */
  directory: string;
  /** Its base name. */
  name: string;
}

function assertNoNul(value: string, field: string, operation?: string): void {
  if (value.includes("\0")) {
    throw new SftpConnectorError("INVALID_INPUT", `${field}: must not contain a NUL character`, { operation });
  }
}

/**
 * Resolves a file name (which may hold a sub-path, e.g. `in/a.txt`) inside `directory` (absolute).
 * A blank name, a name that resolves to the directory itself, and, unless `allowAbsolutePaths`,
 * a name that is absolute or escapes the directory through `..`, are `INVALID_INPUT` naming the field
 * (and, for the last two, the option that allows them: "set allowAbsolutePaths: true to allow it").
 */
export function resolveRemoteFile(directory: string, fileName: string, options: ResolveRemoteFileOptions = {}): ResolvedRemoteFile {
  const field = options.field ?? "fileName";
  const operation = options.operation;
  const fail = (what: string) => new SftpConnectorError("INVALID_INPUT", `${field}: ${what}`, { operation, path: `${directory}/${fileName}` });
  if (typeof fileName !== "string" || fileName.trim() === "") throw fail("must be a non-blank file name");
  assertNoNul(fileName, field, operation);
  if (!directory.startsWith("/")) throw fail(`the remote directory must be absolute, got ${quotePath(directory)}`);
  const name = fileName.trim();
  const base = posix.resolve(directory);
  const path = posix.resolve(base, name);
  if (path === base || path === "/") throw fail(`${quotePath(name)} names a directory, not a file`);
  const inside = path.startsWith(base === "/" ? "/" : `${base}/`);
  if (!options.allowAbsolutePaths) {
    if (name.startsWith("/"))
      throw fail(`${quotePath(name)} is absolute; set allowAbsolutePaths: true to allow it, or give a name relative to ${quotePath(base)}`);
    if (!inside) throw fail(`${quotePath(name)} escapes the remote directory ${quotePath(base)}; set allowAbsolutePaths: true to allow it`);
  }
  const split = splitRemotePath(path);
  return { path, directory: split.directory, name: split.name };
}

/**
 * True when `path` lies inside `directory` at any depth (both absolute and normalized); false for
 * the directory itself and for anything outside it.
 */
export function isInsideDirectory(directory: string, path: string): boolean {
  const relative = posix.relative(directory, path);
  return relative !== "" && relative !== ".." && !relative.startsWith("../") && !relative.startsWith("/");
}

/**
 * True when a name from a server's directory listing is a plain entry name: not empty, not `.` or
 * `..`, and free of `/`, NUL and other control characters (C0, DEL and C1: U+0080–U+009F holds
 * U+009B, a one-character escape sequence introducer for some terminals). Hostile or broken servers may send others.
 */
export function isSafeRemoteName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[/\u0000-\u001f\u007f-\u009f]/.test(name);
}
