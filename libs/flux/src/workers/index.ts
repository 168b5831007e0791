export * from './stream-consumer.decorator.js';
export * from './stream-consumer.options.js';
export * from './stream-workers.js';
export * from './stream-worker-status.js';
export { deadLetterStreamOf, type DeadLetterTags } from './dead-letter.js';
export * from './workers.providers.js';
