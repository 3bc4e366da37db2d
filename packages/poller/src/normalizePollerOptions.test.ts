// normalizePollerOptions: every default it fills in, and every message it gives for a wrong value, each naming its option.
import { describe, expect, it } from "vitest";
import { isSftpConnectorError } from "@sftp-connector/core";
import { rejectionOf } from "@sftp-connector/testkit";
import type { PolledEntry } from "./PollEvent.js";
import { consoleWarningsLogger } from "./PollerLogger.js";
import { MIN_INTERVAL_MS, normalizePollerOptions, type DirectoryPollerOptions } from "./normalizePollerOptions.js";

const list = () => [];
const entry = (name: string, mtime = 1, size = 10): PolledEntry => ({ name, mtime, size }) as PolledEntry;

/** The problems normalizePollerOptions reports for `options` (it must throw INVALID_CONFIG). */
async function problemsOf(options: unknown): Promise<readonly string[]> {
  const error = await rejectionOf(() => normalizePollerOptions(options as DirectoryPollerOptions), isSftpConnectorError);
  expect(error.reason).toBe("INVALID_CONFIG");
  expect(error.operation).toBe("createDirectoryPoller");
  return error.problems;
}

describe("normalizePollerOptions defaults", () => {
  it("fills in every default from `list` alone", () => {
    const options = normalizePollerOptions({ list });
    expect(options).toMatchObject({
      list,
      intervalMs: 1000,
      accept: undefined,
      acceptIsPure: false,
      stableAfter: undefined,
      key: "default",
      emitInitial: false,
      handler: undefined,
      concurrency: 1,
      includeDirectories: false,
      lock: undefined,
      leaseMargin: 0.2,
      backoff: { initialMs: 1000, factor: 2, maxMs: 60_000 },
      logger: consoleWarningsLogger,
    });
    expect(typeof options.store.load).toBe("function");
    expect(typeof options.store.save).toBe("function");
    // Compares mtime and size; a failed delivery is retried after intervalMs, doubling up to backoff.maxMs.
    expect(options.changed(entry("a", 1, 10), entry("a", 1, 11))).toBe(true);
    expect(options.changed(entry("a", 1, 10), entry("a", 2, 10))).toBe(true);
    expect(options.changed(entry("a", 1, 10), entry("a", 1, 10))).toBe(false);
    expect([1, 2, 3].map(options.retryDelay)).toEqual([1000, 2000, 4000]);
    expect(options.retryDelay(20)).toBe(60_000);
  });

  it("derives backoff and retry delays from intervalMs, and lets backoff.maxMs grow to fit a larger interval", () => {
    expect(normalizePollerOptions({ list, intervalMs: 250 }).backoff).toEqual({ initialMs: 250, factor: 2, maxMs: 60_000 });
    expect(normalizePollerOptions({ list, intervalMs: 120_000 }).backoff).toEqual({ initialMs: 120_000, factor: 2, maxMs: 120_000 });
    expect(normalizePollerOptions({ list, backoff: { initialMs: 90_000 } }).backoff).toEqual({ initialMs: 90_000, factor: 2, maxMs: 90_000 });
    expect(normalizePollerOptions({ list, intervalMs: MIN_INTERVAL_MS }).intervalMs).toBe(10);
  });

  it("compare: mtime only, size only, or a function", () => {
    const mtime = normalizePollerOptions({ list, compare: "mtime" }).changed;
    expect([mtime(entry("a", 1, 1), entry("a", 1, 2)), mtime(entry("a", 1, 1), entry("a", 2, 1))]).toEqual([false, true]);
    const size = normalizePollerOptions({ list, compare: "size" }).changed;
    expect([size(entry("a", 1, 1), entry("a", 1, 2)), size(entry("a", 1, 1), entry("a", 2, 1))]).toEqual([true, false]);
    const own = () => true;
    expect(normalizePollerOptions({ list, compare: own }).changed).toBe(own);
  });

  it("stableAfter of 0 polls or 0 ms means deliver at once", () => {
    expect(normalizePollerOptions({ list, stableAfter: { polls: 0 } }).stableAfter).toBeUndefined();
    expect(normalizePollerOptions({ list, stableAfter: { ms: 0 } }).stableAfter).toBeUndefined();
    expect(normalizePollerOptions({ list, stableAfter: { polls: 2 } }).stableAfter).toEqual({ polls: 2 });
    expect(normalizePollerOptions({ list, stableAfter: { ms: 1500 } }).stableAfter).toEqual({ ms: 1500 });
  });

  it("a filter string is compiled (pure; names compare by base name, patterns match the relative path); a predicate is taken as is", () => {
    const pattern = normalizePollerOptions({ list, filter: 'fileName ~ "*.csv"' });
    expect(pattern.acceptIsPure).toBe(true);
    expect([pattern.accept!(entry("a.csv")), pattern.accept!(entry("sub/b.csv")), pattern.accept!(entry("a.txt"))]).toEqual([true, false, false]);
    expect(normalizePollerOptions({ list, filter: 'fileName ~ "**.csv"' }).accept!(entry("sub/b.csv"))).toBe(true);
    const equal = normalizePollerOptions({ list, filter: 'fileName = "b.csv"' });
    expect([equal.accept!(entry("sub/b.csv")), equal.accept!(entry("b.csv/c"))]).toEqual([true, false]);
    const predicate = (e: PolledEntry) => e.size > 5;
    const given = normalizePollerOptions({ list, filter: predicate });
    expect(given.accept).toBe(predicate);
    expect(given.acceptIsPure).toBe(false);
  });

  it("a retryBackoffMs number is the first retry's delay, doubled after; a function's bad answers fall back to intervalMs", () => {
    expect([1, 2, 3].map(normalizePollerOptions({ list, retryBackoffMs: 50 }).retryDelay)).toEqual([50, 100, 200]);
    const answers: Record<number, number> = { 1: 7, 2: -1, 3: Number.NaN };
    const retryDelay = normalizePollerOptions({ list, intervalMs: 300, retryBackoffMs: (failures) => answers[failures]! }).retryDelay;
    expect([1, 2, 3].map(retryDelay)).toEqual([7, 300, 300]);
  });
});

