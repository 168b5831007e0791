/**
 * XACK the ids for one group, then XDEL those every group on the stream has acknowledged.
 * Another group has acknowledged an id when its last-delivered-id is at or past it and the id
 * is not in its pending list. Redis 7.0 has no command for this (XACKDEL ... ACKED is 8.2+).
 * Fenced: with a token, nothing is acked unless the lease key still holds it (a single-mode
 * holder that lost its lease cannot ack after its successor started).
 * KEYS[1] stream; KEYS[2] lease (the stream key again when unfenced); ARGV[1] group; ARGV[2]
 * token ('' = unfenced); ARGV[3..] ids. Returns { acked, deleted }, or the error FLUXLEASE.
 * @internal
 */
export const ACK_DELETE_LUA = `
local key = KEYS[1]
local group = ARGV[1]
if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return redis.error_reply('FLUXLEASE lease not held')
end
local ids = {}
for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
local acked = redis.call('XACK', key, group, unpack(ids))
local groups = redis.call('XINFO', 'GROUPS', key)
if #groups <= 1 then
  return { acked, redis.call('XDEL', key, unpack(ids)) }
end
local function field(info, name)
  for i = 1, #info, 2 do
    if info[i] == name then return info[i + 1] end
  end
end
local function le(a, b)
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  if #ams ~= #bms then return #ams < #bms end
  if ams ~= bms then return ams < bms end
  if #aseq ~= #bseq then return #aseq < #bseq end
  return aseq <= bseq
end
local others = {}
for _, info in ipairs(groups) do
  local name = field(info, 'name')
  if name ~= group then
    others[#others + 1] = { name, field(info, 'last-delivered-id') }
  end
end
local removable = {}
for _, id in ipairs(ids) do
  local done = true
  for _, other in ipairs(others) do
    if not le(id, other[2]) or #redis.call('XPENDING', key, other[1], id, id, 1) > 0 then
      done = false
      break
    end
  end
  if done then removable[#removable + 1] = id end
end
if #removable == 0 then return { acked, 0 } end
return { acked, redis.call('XDEL', key, unpack(removable)) }
`;
