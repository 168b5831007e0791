import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leaseKeyOf } from '../../libs/flux/src/broker/consume/lease-key.js';
import type { BrokerConsumer } from '../../libs/flux/src/index.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { createClusterBroker, type ClusterTestBroker } from './cluster-broker.js';

/**
 * `close()` ends a read at once on a Redis Cluster too. A cluster client disconnected while a
 * command is in flight keeps the commands sent after it waiting, unanswered, for good; a read
 * that sent its next command there (a fenced read's blocking wait, after a read that was in
 * flight at the close) never ended, so the worker's shutdown never released its partition's
 * lease. Closing at every moment of a read must end it.
 */
const ROUNDS = 40;
const BOUND_MS = 5_000;

describe('closing a consumer on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let tb: ClusterTestBroker | undefined;

  beforeAll(async () => {
    cluster = await RedisCluster.start({ replicas: 0 });
  }, 60_000);

  afterEach(async () => {
    await tb?.close();
    tb = undefined;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Closes `consumer` after `delayMs` while it reads; resolves when the read has ended. */
  async function closeDuringRead(consumer: BrokerConsumer, delayMs: number, round: number) {
    const handled: number[] = [];
    const reading = consumer.consume(10, 200, async (events) => {
      handled.push(events.length);
    });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      Promise.all([reading, consumer.close()]).then(() => 'ended'),
      new Promise<string>((resolve) => (timer = setTimeout(resolve, BOUND_MS, 'hung'))),
    ]);
    clearTimeout(timer);
    expect(outcome, `round ${round}: read closed after ${delayMs} ms`).toBe('ended');
    expect(handled).toEqual([]);
  }

  it('ends a fenced read whatever it was doing when closed', async () => {
    tb = createClusterBroker(cluster, ['close-fenced']);
    const key = leaseKeyOf(tb.key('close-fenced'), 'g');
    await tb.admin.set(key, 'holder|token');
    for (let round = 0; round < ROUNDS; round++) {
      const consumer = await tb.broker.consumerLeased('close-fenced', {
        group: 'g',
        name: `holder-${round}`,
        fence: { key, token: 'holder|token' },
      });
      await closeDuringRead(consumer, round % 20, round);
    }
  }, 120_000);

  it('ends a plain blocking read whatever it was doing when closed', async () => {
    tb = createClusterBroker(cluster, ['close-plain']);
    for (let round = 0; round < ROUNDS; round++) {
      const consumer = await tb.broker.consumerMany('close-plain', { group: 'g' });
      await closeDuringRead(consumer, round % 20, round);
    }
  }, 120_000);
});
