// Refuses unknown keys in an operation's input or options (naming the closest known one) and maps Boomi's field ids to ours.
import { SftpConnectorError } from "./SftpConnectorError.js";
import { describeValue } from "./describeValue.js";
import { invalidInputError } from "./invalidInputError.js";

/** What {@link checkOptions} accepts: the names, the aliases, and how problems are worded. */
export interface OptionsSpec {
  /** Our names: every key the object may hold. */
  readonly known: readonly string[];
  /**
   * Other names for known keys, e.g. Boomi's field ids where ours differ: `{ recursiveList: "recursive" }`.
   * An alias is accepted like a known key and its value moves to our name; giving both with
   * different values is a problem naming both.
   * @default none
   */
  readonly aliases?: Readonly<Record<string, string>>;
  /** The operation, for the error (`"list"`). */
  readonly operation: string;
  /** What a key is called in problems: `unknown <what> "x"`. @default "option" */
  readonly what?: string;
  /** The name of the whole object in the problem for a non-object: `<field>: expected …`. @default "options" */
  readonly field?: string;
  /** What was expected in that problem. @default "an object" */
  readonly expected?: string;
  /** The reason of the error thrown (configs are `INVALID_CONFIG`). @default "INVALID_INPUT" */
  readonly reason?: "INVALID_INPUT" | "INVALID_CONFIG";
}

/**
 * Checks that `value` is an object (or `undefined`, read as `{}`) whose keys are all known names or
 * aliases, and returns it with each alias replaced by our name (the same object when no alias is
 * used). Keys whose value is `undefined` are never a problem. Problems:
 *
 * - an unknown key: `unknown option "recursiv"; did you mean "recursive"?` (the suggestion only when
 *   a known name or alias is close, by edit distance);
 * - an alias and our name (or two aliases of it) given with different values: `"createDir" and
 *   "createDirectories" name the same option, "createDirectories", with different values (true and false); give one`;
 * - a non-object (`null`, an array, a string…): `options: expected an object, got null`.
 *
 * Without `problems`, the first call with problems throws them all in one `SftpConnectorError`
 * (`INVALID_INPUT`, or `spec.reason`); with it, they are pushed there and the best-effort result
 * (`{}` for a non-object) is returned, so the caller can report them with its other checks.
 *
 * @example
 * ```ts
 * const opts = checkOptions(options, { known: ["count", "recursive"], aliases: { recursiveList: "recursive" }, operation: "list" });
 * opts.recursive; // true for { recursiveList: true }
 * ```
 * @throws SftpConnectorError INVALID_INPUT (or `spec.reason`) listing every problem, when `problems` is not given.
 */
export function checkOptions<T extends object>(value: T | undefined, spec: OptionsSpec, problems?: string[]): T {
  const found: string[] = [];
  const result = collect(value, spec, found);
  if (problems !== undefined) problems.push(...found);
  else if (found.length > 0) {
    if (spec.reason === "INVALID_CONFIG") {
      const message = found.length === 1 ? found[0]! : `Invalid config for ${spec.operation}:\n${found.map((p) => `  - ${p}`).join("\n")}`;
      throw new SftpConnectorError("INVALID_CONFIG", message, { operation: spec.operation, problems: found });
    }
    throw invalidInputError(found, spec.operation);
  }
  return result as T;
}

function collect(value: unknown, spec: OptionsSpec, problems: string[]): object {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`${spec.field ?? "options"}: expected ${spec.expected ?? "an object"}, got ${describeValue(value)}`);
    return {};
  }
  const record = value as Record<string, unknown>;
  const aliases = spec.aliases ?? {};
  const what = spec.what ?? "option";
  let renamed: Record<string, unknown> | undefined;
  const givenAs: Record<string, string> = {}; // our name → the alias its value came from
  for (const key of Object.keys(record)) {
    if (record[key] === undefined || spec.known.includes(key)) continue;
    const ours = Object.hasOwn(aliases, key) ? aliases[key] : undefined;
    if (ours === undefined) {
      const guess = closestName(key, [...spec.known, ...Object.keys(aliases)]);
      problems.push(`unknown ${what} "${key}"${guess === undefined ? "" : `; did you mean "${guess}"?`}`);
      continue;
    }
    renamed ??= { ...record };
    const current = renamed[ours];
    if (current !== undefined && !Object.is(current, record[key])) {
      const other = givenAs[ours] ?? ours;
      problems.push(
        `"${key}" and "${other}" name the same ${what}, "${ours}", with different values (${describeValue(record[key])} and ${describeValue(current)}); give one`,
      );
    } else {
      renamed[ours] = record[key];
      givenAs[ours] = key;
    }
    delete renamed[key];
  }
  return renamed ?? record;
}

/** Edit distance with adjacent transpositions (optimal string alignment), over two short names. Shared with validateConfig's hints. */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      row.push(best);
    }
    [before, previous] = [previous, row];
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `name` (case-insensitive edit distance), or `undefined` when none is
 * reasonably close: within 2 edits, or a third of the longer name, and fewer edits than the shorter
 * name has letters; a candidate that contains `name`, or is contained in it, counts as close too
 * (`recursiveList` → `recursive`). On a tie the first candidate wins.
 *
 * @example
 * ```ts
 * closestName("recursiv", ["count", "recursive"]); // "recursive"
 * closestName("xyz", ["count", "recursive"]); // undefined
 * ```
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const edits = editDistance(lower, other);
    const [shorter, longer] = lower.length <= other.length ? [lower, other] : [other, lower];
    const close = (edits <= Math.max(2, Math.floor(longer.length / 3)) && edits < shorter.length) || (shorter.length >= 4 && longer.includes(shorter));
    if (close && edits < bestScore) [best, bestScore] = [candidate, edits];
  }
  return best;
}
