// Unit tests of the CREATE name templates.
import { describe, expect, it } from "vitest";
import { expandFileNameTemplate, TEMPLATE_VARIABLES } from "./expandFileNameTemplate.js";

const now = new Date(2024, 0, 31, 9, 5, 7, 42); // local time
const uuid = "0b9f6c1e-6a8f-4c57-9d36-2f5b0c3f8a11";

describe("expandFileNameTemplate", () => {
  it("expands every variable: $BASE, $EXTENSION, $UUID, $TIME (HHmmss.SSS), $DATE (yyyyMMdd)", () => {
    expect(expandFileNameTemplate("$BASE_$DATE.$EXTENSION", "orders.csv", { now })).toBe("orders_20240131.csv");
    expect(expandFileNameTemplate("$BASE-$TIME.$EXTENSION", "orders.csv", { now })).toBe("orders-090507.042.csv");
    expect(expandFileNameTemplate("$UUID.tmp", "orders.csv", { uuid })).toBe(`${uuid}.tmp`);
    expect(expandFileNameTemplate("$DATE$TIME$BASE$EXTENSION$UUID", "a.b", { now, uuid })).toBe(`20240131090507.042ab${uuid}`);
  });

  it("lists the variables in Boomi's replacement order", () => {
    expect(TEMPLATE_VARIABLES).toEqual(["$BASE", "$EXTENSION", "$UUID", "$TIME", "$DATE"]);
  });

  it("splits at the last dot; no dot, or a leading dot, means no extension", () => {
    expect(expandFileNameTemplate("$BASE|$EXTENSION", "a.tar.gz")).toBe("a.tar|gz");
    expect(expandFileNameTemplate("$BASE|$EXTENSION", "README")).toBe("README|");
    expect(expandFileNameTemplate("$BASE|$EXTENSION", ".bashrc")).toBe(".bashrc|");
    expect(expandFileNameTemplate("$BASE|$EXTENSION", "a.")).toBe("a|");
  });

  it("does not rescan expanded text: a name holding $DATE keeps it", () => {
    expect(expandFileNameTemplate("$BASE.$EXTENSION", "a$DATE$UUID.txt", { now, uuid })).toBe("a$DATE$UUID.txt");
  });

  it("leaves text that is no variable alone, and a longer word is matched by its variable prefix (as Java's replace)", () => {
    expect(expandFileNameTemplate("$BASENAME $FOO $ $$BASE", "x.y")).toBe("xNAME $FOO $ $x");
  });

  it("uses a fresh random UUID when none is given", () => {
    const a = expandFileNameTemplate("$UUID", "x");
    const b = expandFileNameTemplate("$UUID", "x");
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  it("pads date and time fields", () => {
    expect(expandFileNameTemplate("$DATE $TIME", "x", { now: new Date(2003, 1, 3, 4, 5, 6, 7) })).toBe("20030203 040506.007");
  });
});
