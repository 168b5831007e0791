import 'reflect-metadata';

export * from './errors/index.js';
export * from './event-store/index.js';
export * from './event-sourcing/index.js';
export * from './module/index.js';
export * from './broker/index.js';
export * from './relay/index.js';
export * from './cqrs/index.js';
export * from './observability/index.js';
export * from './feed/index.js';
export * from './workers/index.js';
export * from './board/index.js';
