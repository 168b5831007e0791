import type { BrokerRedis } from '../broker/lua/index.js';
import { sameSlotKey } from '../broker/cluster/cluster-slot.js';
import { DEAD_LETTER_TAG_NAMES } from './dead-letter-replay.lua.js';
import { InvalidStateError } from '../errors/invalid-state.error.js';

/** How long a replay in progress keeps a second one of the same letter away. */
const REPLAY_GUARD_MS = 30_000;
const STRIP = new Set<string>(DEAD_LETTER_TAG_NAMES);

/**
 * Replay for a dead-letter stream in another hash slot than its stream (a Redis Cluster, where
 * one script cannot touch both): a guard key in the dead letter's slot (`SET NX`) admits one
 * replay of the letter at a time, then the letter is copied to the stream, then deleted. At
 * least once: a crash between the copy and the delete leaves the letter in place, and a later
 * replay publishes it again. Resolves null when the letter does not exist or is being replayed.
 * @internal
 */
export async function replayAcrossSlots(
  client: BrokerRedis,
  deadKey: string,
  key: string,
  id: string,
): Promise<string | null> {
  const guard = sameSlotKey(deadKey, `:replaying:${id}`);
  if ((await client.set(guard, '1', 'PX', REPLAY_GUARD_MS, 'NX')) !== 'OK') return null;
  try {
    const [entry] = await client.xrangeBuffer(deadKey, id, id);
    if (!entry) return null;
    const fields = entry[1];
    const out: Buffer[] = [];
    for (let i = 0; i < fields.length; i += 2) {
      if (!STRIP.has(fields[i].toString())) out.push(fields[i], fields[i + 1]);
    }
    if (out.length === 0) throw new InvalidStateError(`dead letter ${id} has no field to replay`);
    const newId = (await client.xadd(key, '*', ...out)) as string;
    await client.xdel(deadKey, id);
    return newId;
  } finally {
    await client.del(guard).catch(() => undefined);
  }
}
