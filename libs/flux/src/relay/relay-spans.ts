import type { FluxPublishSpan } from '../observability/tracing/flux-tracer.js';

/**
 * Ends the producer spans of a relayed batch: with each message's id, with the error that failed
 * the batch (rethrown), or as not published when the lock was lost (`ids` null).
 * @internal
 */
export function endSpans(spans: FluxPublishSpan[], ids: string[] | null): void;
/** @internal */
export function endSpans(spans: FluxPublishSpan[], ids: undefined, error: unknown): never;
/** @internal */
export function endSpans(spans: FluxPublishSpan[], ids?: string[] | null, error?: unknown): void {
  if (spans.length === 0) {
    if (error !== undefined) throw error;
    return;
  }
  const failure = error ?? (ids ? undefined : new Error('relay lock lost: batch not published'));
  for (let i = 0; i < spans.length; i++) spans[i].end(ids?.[i], failure);
  if (error !== undefined) throw error;
}
