// Property tests of every input parser (config, Boomi properties, filters, remote and local paths, name templates): a value or a clear INVALID_* error naming the field, and meaning kept.
import { posix, win32 } from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  type SftpConnectorError,
  compileFilter,
  formatFilter,
  fromBoomiProperties,
  isInsideDirectory,
  isSafeRemoteName,
  isSftpConnectorError,
  parseFilter,
  resolveRemoteDirectory,
  resolveRemoteFile,
  validateConfig,
  type ComparisonFilter,
  type Filter,
  type FilterEntry,
} from "@sftp-connector/core";
import { expandFileNameTemplate, splitFileName } from "@sftp-connector/create";
import { resolveLocalTarget } from "../../../packages/sftp-connector/src/cli/resolveLocalTarget.js";

const RUNS = 1000;
const SECRET = "S3cr3t-pw-4be1c9";
const FINGERPRINT = "SHA256:OwFs+XJfbmCuYvKV6D/ZX8YPHqfBUz5d6r9J0t2MucY";

/** Runs `fn`; returns its value, or the SftpConnectorError it threw. Any other throw fails the property with the offending input. */
function outcome<T>(fn: () => T): { value: T } | { error: SftpConnectorError } {
  try {
    return { value: fn() };
  } catch (error) {
    if (!isSftpConnectorError(error)) throw new Error(`threw something other than SftpConnectorError: ${String(error)}`, { cause: error });
    return { error };
  }
}

/** Every string shape a user or a hostile server might produce: control characters, NUL, slashes, dots, lone surrogates, long runs. */
const nastyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom("/", ".", "..", "\0", "\n", "\r", "\t", "\u001b", "\\", " ", "$", "a", "é", "\ud800", "*", "{", "}", "[", "]", "(", ")", '"', "'"),
    maxLength: 30,
  }),
  fc.constantFrom("", " ", "\0", ".", "..", "/", "//", "../", "./.", "~", "-rf", "CON", "a".repeat(5000)),
);

const validConfig = () => ({
  host: "sftp.example.com",
  port: 2222,
  username: "etl",
  auth: { type: "password", password: SECRET },
  hostKey: { fingerprints: [FINGERPRINT] },
  remoteDirectory: "inbox",
});

/** Top-level field paths of a config problem line, e.g. `auth.password: …` → `auth`. */
/** The fields validateConfig knows at the top level (a missing required one is reported under its name). */
const CONFIG_FIELDS = [
  "config",
  "host",
  "port",
  "username",
  "auth",
  "hostKey",
  "proxy",
  "timeouts",
  "keepaliveIntervalMs",
  "legacyKex",
  "algorithms",
  "remoteDirectory",
  "pool",
  "retry",
];

const problemRoots = (error: SftpConnectorError): string[] => error.problems.map((line) => /^([A-Za-z]+)/.exec(line)?.[1] ?? "");

