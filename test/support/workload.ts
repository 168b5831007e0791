import { call, type HttpReply } from '../../apps/demo/src/http-client.js';

export interface Tally {
  /** Status code → count. */
  statuses: Record<number, number>;
  /** Status code → the first body answered with it, to explain a surprise. */
  samples?: Record<number, unknown>;
}

/** Opens `count` accounts (in parallel) and returns their ids. */
export async function openAccounts(
  commandUrl: string,
  prefix: string,
  count: number,
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const replies = await Promise.all(
    ids.map((id) => call('POST', `${commandUrl}/accounts`, { id, owner: `owner ${id}` })),
  );
  const failed = replies.filter((r) => r.status !== 201);
  if (failed.length) throw new Error(`opening accounts failed: ${JSON.stringify(failed[0])}`);
  return ids;
}

/**
 * Sends `commands` credits and debits in waves of `parallel`; waves draw from few accounts, so
 * concurrent commands on the same account (and conflicts the service retries) are frequent.
 * Overdrafts (422) are expected; anything else but 200 is counted and reported by the caller.
 */
export async function sendCommands(
  commandUrl: string,
  ids: string[],
  commands: number,
  tally: Tally,
  parallel = 12,
): Promise<void> {
  let sent = 0;
  while (sent < commands) {
    const wave = Math.min(parallel, commands - sent);
    const hot = ids[sent % ids.length];
    const replies = await Promise.all(
      Array.from({ length: wave }, (_, i) => {
        // Every third command of a wave hits the wave's hot account.
        const id = i % 3 === 0 ? hot : ids[Math.floor(Math.random() * ids.length)];
        const kind = Math.random() < 0.6 ? 'credit' : 'debit';
        const amount = 1 + Math.floor(Math.random() * 5_000);
        return call('POST', `${commandUrl}/accounts/${id}/${kind}`, { amount });
      }),
    );
    count(tally, replies);
    sent += wave;
  }
}

function count(tally: Tally, replies: HttpReply[]): void {
  for (const { status, body } of replies) {
    tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
    tally.samples ??= {};
    tally.samples[status] ??= body;
  }
}
