import type { EventBroker } from '../broker/event-broker.js';
import { waitFor } from './wait-for.js';

/**
 * Waits until `group` (default: every group) on `stream` has nothing undelivered or pending.
 * @internal
 */
export async function waitForStreamCaughtUp(
  broker: EventBroker,
  stream: string,
  { group, timeoutMs = 10_000 }: { group?: string; timeoutMs?: number } = {},
): Promise<void> {
  await waitFor(
    async () => {
      const stats = await broker.getStreamStatistics(stream);
      const groups = (stats?.groups ?? []).filter((g) => group === undefined || g.group === group);
      return groups.length > 0 && groups.every((g) => g.lag === 0 && g.pending === 0);
    },
    { timeoutMs, message: `stream "${stream}"${group ? ` group "${group}"` : ''} caught up` },
  );
}

/**
 * Waits until a feed consumer's offset reached `position` (e.g. `await store.lastPosition()`).
 * @internal
 */
export async function waitForFeedConsumer(
  consumer: { status(): { offset: number } },
  position: number,
  { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  await waitFor(() => consumer.status().offset >= position, {
    timeoutMs,
    message: `feed consumer at position ${position}`,
  });
}
