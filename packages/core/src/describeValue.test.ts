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

  it.each([
    ["yes", "string", "string"],
    [null, "null", "null"],
    [undefined, "undefined", "undefined"],
    [[1], "an array", "an array"],
    [{ a: 1, b: 2 }, "object", "an object with keys [a, b]"],
    [42, "number", "number"],
  ])("as type shows %j as %s (with keys: %s)", (value, type, withKeys) => {
    expect(describeValue(value, { as: "type" })).toBe(type);
    expect(describeValue(value, { as: "type", keys: true })).toBe(withKeys);
  });

  it("as type shows a function as function", () => {
    expect(describeValue(() => 1, { as: "type" })).toBe("function");
  });

  it.each([
    ["yes", 'string "yes"'],
    [42, "number 42"],
    [false, "boolean false"],
    [undefined, "undefined undefined"],
    [null, "null"],
    [[1], "an array"],
    [{ a: 1 }, "a object"],
    [() => 1, "a function"],
  ])("as typeAndValue shows %j as %s", (value, shown) => {
    expect(describeValue(value, { as: "typeAndValue" })).toBe(shown);
  });
});
