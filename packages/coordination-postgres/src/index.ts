// @sftp-connector/coordination-postgres: LISTEN on several machines with PostgreSQL (a fenced lease, checkpoint store and work queue on your pg.Pool).
export { createPostgresCoordination } from "./createPostgresCoordination.js";
export type { PostgresCoordination, PostgresCoordinationOptions } from "./createPostgresCoordination.js";
export type { PostgresLock, PostgresLease } from "./createPostgresLock.js";
export type { PostgresStore } from "./createPostgresStore.js";
export type { PostgresQueryable } from "./createStatementRunner.js";
export { coordinationDdl } from "./coordinationDdl.js";
export type { CoordinationTables, CoordinationTablesOptions } from "./coordinationDdl.js";
export { migrate } from "./migrate.js";
export type { MigrateOptions } from "./migrate.js";
