// Splits a file name into base and extension the way Boomi's unique-name search does (a leading-dot name has no extension).

/** A file name split at its extension. */
export interface SplitFileName {
  /** The name without its extension: `report` for `report.csv`, `.bashrc` for `.bashrc`. */
  base: string;
  /** The extension without its dot: `csv`; empty when there is none. */
  extension: string;
  /** What follows `base` in the name: `.csv`, `.` for `a.`, or empty. */
  suffix: string;
}

/**
 * Splits `name` at its last `.`: `a.tar.gz` → `a.tar` + `gz`. A name without a dot, and a name
 * that starts with `.` (`.bashrc`, `.env.local`), has no extension (Boomi's rule for unique names).
 */
export function splitFileName(name: string): SplitFileName {
  const dot = name.startsWith(".") ? -1 : name.lastIndexOf(".");
  if (dot < 0) return { base: name, extension: "", suffix: "" };
  return { base: name.slice(0, dot), extension: name.slice(dot + 1), suffix: name.slice(dot) };
}
