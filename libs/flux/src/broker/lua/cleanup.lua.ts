/**
 * Removes a consumer from its group only when it holds no pending message, atomically, so a
 * message delivered between a check and the delete cannot become unclaimable.
 * KEYS[1] stream; ARGV[1] group; ARGV[2] consumer. Returns 1 when removed, 0 when kept (or when the stream
 * or group is gone).
 * @internal
 */
export const CLEANUP_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local pending = redis.pcall('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if pending.err then return 0 end
if #pending > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
`;
