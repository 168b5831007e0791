/**
 * Approximate trim to `maxLen` that never removes an entry some group still needs.
 * Without groups: XTRIM MAXLEN ~. With groups: each group needs everything from the lower of
 * its oldest pending id and its last-delivered-id; entries below the lowest such bound of all
 * groups are acknowledged everywhere, so XTRIM MINID ~ bound removes only those (the `~` keeps
 * whole radix nodes, so it may keep more, never less).
 * KEYS[1] stream; ARGV[1] maxLen. Returns the number of entries removed.
 * @internal
 */
export const TRIM_LUA = `
local key = KEYS[1]
local maxLen = tonumber(ARGV[1])
if redis.call('XLEN', key) <= maxLen then return 0 end
local groups = redis.call('XINFO', 'GROUPS', key)
if #groups == 0 then
  return redis.call('XTRIM', key, 'MAXLEN', '~', maxLen)
end
local function field(info, name)
  for i = 1, #info, 2 do
    if info[i] == name then return info[i + 1] end
  end
end
local function lt(a, b)
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  if #ams ~= #bms then return #ams < #bms end
  if ams ~= bms then return ams < bms end
  if #aseq ~= #bseq then return #aseq < #bseq end
  return aseq < bseq
end
local bound = nil
for _, info in ipairs(groups) do
  local needed = field(info, 'last-delivered-id')
  local summary = redis.call('XPENDING', key, field(info, 'name'))
  if summary[1] > 0 and lt(summary[2], needed) then needed = summary[2] end
  if bound == nil or lt(needed, bound) then bound = needed end
end
return redis.call('XTRIM', key, 'MINID', '~', bound)
`;
