import type { Logger } from '@nestjs/common';
import type { BrokerConsumer } from '../broker/broker-consumer.js';
import type { BatchDispatcher } from './batch-dispatcher.js';
import type { ResolvedStreamConsumerOptions } from './stream-consumer.options.js';
import type { WorkerMetrics } from './worker-metrics.js';

/** What one worker needs: where it reads, how it opens its consumer and how it dispatches. */
export interface StreamWorkerConfig {
  className: string;
  stream: string;
  options: ResolvedStreamConsumerOptions;
  /** `consumerSingle` or `consumerMany` of the broker; called again after a lost consumer. */
  open: () => Promise<BrokerConsumer>;
  dispatcher: BatchDispatcher;
  metrics: WorkerMetrics;
  logger: Logger;
}
