import type { BrokerConsumer } from '../broker/consume/broker-consumer.js';
import type { EventBroker } from '../broker/event-broker.js';
import { LeaseLostError } from '../errors/lease-lost.error.js';
import { RedisLeaseBackend } from './lease/redis-lease-backend.js';
import { StreamLease } from './lease/stream-lease.js';

/**
 * Where a single-mode worker reads under a lease: a stream, or one partition of it.
 * @internal
 */
export interface LeasedTarget {
  stream: string;
  group: string;
  /** The partition, on a partitioned stream. */
  partition?: number;
  /** The lease key: beside the stream (`leaseKeyOf`) or the partition (`partitionLeaseKey`). */
  leaseKey: string;
  /** Consumer name, unique per process; also the holder shown in statistics. */
  name: string;
  ttlMs: number;
}

/**
 * A lease and the `open` of a consumer fenced by it: the consumer is opened under the current
 * lease token and first takes over what earlier holders left pending, so order is kept across
 * a change of holder.
 * @internal
 */
export function leasedConsumer(broker: EventBroker, target: LeasedTarget) {
  const { stream, group, partition, leaseKey: key, name, ttlMs } = target;
  const backend = new RedisLeaseBackend(broker.redisFor(stream));
  const lease = new StreamLease(backend, key, { ttlMs, holder: name });
  const open = async (): Promise<BrokerConsumer> => {
    const token = lease.token;
    if (token === undefined) throw new LeaseLostError(key, 'opening the consumer');
    const consumer = await broker.consumerLeased(stream, {
      group,
      partition,
      name,
      fence: { key, token },
    });
    try {
      await consumer.takeOver();
    } catch (error) {
      await consumer.close();
      throw error;
    }
    return consumer;
  };
  return { lease, open };
}