describe("bad input: connection config", () => {
  it("validateConfig(anything) returns a config or throws INVALID_CONFIG with one field-path line per problem", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({ maxDepth: 3 }),
          fc.dictionary(
            fc.constantFrom("host", "port", "username", "auth", "hostKey", "proxy", "timeouts", "pool", "retry", "remoteDirectory", "algorithms", "hots"),
            fc.anything({ maxDepth: 2 }),
          ),
        ),
        (input) => {
          const result = outcome(() => validateConfig(input));
          if ("value" in result) {
            expect(typeof result.value.host).toBe("string");
            return;
          }
          expect(result.error.reason).toBe("INVALID_CONFIG");
          expect(result.error.problems.length).toBeGreaterThan(0);
          const roots = typeof input === "object" && input !== null && !Array.isArray(input) ? [...CONFIG_FIELDS, ...Object.keys(input)] : ["config"];
          for (const line of result.error.problems) {
            expect(line).toContain(": ");
            expect(
              roots.some((root) => line.startsWith(root)),
              line,
            ).toBe(true);
            expect(result.error.message).toContain(line);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("one wrong field in a valid config is reported under that field's name, and the password never shows", () => {
    const fields = ["host", "port", "username", "auth", "hostKey", "timeouts", "pool", "retry", "remoteDirectory", "keepaliveIntervalMs", "legacyKex"] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.oneof(nastyString, fc.anything({ maxDepth: 2 }), fc.integer(), fc.double()), (field, value) => {
        const config: Record<string, unknown> = { ...validConfig(), [field]: value };
        const result = outcome(() => validateConfig(config));
        if ("error" in result) {
          expect(result.error.reason).toBe("INVALID_CONFIG");
          expect(new Set(problemRoots(result.error))).toEqual(new Set([field]));
          expect(result.error.message).not.toContain(SECRET);
          expect(JSON.stringify(result.error)).not.toContain(SECRET);
        } else {
          expect(result.value.auth[0]).toMatchObject({ type: "password" });
          expect(JSON.stringify(result.value)).not.toContain(SECRET);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("a wrong secret is described by its kind, never echoed", () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(""), fc.integer(), fc.array(fc.constant(SECRET)), fc.constant({ value: SECRET })), (password) => {
        const result = outcome(() => validateConfig({ ...validConfig(), auth: { type: "password", password } }));
        expect("error" in result).toBe(true);
        if ("error" in result) {
          expect(result.error.problems.join("\n")).toMatch(/^auth\.password: /m);
          expect(result.error.message).not.toContain(SECRET);
          if (typeof password === "number") expect(result.error.message).not.toContain(`got ${password}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("remoteDirectory is trimmed: surrounding whitespace gives the same config", () => {
    const ws = fc.string({ unit: fc.constantFrom(" ", "\t", "\n"), maxLength: 4 });
    fc.assert(
      fc.property(ws, ws, fc.stringMatching(/^[a-z0-9_/.-]{1,20}$/), (before, after, directory) => {
        const plain = validateConfig({ ...validConfig(), remoteDirectory: directory });
        const padded = validateConfig({ ...validConfig(), remoteDirectory: `${before}${directory}${after}` });
        expect(padded).toEqual(plain);
      }),
      { numRuns: 300 },
    );
  });

  const boomiIds = [
    "authType",
    "host",
    "port",
    "username",
    "password",
    "keyPath",
    "keyPswrd",
    "prvkeyContent",
    "pubkeyContent",
    "useKeyContent",
    "hostEntry",
    "isMaxExchange",
    "remoteDirectory",
    "enablePooling",
    "proxyEnable",
    "proxyType",
    "proxyHost",
    "proxyPort",
    "proxyuserName",
    "proxyPassword",
    "connectionTimeout",
    "readTimeout",
  ] as const;

  it("fromBoomiProperties(any property values) returns a config or INVALID_CONFIG whose lines name our field and the Boomi id", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...boomiIds), fc.oneof(nastyString, fc.boolean(), fc.integer(), fc.constant(null), fc.anything({ maxDepth: 1 }))),
        fc.boolean(),
        (props, insecure) => {
          const result = outcome(() => fromBoomiProperties(props, { insecureAcceptAnyHostKey: insecure }));
          if ("value" in result) return;
          expect(result.error.reason).toBe("INVALID_CONFIG");
          for (const line of result.error.problems) expect(line).toMatch(/^[A-Za-z][\w.[\]]*(?: \(Boomi "\w+"\))?: \S/);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("fromBoomiProperties: whitespace around host, port, flags, proxy type and the host entry changes nothing (Boomi trims them)", () => {
    const ws = fc.string({ unit: fc.constantFrom(" ", "\t"), maxLength: 3 });
    const pad = (w: [string, string], value: string) => `${w[0]}${value}${w[1]}`;
    const hostEntry = "sftp.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    fc.assert(
      fc.property(
        fc.array(fc.tuple(ws, ws), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.boolean(),
        fc.constantFrom("HTTP", "SOCKS5", "socks4", "Atom"),
        (w, port, pooling, proxyType) => {
          const base = {
            authType: "Username and Password",
            username: "etl",
            password: SECRET,
            remoteDirectory: "in",
            proxyHost: "proxy.local",
            proxyPort: "3128",
          };
          const plain = fromBoomiProperties({
            ...base,
            host: "sftp.example.com",
            port: String(port),
            enablePooling: String(pooling),
            proxyEnable: "true",
            proxyType,
            hostEntry,
          });
          const padded = fromBoomiProperties({
            ...base,
            host: pad(w[0]!, "sftp.example.com"),
            port: pad(w[1]!, String(port)),
            enablePooling: pad(w[2]!, String(pooling)),
            proxyEnable: pad(w[3]!, "true"),
            proxyType: pad(w[4]!, proxyType),
            hostEntry: pad(w[5]!, hostEntry),
          });
          expect(padded).toEqual(plain);
          expect(plain.port).toBe(port);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------------

const FIELDS = ["fileName", "fileSize", "modifiedDate", "isDirectory"] as const;
const OPERATORS = ["EQUALS", "NOT_EQUALS", "LESS_THAN", "GREATER_THAN", "REGEX", "WILDCARD"] as const;

const entryArb: fc.Arbitrary<FilterEntry> = fc
  .record({
    name: nastyString,
    relativePath: fc.option(nastyString, { nil: undefined }),
    size: fc.nat(),
    mtime: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.date({ noInvalidDate: true })),
    isDirectory: fc.boolean(),
  })
  .map(({ relativePath, ...entry }) => (relativePath === undefined ? entry : { ...entry, relativePath }));

/** A valid comparison: every field with an argument it accepts. */
const validComparison: fc.Arbitrary<ComparisonFilter> = fc.oneof(
  fc.record({
    field: fc.constant("fileName" as const),
    operator: fc.constantFrom("EQUALS", "NOT_EQUALS", "LESS_THAN", "GREATER_THAN" as const),
    argument: fc.string({ unit: "binary", maxLength: 12 }),
  }),
  fc.record({ field: fc.constant("fileName" as const), operator: fc.constant("WILDCARD" as const), argument: fc.stringMatching(/^[a-z*?.]{0,8}$/) }),
  fc.record({
    field: fc.constant("fileName" as const),
    operator: fc.constant("REGEX" as const),
    argument: fc.stringMatching(/^[a-z.]{0,3}(\.\*)?[a-z]{0,3}$/),
  }),
  fc.record({
    field: fc.constant("fileSize" as const),
    operator: fc.constantFrom("EQUALS", "NOT_EQUALS", "LESS_THAN", "GREATER_THAN" as const),
    argument: fc.nat().map(String),
  }),
  fc.record({
    field: fc.constant("modifiedDate" as const),
    operator: fc.constantFrom("EQUALS", "LESS_THAN", "GREATER_THAN" as const),
    argument: fc.date({ min: new Date("1971-01-01"), max: new Date("2099-01-01"), noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d{3}Z$/, "Z")),
  }),
  fc.record({
    field: fc.constant("isDirectory" as const),
    operator: fc.constantFrom("EQUALS", "NOT_EQUALS" as const),
    argument: fc.constantFrom("true", "false", "TRUE"),
  }),
);

/** Valid trees whose groups have two or more members (formatFilter documents that those read back the same). */
const validTree: fc.Arbitrary<Filter> = fc.letrec<{ tree: Filter }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    validComparison,
    fc.record({ and: fc.array(tie("tree"), { minLength: 2, maxLength: 3 }) }),
    fc.record({ or: fc.array(tie("tree"), { minLength: 2, maxLength: 3 }) }),
  ),
})).tree;

describe("bad input: the filter language", () => {
  it("compileFilter(anything) gives a predicate that never throws, or INVALID_INPUT naming the tree path", () => {
    const looseTree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.record(
          {
            field: fc.oneof(fc.constantFrom(...FIELDS), nastyString),
            operator: fc.oneof(fc.constantFrom(...OPERATORS), nastyString),
            argument: fc.oneof(nastyString, fc.anything({ maxDepth: 0 })),
          },
          { requiredKeys: [] },
        ),
        fc.record({ field: fc.constantFrom(...FIELDS), operator: fc.constantFrom(...OPERATORS), arguments: fc.array(nastyString, { maxLength: 2 }) }),
        fc.record({ and: fc.oneof(fc.array(tie("node"), { maxLength: 3 }), fc.anything({ maxDepth: 0 })) }),
        fc.record({ or: fc.array(tie("node"), { maxLength: 3 }) }),
        fc.anything({ maxDepth: 1 }),
      ),
    })).node;
    fc.assert(
      fc.property(looseTree, fc.array(entryArb, { maxLength: 4 }), (tree, entries) => {
        const result = outcome(() => compileFilter(tree as Filter));
        if ("error" in result) {
          expect(result.error.reason).toBe("INVALID_INPUT");
          if (typeof tree === "string") expect(result.error.message).toMatch(/^filter: .* at column \d+/);
          else for (const line of result.error.problems) expect(line).toMatch(/^(filter|field|operator|argument|arguments|and|or)[\w.[\]]*: \S/);
          return;
        }
        for (const entry of entries) expect(typeof result.value(entry)).toBe("boolean");
      }),
      { numRuns: RUNS },
    );
  });

  it("parseFilter(any string) gives a tree or INVALID_INPUT 'filter: … at column N' with a caret under that column", () => {
    const tokens = fc.constantFrom(
      "fileName",
      "fileSize",
      "modifiedDate",
      "isDirectory",
      "filename",
      "and",
      "or",
      "AND",
      "(",
      ")",
      "=",
      "!=",
      "<",
      ">",
      "~",
      "=~",
      "!",
      '"*.csv"',
      "'a\\'b'",
      '"',
      "'",
      "1000",
      "true",
      "2024-01-01",
      "regex",
      "notEquals",
      " ",
      "\t",
      "\n",
      "\\",
      "\0",
      "\u001b",
    );
    const text = fc.oneof(
      fc.array(tokens, { maxLength: 14 }).map((parts) => parts.join(" ")),
      fc.array(tokens, { maxLength: 14 }).map((parts) => parts.join("")),
      nastyString,
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = outcome(() => parseFilter(input));
        if ("value" in result) {
          expect(typeof result.value).toBe("object");
          return;
        }
        expect(result.error.reason).toBe("INVALID_INPUT");
        const m = /^filter: .* at column (\d+)/.exec(result.error.message);
        expect(m).not.toBeNull();
        const column = Number(m?.[1]);
        expect(column).toBeGreaterThanOrEqual(1);
        expect(column).toBeLessThanOrEqual(input.length + 1);
        expect(result.error.problems[2]).toBe(`  ${" ".repeat(column - 1)}^`);
      }),
      { numRuns: 2000 },
    );
  });

  it("deeply nested input is refused, not a stack overflow", () => {
    for (const depth of [65, 1000, 20_000]) {
      const text = `${"(".repeat(depth)}fileSize > 1${")".repeat(depth)}`;
      const parsed = outcome(() => parseFilter(text));
      expect("error" in parsed && parsed.error.message).toMatch(/nested more than 64 deep/);
      let tree: Filter = { field: "fileSize", operator: "GREATER_THAN", argument: "1" };
      for (let i = 0; i < depth; i++) tree = { and: [tree] };
      const compiled = outcome(() => compileFilter(tree));
      expect("error" in compiled && compiled.error.message).toMatch(/nested more than 64 deep/);
    }
  });

  it("the compact form round-trips: parseFilter(formatFilter(tree)) is the tree and accepts the same entries", () => {
    fc.assert(
      fc.property(validTree, fc.array(entryArb, { maxLength: 5 }), (tree, entries) => {
        const text = formatFilter(tree);
        const back = parseFilter(text);
        expect(back).toEqual(tree);
        expect(formatFilter(back)).toBe(text);
        const a = compileFilter(tree);
        const b = compileFilter(text);
        for (const entry of entries) expect(b(entry)).toBe(a(entry));
      }),
      { numRuns: RUNS },
    );
  });

  /** A regex in the subset both our matcher and JavaScript's RegExp read the same way. */
  const regexArb = fc.letrec<{ re: string }>((tie) => ({
    re: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom("a", "b", ".", "[ab]", "[^a]", "\\d", "\\w", "\\.", "x"),
      tie("re").chain((inner) => fc.constantFrom(`(${inner})*`, `(?:${inner})+`, `(${inner})?`, `(${inner}){1,3}`, `(${inner}){2}`, `(${inner})*?`)),
      fc.tuple(tie("re"), tie("re")).map(([x, y]) => `${x}${y}`),
      fc.tuple(tie("re"), tie("re")).map(([x, y]) => `(?:${x}|${y})`),
    ),
  })).re;

  it("REGEX means what JavaScript's RegExp means, on the whole name", () => {
    fc.assert(
      // Names of at most 8 characters: the reference, V8's backtracking RegExp, can take minutes on nested quantifiers past that.
      fc.property(regexArb, fc.array(fc.stringMatching(/^[abx1._\n]{0,8}$/), { minLength: 1, maxLength: 6 }), (re, names) => {
        const reference = new RegExp(`^(?:${re})$`);
        const ours = compileFilter({ field: "fileName", operator: "REGEX", argument: re });
        for (const name of names) expect(ours({ name, size: 0, mtime: 0, isDirectory: false }), `${re} on ${JSON.stringify(name)}`).toBe(reference.test(name));
      }),
      { numRuns: RUNS },
    );
  });

  it("WILDCARD means what a glob means: * and ? stay within a path segment, ** crosses it", () => {
    const globPart = fc.constantFrom("a", "b", "/", ".", "*", "**", "?", "[ab]", "[!a]", "{a,b/}");
    const toRegExp = (glob: string) =>
      new RegExp(
        `^${glob
          .replace(
            /\*\*|\*|\?|\[!|\{a,b\/\}|[./]/g,
            (t) => ({ "**": ".*", "*": "[^/]*", "?": "[^/]", "[!": "[^/", "{a,b/}": "(?:a|b/)", ".": "\\.", "/": "\\/" })[t] ?? t,
          )
          .replace(/\[ab\]/g, "[ab]")}$`,
        "s",
      );
    fc.assert(
      fc.property(
        fc.array(globPart, { minLength: 1, maxLength: 6 }).map((p) => p.join("")),
        fc.array(fc.stringMatching(/^[ab/.c]{0,8}$/), { minLength: 1, maxLength: 6 }),
        (glob, paths) => {
          const reference = toRegExp(glob);
          const ours = compileFilter({ field: "fileName", operator: "WILDCARD", argument: glob });
          for (const path of paths)
            expect(ours({ name: "x", relativePath: path, size: 0, mtime: 0, isDirectory: false }), `${glob} on ${path}`).toBe(reference.test(path));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("an escaped literal wildcard or regex matches exactly its own text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }), fc.string({ unit: "grapheme", maxLength: 20 }), (name, other) => {
        const glob = name.replace(/[*?[\]{}\\,]/g, "\\$&");
        const regex = [...name].map((c) => (/[\w]/.test(c) ? c : `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`)).join("");
        const globOk = outcome(() => compileFilter({ field: "fileName", operator: "WILDCARD", argument: glob }));
        const entry = (n: string): FilterEntry => ({ name: n, size: 0, mtime: 0, isDirectory: false });
        expect("value" in globOk).toBe(true);
        if ("value" in globOk) {
          expect(globOk.value(entry(name))).toBe(true);
          expect(globOk.value(entry(other))).toBe(other === name);
        }
        if ([...name].every((c) => c.codePointAt(0)! <= 0xffff)) {
          const re = compileFilter({ field: "fileName", operator: "REGEX", argument: regex });
          expect(re(entry(name))).toBe(true);
          expect(re(entry(other))).toBe(other === name);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------------

const segment = fc.oneof(
  fc.constantFrom("..", ".", "", "a", "b.txt", " ", "...", "..a", "a..", "~", "\\..", "%2e%2e"),
  fc.string({ unit: "binary-ascii", maxLength: 6 }),
);
const relativeName = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join("/"));
const anyName = fc.oneof(
  relativeName,
  relativeName.map((n) => `/${n}`),
  nastyString,
);
const directoryArb = fc.constantFrom("/", "/home/u", "/home/u/in/", "/a/../b", "//srv//data");

describe("bad input: remote and local path confinement", () => {
  it("resolveRemoteFile: a name resolves strictly inside the remote directory, or is INVALID_INPUT naming the field", () => {
    fc.assert(
      fc.property(directoryArb, anyName, fc.constantFrom("fileName", "moveAfter", "targetFileName"), (directory, name, field) => {
        const result = outcome(() => resolveRemoteFile(directory, name, { field }));
        const base = posix.resolve(directory);
        if ("error" in result) {
          expect(result.error.reason).toBe("INVALID_INPUT");
          expect(result.error.message.startsWith(`${field}: `)).toBe(true);
          return;
        }
        const { path } = result.value;
        expect(path).toBe(posix.normalize(path));
        expect(path.startsWith(base === "/" ? "/" : `${base}/`)).toBe(true);
        expect(path).not.toBe(base);
        expect(isInsideDirectory(base, path)).toBe(true);
        expect(posix.join(result.value.directory, result.value.name)).toBe(path);
        expect(path.split("/")).not.toContain("..");
        expect(path).not.toContain("\0");
      }),
      { numRuns: 2000 },
    );
  });

  it("resolveRemoteFile with allowAbsolutePaths still gives a normalized absolute path, or INVALID_INPUT", () => {
    fc.assert(
      fc.property(directoryArb, anyName, (directory, name) => {
        const result = outcome(() => resolveRemoteFile(directory, name, { allowAbsolutePaths: true }));
        if ("error" in result) {
          expect(result.error.reason).toBe("INVALID_INPUT");
          return;
        }
        expect(result.value.path.startsWith("/")).toBe(true);
        expect(result.value.path).toBe(posix.normalize(result.value.path));
      }),
      { numRuns: RUNS },
    );
  });

  it("resolveRemoteDirectory gives a normalized absolute directory, or INVALID_INPUT naming remoteDirectory/home", () => {
    fc.assert(
      fc.property(
        fc.option(anyName, { nil: undefined }),
        fc.option(anyName, { nil: undefined }),
        fc.oneof(directoryArb, nastyString),
        (perCall, connection, home) => {
          const result = outcome(() => resolveRemoteDirectory({ perCall, connection, home }));
          if ("error" in result) {
            expect(result.error.reason).toBe("INVALID_INPUT");
            expect(result.error.message).toMatch(/^(remoteDirectory|home): /);
            return;
          }
          expect(result.value.startsWith("/")).toBe(true);
          expect(result.value).toBe(posix.normalize(result.value).replace(/(.)\/$/, "$1"));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("isSafeRemoteName: a safe name joined to a directory is exactly one new entry of it", () => {
    fc.assert(
      fc.property(fc.oneof(nastyString, segment), (name) => {
        if (!isSafeRemoteName(name)) return;
        const joined = posix.join("/srv/in", name);
        expect(posix.dirname(joined)).toBe("/srv/in");
        expect(posix.basename(joined)).toBe(name);
        expect(/[\u0000-\u001f\u007f]/.test(name)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("the CLI's resolveLocalTarget never leaves the output directory (posix and win32 rules)", () => {
    fc.assert(
      fc.property(anyName, fc.constantFrom("posix" as const, "win32" as const), (name, platform) => {
        const dir = platform === "posix" ? "/tmp/out" : "C:\\out";
        const path = platform === "posix" ? posix : win32;
        const result = outcome(() => resolveLocalTarget(dir, name, { platform }));
        if ("error" in result) {
          expect(result.error.reason).toBe("INVALID_INPUT");
          expect(result.error.message).toMatch(/^refusing to write the remote file '.*' locally: /s);
          return;
        }
        const relative = path.relative(dir, result.value);
        expect(relative).not.toBe("");
        expect(relative === ".." || relative.startsWith(`..${path.sep}`)).toBe(false);
        expect(path.isAbsolute(relative)).toBe(false);
        expect(result.value).not.toContain("\0");
      }),
      { numRuns: 2000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("bad input: CREATE's file name templates", () => {
  const now = new Date(2024, 0, 31, 9, 8, 7, 6);
  const uuid = "123e4567-e89b-42d3-a456-426614174000";
  const templateArb = fc
    .array(fc.oneof(fc.constantFrom("$BASE", "$EXTENSION", "$UUID", "$TIME", "$DATE", "$", "$$", "$base", ".", "_", "/", ".."), fc.string({ maxLength: 4 })), {
      maxLength: 8,
    })
    .map((p) => p.join(""));

  it("any template and name expand to a string; text without a variable is kept as it is; expansions are not scanned again", () => {
    fc.assert(
      fc.property(templateArb, fc.oneof(nastyString, fc.constantFrom("a$DATE.txt", "$BASE.$EXTENSION", ".bashrc", "a.tar.gz")), (template, name) => {
        const result = expandFileNameTemplate(template, name, { now, uuid });
        expect(typeof result).toBe("string");
        const { base, extension } = splitFileName(name);
        const expected = template.replace(
          /\$(BASE|EXTENSION|UUID|TIME|DATE)/g,
          (_m, v: string) => ({ BASE: base, EXTENSION: extension, UUID: uuid, TIME: "090807.006", DATE: "20240131" })[v]!,
        );
        expect(result).toBe(expected);
        if (!/\$(BASE|EXTENSION|UUID|TIME|DATE)/.test(template)) expect(result).toBe(template);
        expect(expandFileNameTemplate("$BASE", name, { now, uuid })).toBe(base);
      }),
      { numRuns: RUNS },
    );
  });

  it("$BASE.$EXTENSION gives back a name with an extension; an expansion is used only when it is a plain name", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[^./\0]{1,10}$/), fc.stringMatching(/^[a-z0-9]{1,5}$/), templateArb, (stem, ext, template) => {
        expect(expandFileNameTemplate("$BASE.$EXTENSION", `${stem}.${ext}`, { now, uuid })).toBe(`${stem}.${ext}`);
        const expanded = expandFileNameTemplate(template, `${stem}.${ext}`, { now, uuid });
        // createFile refuses an expansion that is not a plain name; a plain one never leaves the
        // directory, or is refused as INVALID_INPUT (names are trimmed as Boomi does, so " " is
        // blank and " .." is "..").
        if (isSafeRemoteName(expanded)) {
          const resolved = outcome(() => resolveRemoteFile("/srv/in", expanded));
          if ("value" in resolved) expect(resolved.value.directory).toBe("/srv/in");
          else expect(resolved.error.reason).toBe("INVALID_INPUT");
        }
      }),
      { numRuns: 500 },
    );
  });
});
