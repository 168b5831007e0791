import type { BrokerRedis } from './lua/index.js';

/** Ids per script call: Lua's `unpack` has a stack limit of a few thousand values. */
const ACK_CHUNK = 1000;

/** Whether a Redis error says the group (or the stream) does not exist. */
export function isNoGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOGROUP');
}

/**
 * Creates `group` reading from the start (`0`: it sees what the stream still holds), creating
 * the stream if needed; an existing group is left as it is.
 */
export async function ensureGroup(client: BrokerRedis, key: string, group: string): Promise<void> {
  try {
    await client.xgroup('CREATE', key, group, '0', 'MKSTREAM');
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
  }
}

/** Acks ids for `group` and deletes those every group acked; chunks go out back to back. */
export async function ackAndDelete(
  client: BrokerRedis,
  key: string,
  group: string,
  ids: string[],
): Promise<void> {
  if (ids.length === 0) return;
  if (ids.length <= ACK_CHUNK) {
    await client.fluxAckDelete(key, group, ...ids);
    return;
  }
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < ids.length; i += ACK_CHUNK) {
    calls.push(client.fluxAckDelete(key, group, ...ids.slice(i, i + ACK_CHUNK)));
  }
  await Promise.all(calls);
}
