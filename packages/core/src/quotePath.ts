// How every message names a remote or local path: in single quotes, as Boomi's own messages do.

/**
 * A path as messages show it: `'/home/tester/in.txt'`, the one way every sftp-connector message
 * quotes a path (Boomi's messages quote `'{0}'` the same way). A quote or backslash in the path
 * is escaped with a backslash and control characters as `\n`, `\t` or `\xNN`, so a file name
 * cannot forge a second log line or end the quotes early.
 *
 * @example
 * ```ts
 * `File Not Found: ${quotePath("/in/a.txt")}`; // File Not Found: '/in/a.txt'
 * ```
 */
export function quotePath(path: string): string {
  const escaped = path.replace(/[\\'\u0000-\u001f\u007f]/gu, (c) => {
    if (c === "\\" || c === "'") return `\\${c}`;
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return `'${escaped}'`;
}
