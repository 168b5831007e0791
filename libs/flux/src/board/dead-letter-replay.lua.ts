import type { DeadLetterTags } from '../workers/dead-letter.js';

/**
 * Tags a dead letter adds to the original message; replay strips them.
 * @internal
 */
export const DEAD_LETTER_TAG_NAMES = [
  'error',
  'original_id',
  'original_stream',
  'group',
  'consumer',
  'failed_at',
  'partition',
] as const satisfies readonly (keyof DeadLetterTags)[];

// Fails to compile when `DeadLetterTags` gains a tag this list does not strip.
const _everyTagListed: [
  Exclude<keyof DeadLetterTags, (typeof DEAD_LETTER_TAG_NAMES)[number]>,
] extends [never]
  ? true
  : false = true;

/**
 * Moves one dead letter back to its stream in one atomic step: KEYS[1] the dead-letter stream,
 * KEYS[2] the original stream, ARGV[1] the entry id, ARGV[2…] the tag names to strip. The body
 * is copied byte for byte inside Redis, so nothing is decoded or re-encoded on the way. Returns
 * the new id, or false when the entry is gone (already replayed or deleted): a double click
 * cannot publish it twice.
 * @internal
 */
export const REPLAY_DEAD_LETTER_LUA = `
local entry = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entry == 0 then return false end
local strip = {}
for i = 2, #ARGV do strip[ARGV[i]] = true end
local fields = entry[1][2]
local out = {}
for i = 1, #fields, 2 do
  if not strip[fields[i]] then
    out[#out + 1] = fields[i]
    out[#out + 1] = fields[i + 1]
  end
end
if #out == 0 then return redis.error_reply('dead letter ' .. ARGV[1] .. ' has no field to replay') end
local id = redis.call('XADD', KEYS[2], '*', unpack(out))
redis.call('XDEL', KEYS[1], ARGV[1])
return id
`;
