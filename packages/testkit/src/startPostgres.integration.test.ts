// startPostgres proves itself with the real `pg` client over TCP 127.0.0.1: trust and password logins, a created database, data across a restart, pause, and stop removing the container.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { fileURLToPath } from "node:url";
import { ensureEngineImage, promisedOutput, readmeCodeBlock, runReadmeExample, startPostgres, type PostgresServer } from "./index.js";
import { dockerRequest } from "./dockerEngine.js";

/** Runs one query on a fresh client and closes it. */
async function query(connectionString: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

// The first run on a machine builds the engines image (debootstrap, a minute or more on a busy machine).
beforeAll(() => ensureEngineImage(), 900_000);

describe("startPostgres without a password (trust)", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("answers a real query over TCP 127.0.0.1 as postgres, PostgreSQL 15, on the chosen port", async () => {
    expect(server.host).toBe("127.0.0.1");
    expect(server.password).toBeUndefined();
    expect(server.connectionString).toBe(`postgresql://postgres@127.0.0.1:${server.port}/postgres`);
    const { rows } = await query(
      server.connectionString,
      "select current_user as user, current_database() as db, inet_server_addr()::text as addr, inet_server_port() as port, current_setting('server_version_num')::int as version",
    );
    expect(rows).toEqual([{ user: "postgres", db: "postgres", addr: "127.0.0.1/32", port: server.port, version: expect.any(Number) }]);
    expect(Math.floor(rows[0].version / 10_000)).toBe(15);
  });

  it("psql runs SQL inside the container; a row written over TCP survives a restart", async () => {
    await query(server.connectionString, "create table t (id int primary key, name text)");
    await query(server.connectionString, "insert into t values ($1, $2), ($3, $4)", [1, "one", 2, "two"]);
    expect(await server.psql("select id, name from t order by id")).toBe("1|one\n2|two");
    await server.restart();
    const { rows } = await query(server.connectionString, "select name from t order by id");
    expect(rows.map((r) => r.name)).toEqual(["one", "two"]);
    await expect(server.psql("select * from no_such_table")).rejects.toThrow(/no_such_table/);
  });

  it("pause freezes the server: a query started while paused completes only after unpause", async () => {
    const client = new pg.Client({ connectionString: server.connectionString });
    await client.connect();
    try {
      await server.pause();
      let settled = false;
      const pending = client.query("select 42 as answer").finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 500));
      expect(settled).toBe(false);
      await server.unpause();
      expect((await pending).rows).toEqual([{ answer: 42 }]);
    } finally {
      await client.end();
    }
  });
});

describe("startPostgres with a password and a database", () => {
  it("refuses a wrong password over TCP, accepts the right one into the created database, and stop removes the container", async () => {
    const server = await startPostgres({ password: "s3cret p@ss'word", database: "coordination" });
    try {
      expect(server.database).toBe("coordination");
      expect(server.connectionString).toBe(`postgresql://postgres:${encodeURIComponent("s3cret p@ss'word")}@127.0.0.1:${server.port}/coordination`);
      const wrong = `postgresql://postgres:wrong@127.0.0.1:${server.port}/coordination`;
      await expect(query(wrong, "select 1")).rejects.toThrow(/password authentication failed/);
      const noPassword = `postgresql://postgres@127.0.0.1:${server.port}/coordination`;
      await expect(query(noPassword, "select 1")).rejects.toThrow(/password/);
      const { rows } = await query(server.connectionString, "select current_database() as db");
      expect(rows).toEqual([{ db: "coordination" }]);
      expect(await server.psql("select current_database()")).toBe("coordination");
    } finally {
      await server.stop();
    }
    expect((await dockerRequest("GET", `/containers/${server.containerId}/json`)).status).toBe(404);
    await expect(query(server.connectionString, "select 1")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("rejects an unknown option before starting anything", async () => {
    await expect(startPostgres({ pasword: "x" } as never)).rejects.toThrow(/unknown option\(s\) pasword/);
  });
});

describe("the README's PostgreSQL and Redis example", () => {
  it("runs as written (pg and ioredis resolved from the testkit's node_modules) and prints what it promises", async () => {
    const readme = new URL("../README.md", import.meta.url);
    const block = 4;
    expect(readmeCodeBlock(readme, block)).toContain("startPostgres");
    const out = await runReadmeExample(readme, {
      block,
      dir: fileURLToPath(new URL("..", import.meta.url)),
      replaceImports: { "@sftp-connector/testkit": fileURLToPath(new URL("./index.ts", import.meta.url)) },
    });
    expect(out.trim().split("\n")).toEqual(promisedOutput(readmeCodeBlock(readme, block)));
  }, 180_000);
});
