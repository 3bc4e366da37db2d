// FORCE_UNIQUE_NAMES numbering: a.txt → a1.txt, a.txt + a1.txt → a2.txt, a7.txt alone → a8.txt.
import { splitFileName } from "./splitFileName.js";

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

/**
 * The pattern Boomi matches directory entries with for `name`: `^<base>(\d*)<.ext>$`, with the
 * base and extension regex-escaped (Boomi does not escape them, so a name like `a+b(1).txt`
 * matched the wrong files or none there).
 */
export function uniqueNamePattern(name: string): RegExp {
  const { base, suffix } = splitFileName(name);
  return new RegExp(`^${escapeRegExp(base)}(\\d*)${escapeRegExp(suffix)}$`, "u");
}

/**
 * Boomi's unique name for `name` among the `existing` names of a directory: when any existing
 * name is `<base><digits><.ext>` (no digits counting as 0), the result is `<base><max+1><.ext>`;
 * otherwise `name` itself. Numbers of any length are handled exactly.
 *
 * @example nextUniqueName("a.txt", ["a.txt", "a1.txt"]) // "a2.txt"
 * @example nextUniqueName("a.txt", ["a7.txt"]) // "a8.txt"
 */
export function nextUniqueName(name: string, existing: Iterable<string>): string {
  const pattern = uniqueNamePattern(name);
  let max: bigint | undefined;
  for (const entry of existing) {
    const match = pattern.exec(entry);
    if (!match) continue;
    const number = match[1] === "" ? 0n : BigInt(match[1]!);
    if (max === undefined || number > max) max = number;
  }
  if (max === undefined) return name;
  const { base, suffix } = splitFileName(name);
  return `${base}${max + 1n}${suffix}`;
}
