import { loadOptionalPeer } from '../../peers/load-optional-peer.js';
import { MissingPeerDependencyError } from '../../errors/missing-peer-dependency.error.js';
import { type FluxTracer, NOOP_FLUX_TRACER } from './flux-tracer.js';
import { OtelFluxTracer } from './otel-flux-tracer.js';

/**
 * `'auto'` (default): traces through `@opentelemetry/api` when it is installed, silently off when
 * it is not; `true`: the same, but a missing package is an error; `false`: never loads it.
 */
export type FluxTracingOption = boolean | 'auto';

/**
 * Resolves the tracer once, at start-up: the API package is loaded lazily (importing
 * nestjs-flux loads no optional peer). Spans are recorded only when the application registered
 * an OpenTelemetry SDK (before or after this runs: the API's global tracer is a proxy); without
 * one they are non-recording no-ops.
 */
export async function createFluxTracer(option: FluxTracingOption = 'auto'): Promise<FluxTracer> {
  if (option === false) return NOOP_FLUX_TRACER;
  try {
    const api = await loadOptionalPeer({
      name: '@opentelemetry/api',
      feature: 'Tracing (FluxModule option `tracing: true`)',
      load: () => import('@opentelemetry/api'),
    });
    return new OtelFluxTracer(api);
  } catch (error) {
    if (option === 'auto' && error instanceof MissingPeerDependencyError) return NOOP_FLUX_TRACER;
    throw error;
  }
}
