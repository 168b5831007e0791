import { FluxError } from '../../errors/flux.error.js';

/**
 * Some events of a flush were not sent. The flusher keeps exactly those, so calling `flush()`
 * again sends only them (those already sent keep their ids and are not sent twice).
 */
export class FlushError extends FluxError {
  constructor(
    readonly pools: string[],
    readonly unsent: number,
    options?: { cause?: unknown },
  ) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(
      'FLUSH_FAILED',
      `${unsent} event(s) for Redis pool(s) ${pools.map((p) => `"${p}"`).join(', ')} were not ` +
        `published${why}. They are kept in the flusher: call flush() again to retry.`,
      options,
    );
  }
}
