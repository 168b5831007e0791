export * from './account-already-exists.error.js';
export * from './insufficient-funds.error.js';
export * from './version-mismatch.error.js';
