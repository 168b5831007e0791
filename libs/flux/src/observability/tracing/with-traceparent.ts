import type { FluxTracer } from './flux-tracer.js';

/**
 * `tags` plus the active span's `traceparent` (a copy), so the consumer's span joins the
 * publisher's trace; `tags` itself when tracing is off or no span is active.
 * @internal
 */
export function withTraceparent(
  tracer: FluxTracer | undefined,
  tags: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (!tracer?.enabled) return tags;
  const traceparent = tracer.traceparent();
  return traceparent === undefined ? tags : { ...tags, traceparent };
}
