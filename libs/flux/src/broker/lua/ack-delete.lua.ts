/**
 * XACK the ids for one group, then XDEL those every group on the stream has acknowledged.
 * Another group has acknowledged an id when its last-delivered-id is at or past it and the id
 * is not in its pending list. Redis 7.0 has no command for this (XACKDEL ... ACKED is 8.2+).
 * KEYS[1] stream; ARGV[1] group; ARGV[2..] ids. Returns { acked, deleted }.
 */
export const ACK_DELETE_LUA = `
local key = KEYS[1]
local group = ARGV[1]
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
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
