// The CTE every fenced write opens with: the lease row, taken FOR SHARE, only when it is live for this owner and token.
import type { CoordinationTables } from "./coordinationDdl.js";

/**
 * `lease AS (…)`: selects the lease row of scope `$1` `FOR SHARE` when it is held by the owner in
 * parameter `$<owner>` under the token in `$<token>` and not yet lapsed by `clock_timestamp()`. A
 * statement that writes `FROM lease` writes nothing when the lease is not live, and a concurrent
 * takeover (an upsert of that row) waits for the write to commit, or the write sees the new token.
 */
export function liveLeaseSql(tables: CoordinationTables, owner: number, token: number): string {
  return `lease AS (
  SELECT token FROM ${tables.leases}
  WHERE scope = $1 AND owner = $${owner} AND token = $${token}::bigint AND expires_at > clock_timestamp()
  FOR SHARE
)`;
}
