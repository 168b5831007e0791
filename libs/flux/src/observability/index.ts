export * from './flux-health.indicator.js';
export * from './flux-health.module.js';
export * from './flux-instrumentation.js';
export * from './flux-metrics.js';
export * from './flux-metrics.module.js';
export * from './tracing/index.js';
