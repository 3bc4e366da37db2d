// How problem lines show a wrong value.
import { describe, expect, it } from "vitest";
import { describeValue } from "./describeValue.js";

describe("describeValue", () => {
  it.each([
    ["yes", '"yes"'],
    ["", '""'],
    [null, "null"],
    [undefined, "undefined"],
    [[1, 2], "an array"],
    [{ a: 1 }, "an object"],
    [42, "42"],
    [Number.NaN, "NaN"],
    [true, "true"],
  ])("shows %j as %s", (value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });
});
