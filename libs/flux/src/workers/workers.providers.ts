import type { Provider } from '@nestjs/common';
import { StreamConsumerMetadataAccessor } from './stream-consumer.accessor.js';
import { StreamConsumerExplorer } from './stream-consumer.explorer.js';
import { StreamWorkers } from './stream-workers.orchestrator.js';

/**
 * Providers that discover `@StreamConsumer` classes and run their workers. They need
 * `DiscoveryModule`, `EventRegistry`, `EventBroker` and `StreamRegistry` in the same module.
 * @internal
 */
export function createWorkerProviders(): Provider[] {
  return [StreamConsumerMetadataAccessor, StreamWorkers, StreamConsumerExplorer];
}
