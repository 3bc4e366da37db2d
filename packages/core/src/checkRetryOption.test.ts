// The retry option every operation takes: defaults, and each bad value named by its field.
import { describe, expect, it } from "vitest";
import { checkRetryOption, RETRY_OPTION_DEFAULTS } from "./checkRetryOption.js";

function check(value: unknown): { retry: unknown; problems: string[] } {
  const problems: string[] = [];
  const retry = checkRetryOption(value, problems);
  return { retry, problems };
}

describe("checkRetryOption", () => {
  it.each([[undefined], [null], [{}]])("fills in one retry after 1000 ms for %j", (value) => {
    expect(check(value)).toEqual({ retry: { attempts: 1, backoffMs: 1_000 }, problems: [] });
    expect(RETRY_OPTION_DEFAULTS).toEqual({ attempts: 1, backoffMs: 1_000 });
  });

  it("keeps given values, 0 included, and fills in the other", () => {
    expect(check({ attempts: 0, backoffMs: 0 })).toEqual({ retry: { attempts: 0, backoffMs: 0 }, problems: [] });
    expect(check({ attempts: 3 })).toEqual({ retry: { attempts: 3, backoffMs: 1_000 }, problems: [] });
    expect(check({ backoffMs: 2.5 })).toEqual({ retry: { attempts: 1, backoffMs: 2.5 }, problems: [] });
  });

  it("names each bad value by its field", () => {
    expect(check({ attempts: -1, backoffMs: "soon" }).problems).toEqual([
      "retry.attempts: expected an integer of 0 or more, got -1",
      'retry.backoffMs: expected a number of 0 or more, got "soon"',
    ]);
    expect(check({ attempts: 1.5, backoffMs: Number.NaN }).problems).toEqual([
      "retry.attempts: expected an integer of 0 or more, got 1.5",
      "retry.backoffMs: expected a number of 0 or more, got NaN",
    ]);
    expect(check({ attempts: null, backoffMs: Infinity }).problems).toEqual([
      "retry.attempts: expected an integer of 0 or more, got null",
      "retry.backoffMs: expected a number of 0 or more, got Infinity",
    ]);
  });

  it("refuses a retry that is not an object", () => {
    expect(check(3).problems).toEqual(["retry: expected an object { attempts, backoffMs }, got 3"]);
    expect(check("twice").problems).toEqual(['retry: expected an object { attempts, backoffMs }, got "twice"']);
  });

  it("adds to the problems already found", () => {
    const problems = ["fileName: missing"];
    checkRetryOption({ attempts: -1 }, problems);
    expect(problems).toEqual(["fileName: missing", "retry.attempts: expected an integer of 0 or more, got -1"]);
  });
});
