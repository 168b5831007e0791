/**
 * Extends a lease only while it still holds the caller's token (compare-and-set), so a holder
 * whose lease expired and was taken by another cannot extend the successor's lease.
 * KEYS[1] lease; ARGV[1] token; ARGV[2] time-to-live in ms. Returns 1 when extended, else 0.
 * @internal
 */
export const LEASE_RENEW_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

/**
 * Deletes a lease only while it holds the caller's token, so a late release never frees a
 * successor's lease. KEYS[1] lease; ARGV[1] token. Returns 1 when released, else 0.
 * @internal
 */
export const LEASE_RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;
