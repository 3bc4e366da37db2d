import { describe, expect, it } from "vitest";
import { TableWriter, formatTable, sanitizeCell, type Column } from "./formatTable.js";

interface Row {
  name: string;
  size: number;
}

const columns: Column<Row>[] = [
  { header: "SIZE", value: (r) => r.size, align: "right" },
  { header: "NAME", value: (r) => r.name },
];

describe("formatTable", () => {
  it("aligns columns two spaces apart, numbers right, no trailing spaces", () => {
    expect(
      formatTable(columns, [
        { name: "a.txt", size: 5 },
        { name: "big.bin", size: 123456 },
      ]),
    ).toEqual(["  SIZE  NAME", "     5  a.txt", "123456  big.bin"]);
  });

  it("prints nothing for no rows, and can leave out the header", () => {
    expect(formatTable(columns, [])).toEqual([]);
    expect(formatTable(columns, [{ name: "a", size: 1 }], { header: false })).toEqual(["1  a"]);
  });

  it("escapes control characters so a server's file name cannot drive the terminal", () => {
    const [, line] = formatTable(columns, [{ name: "evil\u001b[2J\nname\u009b", size: 1 }]);
    expect(line).toBe("   1  evil\\x1b[2J\\x0aname\\x9b");
    expect(sanitizeCell("a\u2028b")).toBe("a\\u2028b");
    expect(sanitizeCell(undefined)).toBe("");
    expect(sanitizeCell(true)).toBe("true");
  });

  it("measures width in code points", () => {
    expect(
      formatTable(
        [
          { header: "N", value: (r: { n: string }) => r.n },
          { header: "X", value: () => "x" },
        ],
        [{ n: "ü€" }, { n: "abc" }],
      ),
    ).toEqual(["N    X", "ü€   x", "abc  x"]);
  });
});

describe("TableWriter", () => {
  it("sizes the columns on the first rows, then streams", async () => {
    const lines: string[] = [];
    const writer = new TableWriter(columns, (line) => void lines.push(line), { bufferRows: 2 });
    await writer.add({ name: "a", size: 1 });
    await writer.add({ name: "b", size: 22 });
    expect(lines).toEqual([]);
    await writer.add({ name: "c", size: 333 });
    expect(lines).toEqual(["SIZE  NAME", "   1  a", "  22  b", " 333  c"]);
    await writer.add({ name: "d", size: 4444444 });
    await writer.end();
    expect(lines.at(-1)).toBe("4444444  d");
  });

  it("writes held-back rows at the end, and nothing for no rows", async () => {
    const lines: string[] = [];
    const writer = new TableWriter(columns, (line) => void lines.push(line));
    await writer.add({ name: "a", size: 1 });
    await writer.end();
    expect(lines).toEqual(["SIZE  NAME", "   1  a"]);
    const none: string[] = [];
    await new TableWriter(columns, (line) => void none.push(line)).end();
    expect(none).toEqual([]);
  });

  it("with no buffer uses header widths and minWidth", async () => {
    const lines: string[] = [];
    const writer = new TableWriter(
      [
        { header: "EVENT", value: (r: { e: string }) => r.e, minWidth: 8 },
        { header: "NAME", value: () => "x" },
      ],
      (l) => void lines.push(l),
      { bufferRows: 0 },
    );
    await writer.add({ e: "added" });
    await writer.add({ e: "modified" });
    expect(lines).toEqual(["EVENT     NAME", "added     x", "modified  x"]);
  });
});
