// Maps a server-provided file name to a local path inside a chosen directory, refusing any name that would land outside it.
import { posix, win32 } from "node:path";
import { SftpConnectorError, quotePath } from "@sftp-connector/core";

/** Options of {@link resolveLocalTarget}. */
export interface ResolveLocalTargetOptions {
  /** Path rules of the local machine. @default the running platform's */
  platform?: "posix" | "win32";
}

/** Characters Windows does not allow in a file name (besides `/` and `\`, handled as separators). */
const WIN32_FORBIDDEN = /[<>:"|?*\u0000-\u001f]/;

/**
 * The local path for `name` (a remote file name, possibly with a sub-path such as `sub/a.txt`,
 * always `/`-separated) inside the local directory `dir`: `dir/sub/a.txt`, resolved to an absolute path.
 *
 * Refused, with an error naming the file: an empty name, a NUL character, an absolute name
 * (`/etc/passwd`), and any `..` component (`../x`, `a/../../x`, even `a/../b`), so a name the
 * server chose can never write outside `dir`. Empty and `.` components are dropped
 * (`a//./b` → `a/b`); a name that is nothing else (`.`, `./`) is refused. On Windows, `\`,
 * drive letters and the characters Windows forbids are refused too.
 *
 * A pure function: it touches no file system (links already inside `dir` are the user's own).
 *
 * @example
 * ```ts
 * resolveLocalTarget("/tmp/out", "in/a.csv"); // "/tmp/out/in/a.csv"
 * resolveLocalTarget("/tmp/out", "../a.csv"); // throws
 * ```
 * @throws SftpConnectorError INVALID_INPUT when the name would leave `dir` or is not a usable file name.
 */
export function resolveLocalTarget(dir: string, name: string, options: ResolveLocalTargetOptions = {}): string {
  const platform = options.platform ?? (process.platform === "win32" ? "win32" : "posix");
  const path = platform === "win32" ? win32 : posix;
  const refuse = (why: string) =>
    new SftpConnectorError("INVALID_INPUT", `refusing to write the remote file ${quotePath(String(name))} locally: ${why}`, {
      operation: "write local file",
      path: name,
    });
  if (typeof name !== "string" || name === "") throw refuse("the name is empty");
  if (name.includes("\0")) throw refuse("the name contains a NUL character");
  if (name.startsWith("/")) throw refuse("the name is absolute");
  if (platform === "win32") {
    if (name.includes("\\")) throw refuse("the name contains a backslash");
    if (/^[A-Za-z]:/.test(name)) throw refuse("the name starts with a drive letter");
  }
  const segments: string[] = [];
  for (const segment of name.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") throw refuse(`a ".." component would leave ${quotePath(dir)}`);
    if (platform === "win32" && (WIN32_FORBIDDEN.test(segment) || /[. ]$/.test(segment))) throw refuse("the name is not a valid Windows file name");
    segments.push(segment);
  }
  if (segments.length === 0) throw refuse("the name is not a file name");
  const base = path.resolve(dir);
  const target = path.join(base, ...segments);
  // Defence in depth: whatever the rules above missed, the result must lie strictly inside the directory.
  const relative = path.relative(base, target);
  if (relative === "" || relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative))
    throw refuse(`it would leave ${quotePath(dir)}`);
  return target;
}
