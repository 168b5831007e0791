import type { BrokerRedis } from '../lua/index.js';

/** Ids per script call: Lua's `unpack` has a stack limit of a few thousand values. */
const ACK_CHUNK = 1000;

/**
 * Whether a Redis error says the group (or the stream) does not exist.
 * @internal
 */
export function isNoGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOGROUP');
}

/**
 * Whether a blocked read was ended because its key disappeared: deleted, or moved to another
 * Redis Cluster node by a reshard (`UNBLOCKED the stream key no longer exists`). Reading again
 * is the answer: the next read follows the slot (MOVED/ASK) or recreates the group.
 * @internal
 */
export function isKeyGoneError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('UNBLOCKED');
}

/**
 * Creates `group` reading from the start (`0`: it sees what the stream still holds), creating
 * the stream if needed; an existing group is left as it is.
 * @internal
 */
export async function ensureGroup(client: BrokerRedis, key: string, group: string): Promise<void> {
  try {
    await client.xgroup('CREATE', key, group, '0', 'MKSTREAM');
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
  }
}

/**
 * A lease the holder must still hold for a write on its behalf: its key and token.
 * @internal
 */
export interface Fence {
  key: string;
  token: string;
}

/**
 * Whether a Redis error is a fenced script refusing a holder that lost its lease.
 * @internal
 */
export function isFencedError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('FLUXLEASE');
}

/**
 * Acks ids for `group` and deletes those every group acked; chunks go out back to back. With a
 * fence, nothing is acked unless the lease still holds its token (rejects `FLUXLEASE`).
 * @internal
 */
export async function ackAndDelete(
  client: BrokerRedis,
  key: string,
  group: string,
  ids: string[],
  fence?: Fence,
): Promise<void> {
  if (ids.length === 0) return;
  const leaseKey = fence?.key ?? key;
  const token = fence?.token ?? '';
  if (ids.length <= ACK_CHUNK) {
    await client.fluxAckDelete(key, leaseKey, group, token, ...ids);
    return;
  }
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < ids.length; i += ACK_CHUNK) {
    calls.push(client.fluxAckDelete(key, leaseKey, group, token, ...ids.slice(i, i + ACK_CHUNK)));
  }
  await Promise.all(calls);
}
