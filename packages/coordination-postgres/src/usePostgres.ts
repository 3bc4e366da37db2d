// Test support: one real PostgreSQL (from the testkit) and a pg.Pool on it for the tests of one file, stopped after them.
import { afterAll, beforeAll } from "vitest";
import pg from "pg";
import { startPostgres, type PostgresServer } from "@sftp-connector/testkit";

/** The server and pool of a test file, set once its `beforeAll` ran. */
export interface PostgresFixture {
  server: PostgresServer;
  pool: pg.Pool;
}

/** Registers hooks that start PostgreSQL with a pool of `max` connections before the file's tests and stop both after them. */
export function usePostgres(max: number): PostgresFixture {
  const fixture = {} as PostgresFixture;
  beforeAll(async () => {
    fixture.server = await startPostgres();
    fixture.pool = new pg.Pool({ connectionString: fixture.server.connectionString, max });
  });
  afterAll(async () => {
    await fixture.pool?.end();
    await fixture.server?.stop();
  });
  return fixture;
}
