// Formats Unix permission bits the way `ls -l` shows them: `rw-r--r--`, with setuid/setgid/sticky as s/S and t/T.

/**
 * The nine-character `ls -l` form of a mode's permission bits: `0o644` → `rw-r--r--`. Setuid and
 * setgid show as `s` (with execute) or `S` (without) in the owner's and group's execute place; the
 * sticky bit as `t` or `T` in the others'. File-type bits are ignored.
 *
 * @example `formatPermissions(0o104755) // "rwsr-xr-x"`
 */
export function formatPermissions(mode: number): string {
  const bit = (mask: number, char: string): string => ((mode & mask) !== 0 ? char : "-");
  const exec = (mask: number, special: number, on: string, off: string): string => {
    const x = (mode & mask) !== 0;
    if ((mode & special) === 0) return x ? "x" : "-";
    return x ? on : off;
  };
  return (
    bit(0o400, "r") +
    bit(0o200, "w") +
    exec(0o100, 0o4000, "s", "S") +
    bit(0o040, "r") +
    bit(0o020, "w") +
    exec(0o010, 0o2000, "s", "S") +
    bit(0o004, "r") +
    bit(0o002, "w") +
    exec(0o001, 0o1000, "t", "T")
  );
}
