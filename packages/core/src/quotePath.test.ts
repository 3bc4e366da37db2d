import { describe, expect, it } from "vitest";
import { quotePath } from "./index.js";

describe("quotePath", () => {
  it("wraps a plain path in single quotes, as Boomi's messages do", () => {
    expect(quotePath("/home/tester/in.txt")).toBe("'/home/tester/in.txt'");
    expect(quotePath("relative dir/a b.txt")).toBe("'relative dir/a b.txt'");
    expect(quotePath("")).toBe("''");
  });
  it("escapes quotes, backslashes and control characters so a name cannot end the quotes or forge a line", () => {
    expect(quotePath("/in/it's.txt")).toBe("'/in/it\\'s.txt'");
    expect(quotePath("/in/a\\b")).toBe("'/in/a\\\\b'");
    expect(quotePath("/in/a\nERROR fake")).toBe("'/in/a\\nERROR fake'");
    expect(quotePath("/in/\t\r\u0000\u007f")).toBe("'/in/\\t\\r\\x00\\x7f'");
  });
  it("keeps non-ASCII names as they are", () => {
    expect(quotePath("/in/Ünïcode ✓.txt")).toBe("'/in/Ünïcode ✓.txt'");
  });
});
