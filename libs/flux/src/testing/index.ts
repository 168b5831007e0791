import 'reflect-metadata';

export * from './aggregate-fixture.js';
