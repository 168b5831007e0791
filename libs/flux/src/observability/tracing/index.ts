export * from './enable-flux-tracing.js';
export * from './flux-tracer.js';
export { FLUX_TRACER_NAME } from './otel-flux-tracer.js';
