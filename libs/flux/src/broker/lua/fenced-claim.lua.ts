/**
 * One XAUTOCLAIM step (any idle time, JUSTID: no delivery counted) only while the lease key
 * holds the caller's token, so a holder that lost its lease cannot take pending messages away
 * from its successor.
 * KEYS[1] stream; KEYS[2] lease; ARGV[1] group; ARGV[2] consumer; ARGV[3] cursor; ARGV[4] count;
 * ARGV[5] token. Returns XAUTOCLAIM's reply, or the error FLUXLEASE.
 * @internal
 */
export const FENCED_CLAIM_LUA = `
if redis.call('GET', KEYS[2]) ~= ARGV[5] then
  return redis.error_reply('FLUXLEASE lease not held')
end
return redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'COUNT', ARGV[4], 'JUSTID')
`;
