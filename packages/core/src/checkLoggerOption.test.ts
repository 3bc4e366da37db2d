// An operation's logger option: checked, bound to its object, silent where it has no method.
import { describe, expect, it } from "vitest";
import { checkLoggerOption } from "./checkLoggerOption.js";
import { silentLogger } from "./Logger.js";

describe("checkLoggerOption", () => {
  it("is silent when no logger is given", () => {
    const problems: string[] = [];
    const logger = checkLoggerOption(undefined, problems);
    expect(problems).toEqual([]);
    expect(logger).toEqual(silentLogger);
  });

  it("binds a class logger's methods to it (as pino's and winston's need) and fills in the missing ones", () => {
    class PrefixLogger {
      readonly lines: string[] = [];
      constructor(private readonly prefix: string) {}
      warn(message: string): void {
        this.lines.push(`${this.prefix}: ${message}`);
      }
    }
    const given = new PrefixLogger("app");
    const problems: string[] = [];
    const { warn, debug, info, error } = checkLoggerOption(given, problems);
    warn("careful");
    debug("not told");
    expect(given.lines).toEqual(["app: careful"]);
    expect([info, error]).toEqual([silentLogger.info, silentLogger.error]);
    expect(problems).toEqual([]);
  });

  it.each([[null], ["console"], [{}], [{ warn: "loud" }]])("refuses %j", (value) => {
    const problems: string[] = [];
    checkLoggerOption(value, problems);
    expect(problems).toEqual(["logger: expected an object with debug, info, warn and error methods"]);
  });
});
