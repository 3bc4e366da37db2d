// Hides config secrets from printing: a deep copy whose JSON.stringify and util.inspect forms show "[redacted]".

/**
 * Names of the config fields whose values are secrets, wherever they appear (auth methods,
 * proxies, jump hosts): passwords, key passphrases, private key text, keyboard-interactive answers.
 */
export const SECRET_FIELDS = ["password", "passphrase", "content", "responses"] as const;

/** One of {@link SECRET_FIELDS}. */
export type SecretField = (typeof SECRET_FIELDS)[number];

/** What a secret value is printed as. */
export const REDACTED = "[redacted]";

/** The symbol Node's `util.inspect` (and `console.log`) looks for; `Symbol.for` keeps core free of `node:util`. */
const INSPECT_CUSTOM = Symbol.for("nodejs.util.inspect.custom");

const SECRETS: ReadonlySet<string> = new Set(SECRET_FIELDS);

/** Other keys that look like secrets (typos such as `passwrd`, Boomi ids such as `keyPswrd` and `prvkeyContent`). */
const SECRET_LOOKING_KEY = /pass|pswrd|pwd|secret|token|prvkey|privatekey/i;

/** True for a key whose value is hidden: one of {@link SECRET_FIELDS} or a key that looks like a secret. */
function isSecretKey(key: string): boolean {
  return SECRETS.has(key) || SECRET_LOOKING_KEY.test(key);
}

type PlainObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isSecretEntry(key: string, value: unknown): boolean {
  return value !== undefined && isSecretKey(key);
}

/** A shallow copy of `object` with every secret field replaced by {@link REDACTED}. */
function redactedView(object: PlainObject): PlainObject {
  const view: PlainObject = {};
  for (const key of Object.keys(object)) view[key] = isSecretEntry(key, object[key]) ? REDACTED : object[key];
  return view;
}

function deepCopy(value: unknown, seen: WeakMap<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(deepCopy(item, seen));
    return copy;
  }
  if (!isPlainObject(value)) return value;
  const copy: PlainObject = {};
  seen.set(value, copy);
  let holdsSecret = false;
  for (const key of Object.keys(value)) {
    copy[key] = deepCopy(value[key], seen);
    if (isSecretEntry(key, value[key])) holdsSecret = true;
  }
  if (holdsSecret) {
    // Non-enumerable: spread, Object.keys and structuredClone ignore them; printing honours them.
    Object.defineProperty(copy, "toJSON", { value: () => redactedView(copy), enumerable: false, configurable: true, writable: true });
    Object.defineProperty(copy, INSPECT_CUSTOM, { value: () => redactedView(copy), enumerable: false, configurable: true, writable: true });
  }
  return copy;
}

/**
 * Returns a deep copy of `config` whose objects that hold a secret field ({@link SECRET_FIELDS}, or
 * any key containing `pass`, `pswrd`, `pwd`, `secret`, `token`, `prvkey` or `privateKey`)
 * print that field as `"[redacted]"` in `JSON.stringify` and `util.inspect` / `console.log`.
 * The real values stay readable as ordinary properties (`config.auth[0].password`), and
 * `{ ...config }` still works (a spread of an object that holds a secret is an ordinary object again).
 *
 * @example
 * ```ts
 * const safe = redactSecrets({ auth: [{ type: "password", password: "pw" }] });
 * JSON.stringify(safe); // {"auth":[{"type":"password","password":"[redacted]"}]}
 * safe.auth[0].password; // "pw"
 * ```
 */
export function redactSecrets<T extends object>(config: T): T {
  return deepCopy(config, new WeakMap()) as T;
}

function describe(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value !== "object" || value === null) return typeof value === "function" ? "[function]" : value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => describe(item, seen));
  const out: PlainObject = {};
  for (const key of Object.keys(value)) {
    const field = (value as PlainObject)[key];
    out[key] = isSecretEntry(key, field) ? REDACTED : describe(field, seen);
  }
  return out;
}

/**
 * A plain object for logs: a deep copy of `config` with every secret field (as in
 * {@link redactSecrets}) replaced by `"[redacted]"`, functions by `"[function]"` and cycles by `"[circular]"`. Safe to pass to any logger, unlike the config itself once spread.
 */
export function describeConfig(config: object): Record<string, unknown> {
  const described = describe(config, new WeakSet());
  return isPlainObject(described) ? described : { value: described };
}
