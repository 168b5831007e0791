/**
 * Publishes one relay batch atomically, and only while the caller holds the relay lock:
 * KEYS[1] lock, KEYS[2] checkpoint, KEYS[3..] the stream of each event (repeated per event);
 * ARGV[1] lock token, ARGV[2] new checkpoint, ARGV[3] lock TTL (ms), then per event its field
 * count followed by its fields. Returns the message ids, or false when the lock is not ours —
 * e.g. Redis restarted empty, when a replayed batch must not land before the events it wiped.
 */
export const RELAY_PUBLISH_LUA = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return false end
local ids = {}
local a = 4
for k = 3, #KEYS do
  local n = tonumber(ARGV[a])
  ids[#ids + 1] = redis.call('xadd', KEYS[k], '*', unpack(ARGV, a + 1, a + n))
  a = a + n + 1
end
redis.call('set', KEYS[2], ARGV[2])
redis.call('pexpire', KEYS[1], ARGV[3])
return ids
`;
