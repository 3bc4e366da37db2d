// Unit tests of FORCE_UNIQUE_NAMES numbering.
import { describe, expect, it } from "vitest";
import { nextUniqueName, uniqueNamePattern } from "./nextUniqueName.js";
import { splitFileName } from "./splitFileName.js";

describe("nextUniqueName", () => {
  it("numbers as Boomi does", () => {
    expect(nextUniqueName("a.txt", [])).toBe("a.txt");
    expect(nextUniqueName("a.txt", ["b.txt", "a.csv"])).toBe("a.txt");
    expect(nextUniqueName("a.txt", ["a.txt"])).toBe("a1.txt");
    expect(nextUniqueName("a.txt", ["a.txt", "a1.txt"])).toBe("a2.txt");
    expect(nextUniqueName("a.txt", ["a7.txt"])).toBe("a8.txt");
    expect(nextUniqueName("a.txt", ["a.txt", "a3.txt", "a10.txt", "a2.txt"])).toBe("a11.txt");
    expect(nextUniqueName("a.txt", ["a01.txt"])).toBe("a2.txt");
  });

  it("ignores names that only look alike", () => {
    expect(nextUniqueName("a.txt", ["ab.txt", "a1b.txt", "a.txt.bak", "xa1.txt", "a-1.txt", "A1.txt", "a١.txt"])).toBe("a.txt");
  });

  it("escapes regex metacharacters in the name (Boomi does not)", () => {
    expect(nextUniqueName("a+b(1).txt", ["a+b(1).txt"])).toBe("a+b(1)1.txt");
    expect(nextUniqueName("a+b(1).txt", ["aab(1).txt", "ab(1).txt", "a+b(1)4.txt"])).toBe("a+b(1)5.txt");
    expect(nextUniqueName("x.*", ["xyz.abc", "x.*"])).toBe("x1.*");
    expect(nextUniqueName("[a]{2}.txt", ["aa.txt"])).toBe("[a]{2}.txt");
    expect(nextUniqueName("a^$|?.txt", ["a^$|?.txt"])).toBe("a^$|?1.txt");
    expect(() => uniqueNamePattern("(((.txt")).not.toThrow();
  });

  it("treats a name without a dot or with a leading dot as having no extension", () => {
    expect(nextUniqueName("README", ["README", "README4"])).toBe("README5");
    expect(nextUniqueName(".bashrc", [".bashrc"])).toBe(".bashrc1");
    expect(nextUniqueName(".env.local", [".env.local"])).toBe(".env.local1");
    expect(nextUniqueName("a.", ["a."])).toBe("a1.");
    expect(nextUniqueName("a.tar.gz", ["a.tar.gz"])).toBe("a.tar1.gz");
  });

  it("handles numbers past 2^53 exactly", () => {
    expect(nextUniqueName("a.txt", ["a99999999999999999999.txt"])).toBe("a100000000000000000000.txt");
  });

  it("handles Unicode and spaces", () => {
    expect(nextUniqueName("rapport été 2024.pdf", ["rapport été 2024.pdf"])).toBe("rapport été 20241.pdf");
    expect(nextUniqueName("日本.txt", ["日本.txt", "日本9.txt"])).toBe("日本10.txt");
  });
});

describe("splitFileName", () => {
  it("splits at the last dot unless the name starts with one", () => {
    expect(splitFileName("a.txt")).toEqual({ base: "a", extension: "txt", suffix: ".txt" });
    expect(splitFileName("a")).toEqual({ base: "a", extension: "", suffix: "" });
    expect(splitFileName(".a.txt")).toEqual({ base: ".a.txt", extension: "", suffix: "" });
    expect(splitFileName("a.")).toEqual({ base: "a", extension: "", suffix: "." });
  });
});
