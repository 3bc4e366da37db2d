// The examples run as documented: the quick-start demo (all seven operations), the Boomi migration and the listener group.
// biome-ignore-all lint/complexity/noAdjacentSpacesInRegex: the patterns mirror the examples' column-aligned output, spaces and all.
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

  it("boomi-migration runs every operation from Boomi's stored connection and operation properties, with Boomi's statuses", async () => {
    const { stdout } = await start("@sftp-connector/example-boomi-migration");
    expect(stdout).toMatch(/^Test Connection: SSH-2\.0-OpenSSH/m);
    // CREATE with FORCE_UNIQUE_NAMES and the extended profile (includeAllMetadata from the stored properties).
    expect(stdout).toMatch(
      /^CREATE  SUCCESS 0 Created the file successfully \{"fileName":"order2\.xml","remoteDirectory":"\/home\/tester\/outbound","timestamp":"[\d-]+ [\d:.]+"\}$/m,
    );
    // UPSERT with Boomi's createDir into a missing directory, then append.
    expect(
      stdout.match(/^UPSERT  SUCCESS 0 Created the file successfully \{"fileName":"audit\.log","remoteDirectory":"\/home\/tester\/outbound\/logs"\}$/gm),
    ).toHaveLength(2);
    expect(stdout).toContain('GET     SUCCESS 0 Success order1.xml: <order n="1"/>');
    expect(stdout).toContain("GET     SUCCESS 0 Success (no document)");
    expect(stdout).toMatch(/^GET     APPLICATION_ERROR 400 Remote directory does not exist/m);
    // LIST with Boomi's recursiveList: one level deeper, the appended file is 14 bytes.
    expect(stdout).toContain('LIST    SUCCESS 0 Success {"fileName":"audit.log","directory":"/home/tester/outbound/logs","fileSize":14,"isDirectory":false}');
    expect(stdout).toContain('LIST    SUCCESS 0 Success {"fileName":"2025.log","directory":"/home/tester/outbound/archive","fileSize":9,"isDirectory":false}');
    expect(stdout.match(/^QUERY   SUCCESS 0 Success order\d?\.xml: <order n="\d"\/>$/gm)).toHaveLength(3);
    expect(stdout).toContain("DELETE  SUCCESS 0 Success never-was.xml deleted: false");
    expect(stdout).toContain('LIST    FAILURE -1 unknown property "recursivList"; did you mean "recursiveList"?');
    expect(stdout).toContain("LISTEN  added order.xml, added order1.xml, added order2.xml, removed order.xml, removed order1.xml, removed order2.xml");
  }, 200_000);

  it("cluster: three listener processes on PostgreSQL deliver each file once; the killed leader's successor has a higher fencing token", async () => {
    const { stdout } = await start("@sftp-connector/example-cluster");
    expect(stdout).toMatch(/^members A, B and C listen to \/home\/tester\/inbox as one failover group/m);
    const first = /^order-1\.xml delivered once, by member ([ABC]) \(fencing token (\d+)\)$/m.exec(stdout);
    const second = /^order-2\.xml delivered once, by member ([ABC]) \(fencing token (\d+)\)$/m.exec(stdout);
    expect(first, stdout).not.toBeNull();
    expect(second, stdout).not.toBeNull();
    expect(second![1]).not.toBe(first![1]);
    expect(Number(second![2])).toBeGreaterThan(Number(first![2]));
    expect(stdout).toContain(`member ${first![1]} killed (SIGKILL)`);
    expect(stdout).toMatch(/^members [ABC] and [ABC] stopped with SIGTERM: exit codes 0, 0$/m);
    expect(stdout).toContain("deliveries in all: order-1.xml ×1, order-2.xml ×1");
  }, 900_000);
});
