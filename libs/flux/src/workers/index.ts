export * from './stream-consumer.decorator.js';
export * from './stream-consumer.options.js';
export * from './stream-workers.orchestrator.js';
export * from './stream-worker-status.js';
export { deadLetterStreamOf, type DeadLetterTags } from './dead-letter.js';
export * from './workers.providers.js';
export type { PartitionCoordinatorStatus } from './partition-coordinator.js';
export * from './lease/index.js';
