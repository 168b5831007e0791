import * as api from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { extractTraceparent, injectTraceparent } from './trace-context.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** No SDK and no propagator registered in this file: the W3C fallback is what runs. */
describe('traceparent without a registered propagator', () => {
  it('formats the active span context as W3C traceparent', () => {
    const span = api.trace.wrapSpanContext({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: api.TraceFlags.SAMPLED,
    });
    const context = api.trace.setSpan(api.ROOT_CONTEXT, span);
    expect(injectTraceparent(api, context)).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
  });

  it('gives nothing for a context without a valid span', () => {
    expect(injectTraceparent(api, api.ROOT_CONTEXT)).toBeUndefined();
    const invalid = api.trace.setSpan(
      api.ROOT_CONTEXT,
      api.trace.wrapSpanContext(api.INVALID_SPAN_CONTEXT),
    );
    expect(injectTraceparent(api, invalid)).toBeUndefined();
  });

  it('reads a traceparent back as a remote parent', () => {
    const context = extractTraceparent(api, `00-${TRACE_ID}-${SPAN_ID}-00`);
    expect(api.trace.getSpanContext(context)).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 0,
      isRemote: true,
    });
  });

  it('ignores a missing, malformed or all-zero traceparent', () => {
    for (const value of [undefined, 42, '', 'garbage', `00-${'0'.repeat(32)}-${SPAN_ID}-01`]) {
      expect(extractTraceparent(api, value)).toBe(api.ROOT_CONTEXT);
    }
  });
});
