/**
 * Counts entries after an id, in pages so no reply grows with the stream. Used for a group's
 * lag only when XINFO GROUPS cannot tell it (it reports nil after some deletions).
 * KEYS[1] stream; ARGV[1] exclusive start id.
 * @internal
 */
export const COUNT_AFTER_LUA = `
local count = 0
local cursor = '(' .. ARGV[1]
while true do
  local page = redis.call('XRANGE', KEYS[1], cursor, '+', 'COUNT', 1000)
  count = count + #page
  if #page < 1000 then return count end
  cursor = '(' .. page[#page][1]
end
`;
