export * from './cqrs-event-bridge.js';
