/**
 * Publishes one relay batch atomically, only while the caller holds the relay lock and only from
 * the checkpoint it read: KEYS[1] lock, KEYS[2] checkpoint hash, KEYS[3] checkpoint history,
 * KEYS[4..] the stream of each event (repeated per event); ARGV[1] lock token, ARGV[2] expected
 * checkpoint position ('' for none), ARGV[3] new position, ARGV[4] its event id, ARGV[5] lock TTL
 * (ms), ARGV[6] history size, ARGV[7] checkpoint TTL (ms, '0': none), then per event its field
 * count followed by its fields.
 *
 * Returns the message ids; false when the lock is not ours (e.g. Redis restarted empty, when a
 * replayed batch must not land before the events it wiped); 0 when the checkpoint is not the one
 * expected (reset on purpose, or written by another leader): the caller reads it again.
 * Every key's type is checked before the first write, because a script that fails half-way keeps
 * its earlier writes: a key of the wrong type fails the whole batch with nothing published.
 * @internal
 */
export const RELAY_PUBLISH_LUA = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return false end
if (redis.call('hget', KEYS[2], 'position') or '') ~= ARGV[2] then return 0 end
local seen = {}
for k = 3, #KEYS do
  local key = KEYS[k]
  if not seen[key] then
    seen[key] = true
    local t = redis.call('type', key).ok
    local want = k == 3 and 'list' or 'stream'
    if t ~= want and t ~= 'none' then
      return redis.error_reply('WRONGTYPE relay key ' .. key .. ' holds a ' .. t .. ', not a ' .. want .. ': nothing of the batch was published')
    end
  end
end
local ids = {}
local a = 8
for k = 4, #KEYS do
  local n = tonumber(ARGV[a])
  ids[#ids + 1] = redis.call('xadd', KEYS[k], '*', unpack(ARGV, a + 1, a + n))
  a = a + n + 1
end
redis.call('hset', KEYS[2], 'position', ARGV[3], 'event_id', ARGV[4])
redis.call('lpush', KEYS[3], ARGV[3] .. ':' .. ARGV[4])
local size = tonumber(ARGV[6])
local n = redis.call('llen', KEYS[3])
if n > size then
  -- Drop the entry whose gap, relative to its distance from the head, is the smallest: entries
  -- stay dense near the head and log-spaced down to the first checkpoint, which is never dropped.
  local items = redis.call('lrange', KEYS[3], 0, -1)
  local head = tonumber(string.match(items[1], '^%d+'))
  local best, score
  for i = 2, n - 1 do
    local newer = tonumber(string.match(items[i - 1], '^%d+'))
    local older = tonumber(string.match(items[i + 1], '^%d+'))
    local s = (newer - older) / (head - older + 1)
    if score == nil or s < score then best, score = i, s end
  end
  redis.call('lrem', KEYS[3], 1, items[best])
end
if ARGV[7] ~= '0' then
  redis.call('pexpire', KEYS[2], ARGV[7])
  redis.call('pexpire', KEYS[3], ARGV[7])
end
redis.call('pexpire', KEYS[1], ARGV[5])
return ids
`;

/**
 * Moves the checkpoint back to an earlier one of its history, dropping the newer entries:
 * KEYS[1] lock, KEYS[2] checkpoint, KEYS[3] history; ARGV[1] token, ARGV[2] expected position,
 * ARGV[3] new position, ARGV[4] its event id, ARGV[5] index of that entry in the history.
 * Returns 1, false (lock not ours) or 0 (checkpoint changed meanwhile).
 * @internal
 */
export const RELAY_REWIND_LUA = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return false end
if (redis.call('hget', KEYS[2], 'position') or '') ~= ARGV[2] then return 0 end
redis.call('hset', KEYS[2], 'position', ARGV[3], 'event_id', ARGV[4])
redis.call('ltrim', KEYS[3], tonumber(ARGV[5]), -1)
return 1
`;
