// The README's example runs as written (against this package's source and a real PostgreSQL), twice, and prints what its comments say.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { promisedOutput, readmeCodeBlock, runReadmeExample, startPostgres, type PostgresServer } from "@sftp-connector/testkit";

const readme = new URL("../README.md", import.meta.url);
let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres({ password: "readme-secret" });
});
afterAll(async () => {
  await server?.stop();
});

describe("README example", () => {
  it("runs and prints the documented results, on a fresh database and again on the same one", async () => {
    const expected = promisedOutput(readmeCodeBlock(readme));
    expect(expected).toEqual(["false", "a.csv 1", "true", "LOCK_LOST 1"]);
    for (let run = 0; run < 2; run++) {
      const out = await runReadmeExample(readme, {
        replaceImports: { "@sftp-connector/coordination-postgres": fileURLToPath(new URL("./index.ts", import.meta.url)) },
        // Inside the package's node_modules, so `pg` and `@sftp-connector/*` resolve as they would for a user.
        dir: new URL("../node_modules/", import.meta.url),
        env: { ...process.env, DATABASE_URL: server.connectionString },
      });
      expect(out.trim().split("\n")).toEqual(expected);
    }
  });
});