describe("normalizePollerOptions validation", () => {
  it("options that are not an object", async () => {
    for (const [value, shown] of [
      [undefined, "undefined undefined"],
      [null, "null"],
      ["x", 'string "x"'],
    ] as const) {
      expect(await problemsOf(value)).toEqual([`options: expected an object with at least "list", got ${shown}`]);
    }
  });

  it("an unknown option, with a suggestion", async () => {
    expect(await problemsOf({ list, intervalMS: 100 })).toEqual(['unknown option "intervalMS"; did you mean "intervalMs"?']);
  });

  it("one message per wrong option, each starting with the option's name, all in one error", async () => {
    const problems = await problemsOf({
      list: "ls",
      intervalMs: 5,
      compare: "hash",
      stableAfter: { polls: 1.5 },
      store: {},
      lock: { acquire() {} },
      leaseMargin: 1,
      logger: console.log,
      key: "",
      emitInitial: "yes",
      includeDirectories: 1,
      handler: "h",
      concurrency: 0,
      backoff: 5,
      retryBackoffMs: -1,
    });
    expect(problems).toEqual([
      'list: expected a function returning the directory\'s entries, got string "ls"',
      "intervalMs: expected a number of milliseconds of at least 10, got 5",
      'compare: expected "mtimeAndSize", "mtime", "size" or a function (previous, current) => changed, got "hash"',
      'stableAfter: expected { polls: n } (a whole number ≥ 0) or { ms: n } (≥ 0), got {"polls":1.5}',
      "store: expected an object with load(key) and save(key, snapshot), got a object",
      "lock: expected an object with acquire(key) and release(key), got a object",
      "leaseMargin: expected a number between 0 and 1 (both excluded), got 1",
      "logger: expected an object with debug, info, warn and error, got a function",
      'key: expected a non-empty string, got ""',
      'emitInitial: expected true or false, got "yes"',
      "includeDirectories: expected true or false, got 1",
      'handler: expected a function, got string "h"',
      "concurrency: expected a whole number of at least 1, got 0",
      "backoff: expected { initialMs, factor, maxMs }, got number 5",
      "retryBackoffMs: expected a number of milliseconds ≥ 0 or a function of the failure count, got -1",
    ]);
  });

  it("the error message joins the problems after 'Invalid poller options:'", () => {
    expect(() => normalizePollerOptions({ list, intervalMs: 5, concurrency: 1.5 })).toThrow(
      "Invalid poller options: intervalMs: expected a number of milliseconds of at least 10, got 5; concurrency: expected a whole number of at least 1, got 1.5",
    );
  });

  it("intervalMs: negative, infinite and non-numbers", async () => {
    expect(await problemsOf({ list, intervalMs: -5 })).toEqual([
      "intervalMs: expected a number of milliseconds of at least 10, got -5 (it must not be negative)",
    ]);
    expect(await problemsOf({ list, intervalMs: Number.POSITIVE_INFINITY })).toEqual([
      "intervalMs: expected a number of milliseconds of at least 10, got Infinity",
    ]);
    expect(await problemsOf({ list, intervalMs: "100" })).toEqual(['intervalMs: expected a number of milliseconds of at least 10, got "100"']);
  });

  it("stableAfter: every wrong shape", async () => {
    const message = (shown: string) => [`stableAfter: expected { polls: n } (a whole number ≥ 0) or { ms: n } (≥ 0), got ${shown}`];
    expect(await problemsOf({ list, stableAfter: 3 })).toEqual(message("3"));
    expect(await problemsOf({ list, stableAfter: null })).toEqual(message("null"));
    expect(await problemsOf({ list, stableAfter: { polls: -1 } })).toEqual(message('{"polls":-1}'));
    expect(await problemsOf({ list, stableAfter: { ms: -1 } })).toEqual(message('{"ms":-1}'));
    expect(await problemsOf({ list, stableAfter: { polls: 1, ms: 1 } })).toEqual(message('{"polls":1,"ms":1}'));
  });

  it("leaseMargin 0 and non-numbers", async () => {
    expect(await problemsOf({ list, leaseMargin: 0 })).toEqual(["leaseMargin: expected a number between 0 and 1 (both excluded), got 0"]);
    expect(await problemsOf({ list, leaseMargin: "0.5" })).toEqual(['leaseMargin: expected a number between 0 and 1 (both excluded), got "0.5"']);
  });

  it("concurrency: fractions and non-numbers", async () => {
    expect(await problemsOf({ list, concurrency: 2.5 })).toEqual(["concurrency: expected a whole number of at least 1, got 2.5"]);
    expect(await problemsOf({ list, concurrency: "4" })).toEqual(['concurrency: expected a whole number of at least 1, got "4"']);
  });

  it("backoff: each field, and maxMs below initialMs", async () => {
    expect(await problemsOf({ list, backoff: { initialMs: -1, factor: 0.5, maxMs: -2 } })).toEqual([
      "backoff.initialMs: expected a number of milliseconds ≥ 0, got -1",
      "backoff.factor: expected a number ≥ 1, got 0.5",
      "backoff.maxMs: expected a number of milliseconds ≥ 0, got -2",
    ]);
    expect(await problemsOf({ list, backoff: { initialMs: 5000, maxMs: 1000 } })).toEqual([
      "backoff.maxMs: expected at least backoff.initialMs (5000), got 1000",
    ]);
    expect(await problemsOf({ list, backoff: null })).toEqual(["backoff: expected { initialMs, factor, maxMs }, got null"]);
  });

  it("a wrong intervalMs does not also make the backoff derived from it wrong", async () => {
    expect(await problemsOf({ list, intervalMs: 1 })).toEqual(["intervalMs: expected a number of milliseconds of at least 10, got 1"]);
  });

  it("filter: a parse error is named under filter, its caret lines kept in problems but out of the message", async () => {
    const error = await rejectionOf(() => normalizePollerOptions({ list, filter: "fileName ~" }), isSftpConnectorError);
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems[0]).toMatch(/^filter/);
    expect(error.message.startsWith("Invalid poller options: filter")).toBe(true);
    expect(error.message).not.toContain("\n");
  });

  it("filter: a tree with a wrong operator is named by its path under filter", async () => {
    const problems = await problemsOf({ list, filter: { and: [{ field: "fileName", operator: "resembles", value: "x" }] } });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.startsWith("filter"))).toBe(true);
    expect(problems.join("\n")).toContain("operator");
  });
});
