import type * as OtelApi from '@opentelemetry/api';

type Api = typeof OtelApi;
type Context = OtelApi.Context;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C `traceparent` of `context`'s span: through the global propagator when one is set
 * (an SDK registers the W3C one), else formatted here, so the context crosses Redis and the feed
 * even when the application configured none. Undefined when there is no valid span.
 * @internal
 */
export function injectTraceparent(api: Api, context: Context): string | undefined {
  const carrier: Record<string, string> = {};
  api.propagation.inject(context, carrier);
  if (carrier.traceparent) return carrier.traceparent;
  const span = api.trace.getSpanContext(context);
  if (!span || span.traceId === api.INVALID_TRACEID || span.spanId === api.INVALID_SPANID) {
    return undefined;
  }
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

/**
 * The remote parent a `traceparent` names (ROOT_CONTEXT when absent or malformed).
 * @internal
 */
export function extractTraceparent(api: Api, traceparent: unknown): Context {
  const root = api.ROOT_CONTEXT;
  if (typeof traceparent !== 'string') return root;
  const extracted = api.propagation.extract(root, { traceparent });
  if (api.trace.getSpanContext(extracted)) return extracted;
  const match = TRACEPARENT.exec(traceparent);
  if (!match) return root;
  // The pattern checked the hex already; all zeros is W3C's "invalid".
  if (match[1] === api.INVALID_TRACEID || match[2] === api.INVALID_SPANID) return root;
  const traceFlags = parseInt(match[3], 16);
  return api.trace.setSpanContext(root, {
    traceId: match[1],
    spanId: match[2],
    traceFlags,
    isRemote: true,
  });
}
