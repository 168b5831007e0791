/**
 * Saves a feed offset unless a higher one is stored, so an offset never moves back (a replica
 * that lost its lease mid-event cannot rewind its successor). Positions are below 2^53, exact
 * as Lua numbers. KEYS[1] offset key; ARGV[1] position. Returns 1 when written, else 0.
 * @internal
 */
export const OFFSET_SAVE_LUA = `
local stored = tonumber(redis.call('GET', KEYS[1]))
if stored ~= nil and stored >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`;
