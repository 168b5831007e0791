import 'reflect-metadata';

export * from './aggregate-fixture.js';
export * from './caught-up.js';
export * from './flux-testing.module.js';
export * from './wait-for.js';
