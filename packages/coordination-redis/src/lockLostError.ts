// LOCK_LOST: a fenced write refused because its token is not the live lease's, the Lua check every fenced script starts with.
import { SftpConnectorError } from "@sftp-connector/core";

/**
 * A Lua function for the top of a fenced script: `fence(leaseKey, tokenKey, owner, token)` returns
 * nil when `owner` holds a live lease whose token is `token`, else `{0, liveToken}` (`''` when no
 * lease is live) for the script to return as it is, writing nothing.
 */
export const FENCE_LUA = `
local function fence(leaseKey, tokenKey, owner, token)
  local holder = redis.call('GET', leaseKey)
  local live = redis.call('GET', tokenKey)
  if holder and holder == owner and live == token then return nil end
  if holder then return {0, live or ''} end
  return {0, ''}
end
`;

/**
 * The `LOCK_LOST` error of a fenced write: `fencingToken` is not the token of the live lease
 * (`liveToken`, empty when no lease is live). Never retryable: the writer must stop and go back to standby.
 */
export function lockLostError(what: string, key: string, fencingToken: string, liveToken: string, operation: string): SftpConnectorError {
  const live = liveToken === "" ? "no lease is live" : `the live lease has token ${liveToken}`;
  return new SftpConnectorError("LOCK_LOST", `${what} for ${key} refused: fencing token ${fencingToken} is not the live lease's (${live})`, {
    operation,
    retryable: false,
  });
}
