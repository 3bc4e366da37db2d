// The README's example runs as written (against the workspace sources and a real testbed): one file delivered, the signal stops the listener, the file moved.
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@sftp-connector/testkit";

describe("README example", () => {
  it("runs and prints the documented results", async () => {
    const stdout = await runReadmeExample(new URL("../README.md", import.meta.url), { workspace: new URL("../../..", import.meta.url) });
    expect(stdout.trim().split("\n")).toEqual(['added orders.csv "id;qty\\n1;5\\n"', "./done/orders.csv ./notes.txt"]);
  }, 180_000);
});
