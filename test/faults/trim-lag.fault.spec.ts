import { afterAll, describe, expect, it } from 'vitest';
import type { BrokerConsumer, StreamEvent } from 'nestjs-flux';
import { createBroker, type TestBroker } from './support/redis-keys.js';
import { Tally } from './support/tally.js';

/**
 * Fault 8: a stream registered with `maxLen` is trimmed on every publish while one group keeps
 * up and another lags (50 messages delivered but not acknowledged, the rest not read yet).
 * Trimming must never remove what the lagging group has not acknowledged; once it catches up,
 * it has processed every message, and the stream shrinks again.
 */
const SENT = 4000;
const MAX_LEN = 100;

describe('fault 8: trimming with maxLen under a lagging group', () => {
  let tb: TestBroker | undefined;
  afterAll(() => tb?.close());

  async function drain(consumer: BrokerConsumer, tally: Tally): Promise<void> {
    for (let idle = 0; idle < 2;) {
      const n = await consumer.consume(200, 0, (events: StreamEvent[]) => {
        for (const e of events) tally.see(e.unserialize<{ uid: string }>().uid);
      });
      idle = n === 0 ? idle + 1 : 0;
    }
  }

  it.each(['publish', 'flusher'] as const)(
    'keeps what the lagging group needs (%s)',
    async (path) => {
      tb = createBroker('trim', [{ name: 'trimmed', maxLen: MAX_LEN }]);
      const { broker } = tb;
      const key = `${tb.prefix}trimmed`;
      const redis = tb.pools.get('default');
      const fast = await broker.consumerMany('trimmed', { group: 'fast' });
      const slow = await broker.consumerMany('trimmed', { group: 'slow' });
      const fastTally = new Tally(`8 fast group (${path})`);
      const slowTally = new Tally(`8 lagging group (${path})`);

      const publish = async (from: number, count: number) => {
        const flusher = broker.newFlusher();
        for (let i = from; i < from + count; i++) {
          const uid = `m${i}`;
          fastTally.send(uid);
          slowTally.send(uid);
          if (path === 'publish') await broker.publish('trimmed', { uid }, { n: String(i) });
          else flusher.publish('trimmed', { uid }, { n: String(i) });
        }
        if (path === 'flusher') await flusher.flush();
      };

      // The lagging group takes 50 and fails them: delivered, pending, not acknowledged.
      await publish(0, 100);
      const held: string[] = [];
      await expect(
        slow.consume(50, 0, (events) => {
          held.push(...events.map((e) => e.id));
          throw new Error('lagging consumer fails its batch');
        }),
      ).rejects.toThrow('lagging');
      expect(held).toHaveLength(50);

      // Publish the rest in waves while the fast group keeps up (each publish trims).
      for (let from = 100; from < SENT; from += 300) {
        await publish(from, Math.min(300, SENT - from));
        await drain(fast, fastTally);
      }
      const lengthWhileLagging = await redis.xlen(key);
      const stillThere = await redis.xrange(key, held[0], held[held.length - 1]);
      expect(stillThere.map(([id]) => id)).toEqual(held);
      // Nothing the lagging group has not acknowledged is gone: all SENT are still in the stream.
      expect(lengthWhileLagging).toBe(SENT);

      await drain(slow, slowTally);
      // Once every group acked everything the stream is emptied by ack-and-delete and trims.
      await broker.publish('trimmed', { uid: 'last' });
      const lengthAfter = await redis.xlen(key);
      fastTally.report({ maxLen: MAX_LEN });
      slowTally.report({
        maxLen: MAX_LEN,
        heldPending: held.length,
        lengthWhileLagging,
        lengthAfter,
      });
      expect(fastTally.lost).toBe(0);
      expect(slowTally.lost).toBe(0);
      expect(slowTally.processed).toBe(SENT);
      expect(lengthAfter).toBeLessThanOrEqual(MAX_LEN + 1);
      await tb.close();
      tb = undefined;
    },
  );
});
