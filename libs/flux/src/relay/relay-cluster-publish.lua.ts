/**
 * Publishes one target stream's share of a relay batch on a Redis Cluster and moves that
 * stream's checkpoint, only from the checkpoint the relay read (compare-and-set): KEYS[1] the
 * checkpoint hash `{ position, event_id }`, KEYS[2] the stream (both in one slot); ARGV[1]
 * expected position ('' for none), ARGV[2] new position, ARGV[3] its event id, ARGV[4]
 * checkpoint TTL (ms, '0': none), then per event its field count followed by its fields.
 *
 * Returns the message ids, or false when the checkpoint is not the one expected (another
 * leader moved it, a failover rolled the slot back, or it was reset on purpose). The stream's
 * type is checked before the first write: a script failing half-way keeps its earlier writes.
 * @internal
 */
export const RELAY_CLUSTER_PUBLISH_LUA = `
if (redis.call('hget', KEYS[1], 'position') or '') ~= ARGV[1] then return false end
local t = redis.call('type', KEYS[2]).ok
if t ~= 'stream' and t ~= 'none' then
  return redis.error_reply('WRONGTYPE relay key ' .. KEYS[2] .. ' holds a ' .. t .. ', not a stream: nothing of the batch was published')
end
local ids = {}
local a = 5
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  ids[#ids + 1] = redis.call('xadd', KEYS[2], '*', unpack(ARGV, a + 1, a + n))
  a = a + n + 1
end
redis.call('hset', KEYS[1], 'position', ARGV[2], 'event_id', ARGV[3])
if ARGV[4] ~= '0' then redis.call('pexpire', KEYS[1], ARGV[4]) end
return ids
`;

/**
 * Sets one stream's checkpoint on a Redis Cluster if it still holds the position read:
 * KEYS[1] checkpoint; ARGV[1] expected position ('' for none), ARGV[2] new position ('' deletes
 * it), ARGV[3] its event id. Returns 1, or 0 when the checkpoint changed meanwhile.
 * @internal
 */
export const RELAY_CLUSTER_SET_LUA = `
if (redis.call('hget', KEYS[1], 'position') or '') ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('del', KEYS[1]) return 1 end
redis.call('hset', KEYS[1], 'position', ARGV[2], 'event_id', ARGV[3])
return 1
`;
