// The examples run as documented: the quick-start demo (all seven operations) and the Boomi migration.
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const start = (example: string) => run("pnpm", ["--silent", "--filter", example, "start"], { cwd: root, timeout: 180_000 });

describe("examples", () => {
  it("quickstart runs all seven operations", async () => {
    const { stdout } = await start("@sftp-connector/example-quickstart");
    for (const op of ["TEST", "CREATE", "UPSERT", "GET", "LIST", "QUERY", "DELETE", "LISTEN"]) expect(stdout).toMatch(new RegExp(`^${op} `, "m"));
    expect(stdout).toContain('GET     invoice.txt (16 bytes): "invoice #1\\npaid\\n"');
    expect(stdout).toContain("LISTEN  added invoice.txt, removed invoice.txt");
  }, 200_000);

  it("boomi-migration uses a Boomi connection's properties as they are", async () => {
    const { stdout } = await start("@sftp-connector/example-boomi-migration");
    expect(stdout).toMatch(/^Test Connection: SSH-2\.0-OpenSSH/m);
    expect(stdout).toContain('"fileName":"order2.xml"');
  }, 200_000);
});
