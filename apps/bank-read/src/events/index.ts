export * from './account-opened.event.js';
export * from './account-credited.event.js';
export * from './account-debited.event.js';
