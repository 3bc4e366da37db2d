// Builds an AuthStrategy object whose secrets live in closures, so util.inspect and JSON show only its method and description.
import type { AnyAuthMethod } from "ssh2";
import type { AuthMethodName, AuthStrategy, AuthWarningSink } from "./AuthStrategy.js";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * Returns an {@link AuthStrategy} with the given method (and `fallbackMethods`, see {@link AuthStrategy.fallbackMethods}). `describe` is read each time the
 * description is asked for, so a strategy can name its key type once `prepare` has parsed the key.
 * Secrets must stay in the closures of `describe` and `prepare`: the object itself holds none.
 */
export function defineStrategy(
  method: AuthMethodName,
  describe: () => string,
  prepare: (username: string, warnings?: AuthWarningSink) => Promise<AnyAuthMethod[]>,
  fallbackMethods?: readonly AuthMethodName[],
): AuthStrategy {
  const strategy: AuthStrategy = {
    method,
    ...(fallbackMethods === undefined ? {} : { fallbackMethods: Object.freeze([...fallbackMethods]) }),
    get description() {
      return describe();
    },
    prepare,
  };
  const summary = () => ({ method, description: describe() });
  Object.defineProperties(strategy, {
    toJSON: { value: summary, enumerable: false },
    [INSPECT]: {
      value: (_depth: number, options: { stylize?: (text: string, style: string) => string }) => {
        const stylize = options?.stylize ?? ((text: string) => text);
        return `AuthStrategy { method: ${stylize(`'${method}'`, "string")}, description: ${stylize(`'${describe()}'`, "string")} }`;
      },
      enumerable: false,
    },
  });
  return Object.freeze(strategy);
}

/** Options every factory of this package takes. */
export interface StrategyOptions {
  /** The config field path named in error messages, e.g. `auth[1]` for the second entry of a list. @default "auth" */
  field?: string;
}
