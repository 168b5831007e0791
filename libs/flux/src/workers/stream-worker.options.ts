import type { Logger } from '@nestjs/common';
import type { BrokerConsumer } from '../broker/consume/broker-consumer.js';
import type { BatchDispatcher } from './batch-dispatcher.js';
import type { StreamLease } from './lease/stream-lease.js';
import type { ResolvedStreamConsumerOptions } from './stream-consumer.options.js';
import type { WorkerMetrics } from './worker-metrics.js';

/**
 * What one worker needs: where it reads, how it opens its consumer and how it dispatches.
 * @internal
 */
export interface StreamWorkerConfig {
  className: string;
  stream: string;
  options: ResolvedStreamConsumerOptions;
  /** `consumerSingle` or `consumerMany` of the broker; called again after a lost consumer. */
  open: () => Promise<BrokerConsumer>;
  /** Single mode: the group's lease; the worker reads only while it holds it. */
  lease?: StreamLease;
  dispatcher: BatchDispatcher;
  metrics: WorkerMetrics;
  logger: Logger;
  /** The partition read, on a partitioned stream. */
  partition?: number;
}
