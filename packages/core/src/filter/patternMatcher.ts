// Linear-time matching for filter regexes and globs: a Thompson NFA run one state set per character, so no input can make it backtrack.
import { SftpConnectorError } from "../SftpConnectorError.js";

/** A test on one code point. */
export type CharTest = (codePoint: number) => boolean;

/** A zero-width test on the code points before and after a position (-1 at either end of the text). */
export type PositionTest = (before: number, after: number) => boolean;

/** The syntax tree both pattern front ends (regex and glob) produce. */
export type PatternNode =
  | { kind: "char"; test: CharTest }
  | { kind: "assert"; test: PositionTest }
  | { kind: "seq"; items: readonly PatternNode[] }
  | { kind: "alt"; items: readonly PatternNode[] }
  | { kind: "repeat"; item: PatternNode; min: number; max: number };

/** The longest regex or wildcard a filter accepts, in characters. */
export const MAX_PATTERN_LENGTH = 1000;

/** The most NFA states a pattern may expand to (counted repetitions such as `a{50}` are expanded). */
export const MAX_PATTERN_STATES = 5_000;

/** The deepest group nesting a pattern may have. */
export const MAX_PATTERN_NESTING = 64;

/**
 * A compiled pattern: true when it matches the whole text. It also tells its size and, for one text, how many state
 * visits a match took: the matcher visits each state at most once per position, so a match of n code points takes at
 * most `states × (n + 1)` steps whatever the pattern (the deterministic proof that it cannot backtrack).
 */
export interface PatternMatcher {
  (text: string): boolean;
  /** The number of NFA states the pattern compiled to. */
  readonly states: number;
  /** Matches `text` and counts the state visits the match took. */
  countSteps(text: string): { matched: boolean; steps: number };
}

/** An NFA state, numbered from 0: it consumes a character (`char`), checks a position (`assert`), or neither (an epsilon split). */
interface State {
  id: number;
  char: CharTest | undefined;
  assert: PositionTest | undefined;
  next: State[];
}

/** The INVALID_INPUT error every pattern problem is reported with. */
export function patternError(message: string): SftpConnectorError {
  return new SftpConnectorError("INVALID_INPUT", message, { operation: "filter" });
}

/** Throws unless `source` is at most {@link MAX_PATTERN_LENGTH} characters. */
export function checkPatternLength(kind: string, source: string): void {
  if (source.length > MAX_PATTERN_LENGTH) {
    throw patternError(`Invalid ${kind}: longer than ${MAX_PATTERN_LENGTH} characters (${source.length})`);
  }
}

/**
 * Compiles a pattern tree into a whole-text matcher that runs in O(text length × pattern states) time.
 * Throws INVALID_INPUT when the tree would expand to more than {@link MAX_PATTERN_STATES} states.
 */
export function buildMatcher(root: PatternNode, describe: string): PatternMatcher {
  if (stateCount(root) > MAX_PATTERN_STATES) {
    throw patternError(`Invalid ${describe}: too large once repetitions are expanded (limit ${MAX_PATTERN_STATES} states)`);
  }
  const accept: State = { id: 0, char: undefined, assert: undefined, next: [] };
  let count = 1;
  // One object shape for every state keeps the hot loop monomorphic (20x faster than optional properties).
  const start = build(root, accept, ({ char, assert, next }) => ({ id: count++, char, assert, next }));
  const seen = new Float64Array(count); // the step each state was last reached in: no Set per step
  let step = 0;
  let visits = 0; // state visits of the current match, for countSteps

  /** The char-consuming and accepting states reachable from `seeds` without consuming, between `before` and `after`. */
  const closure = (seeds: State[], before: number, after: number): State[] => {
    step++;
    const result: State[] = [];
    for (let state = seeds.pop(); state !== undefined; state = seeds.pop()) {
      if (seen[state.id] === step) continue;
      seen[state.id] = step;
      visits++;
      if (state.char !== undefined || state === accept) result.push(state);
      else if (state.assert === undefined || state.assert(before, after)) for (const next of state.next) seeds.push(next);
    }
    return result;
  };

  const match = (text: string): boolean => {
    visits = 0;
    const codePoints = Array.from(text, (c) => c.codePointAt(0) ?? 0);
    let current = closure([start], -1, codePoints[0] ?? -1);
    for (let i = 0; i < codePoints.length && current.length > 0; i++) {
      const cp = codePoints[i] ?? -1;
      const stepped: State[] = [];
      for (const state of current) if (state.char?.(cp) === true) stepped.push(state.next[0] ?? accept);
      current = closure(stepped, cp, codePoints[i + 1] ?? -1);
    }
    return current.includes(accept);
  };
  return Object.assign(match, {
    states: count,
    countSteps: (text: string) => {
      const matched = match(text);
      return { matched, steps: visits };
    },
  });
}

/** The number of states `build` makes for a node (may be Infinity-large for absurd repetition counts). */
function stateCount(node: PatternNode): number {
  switch (node.kind) {
    case "char":
    case "assert":
      return 1;
    case "seq":
      return node.items.reduce((n, item) => n + stateCount(item), 0);
    case "alt":
      return node.items.reduce((n, item) => n + stateCount(item), 1);
    case "repeat": {
      // At least 1 per copy: an empty item (`(){999999999}`) makes no states, but `build` still loops once per copy.
      const one = Math.max(1, stateCount(node.item));
      const optional = node.max === Infinity ? 1 + one : (node.max - node.min) * (1 + one);
      return node.min * one + optional;
    }
  }
}

type NewState = (state: { char?: CharTest; assert?: PositionTest; next: State[] }) => State;

/** Thompson construction in continuation style: the states matching `node`, then continuing at `next`. */
function build(node: PatternNode, next: State, make: NewState): State {
  switch (node.kind) {
    case "char":
      return make({ char: node.test, next: [next] });
    case "assert":
      return make({ assert: node.test, next: [next] });
    case "seq":
      return node.items.reduceRight((after, item) => build(item, after, make), next);
    case "alt":
      return make({ next: node.items.map((item) => build(item, next, make)) });
    case "repeat": {
      let state = next;
      if (node.max === Infinity) {
        const loop = make({ next: [] });
        loop.next.push(build(node.item, loop, make), next);
        state = loop;
      } else {
        for (let i = node.min; i < node.max; i++) state = make({ next: [build(node.item, state, make), next] });
      }
      for (let i = 0; i < node.min; i++) state = build(node.item, state, make);
      return state;
    }
  }
}
