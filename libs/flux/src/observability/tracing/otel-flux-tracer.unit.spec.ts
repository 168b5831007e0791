import { describe, expect, it } from 'vitest';
import { createFluxTracer } from './enable-flux-tracing.js';
import { NOOP_FLUX_TRACER } from './flux-tracer.js';
import { OtelFluxTracer } from './otel-flux-tracer.js';
import { installTestSdk } from './tracing.spec-helpers.js';

describe('createFluxTracer', () => {
  it('returns the no-op facade for tracing: false, and the OpenTelemetry one otherwise', async () => {
    expect(await createFluxTracer(false)).toBe(NOOP_FLUX_TRACER);
    expect(await createFluxTracer('auto')).toBeInstanceOf(OtelFluxTracer);
    expect(await createFluxTracer(true)).toBeInstanceOf(OtelFluxTracer);
  });

  it('turns on when an SDK registers after start-up, and records from then on', async () => {
    const tracer = await createFluxTracer('auto');
    expect(tracer.enabled).toBe(false);
    expect(await tracer.trace('before', async () => tracer.traceparent())).toBeUndefined();
    const sdk = installTestSdk();
    try {
      expect(tracer.enabled).toBe(true);
      const traceparent = await tracer.trace('after', async () => tracer.traceparent());
      const [span] = sdk.exporter.getFinishedSpans();
      expect(span.name).toBe('after');
      expect(traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    } finally {
      await sdk.uninstall();
    }
  });
});
