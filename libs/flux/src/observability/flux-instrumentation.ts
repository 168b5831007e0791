import { type FluxTracer, NOOP_FLUX_TRACER } from './tracing/flux-tracer.js';

/**
 * What the library reports as it works; every method is optional. `partition` is set for
 * messages of a partitioned stream.
 */
export interface FluxInstrumentationListener {
  published?(stream: string, count: number): void;
  consumed?(stream: string, group: string, count: number, partition?: number): void;
  acked?(stream: string, group: string, count: number, partition?: number): void;
  failed?(stream: string, group: string, count: number, partition?: number): void;
  deadLettered?(stream: string, group: string, count: number, partition?: number): void;
  claimed?(stream: string, group: string, count: number, partition?: number): void;
  /** One message handled: handler time, and time since it was created upstream when known. */
  handled?(
    stream: string,
    group: string,
    durationMs: number,
    latencyMs: number | undefined,
    partition?: number,
  ): void;
  appended?(aggregate: string, events: number, durationMs: number): void;
  loaded?(aggregate: string, events: number, durationMs: number): void;
}

type Method = keyof FluxInstrumentationListener;

/**
 * A per-application fan-out of instrumentation events (metrics subscribe to it). Framework-free
 * and cheap when nobody listens: the hot paths call it unconditionally.
 */
export class FluxInstrumentation {
  private listeners: FluxInstrumentationListener[] = [];
  /** Spans around the same operations; the no-op one unless tracing was enabled at start-up. */
  tracer: FluxTracer = NOOP_FLUX_TRACER;

  get active(): boolean {
    return this.listeners.length > 0;
  }

  subscribe(listener: FluxInstrumentationListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }

  published(stream: string, count: number): void {
    this.emit('published', stream, count);
  }
  consumed(stream: string, group: string, count: number, partition?: number): void {
    this.emit('consumed', stream, group, count, partition);
  }
  acked(stream: string, group: string, count: number, partition?: number): void {
    this.emit('acked', stream, group, count, partition);
  }
  failed(stream: string, group: string, count: number, partition?: number): void {
    this.emit('failed', stream, group, count, partition);
  }
  deadLettered(stream: string, group: string, count: number, partition?: number): void {
    this.emit('deadLettered', stream, group, count, partition);
  }
  claimed(stream: string, group: string, count: number, partition?: number): void {
    this.emit('claimed', stream, group, count, partition);
  }
  handled(
    stream: string,
    group: string,
    durationMs: number,
    latencyMs: number | undefined,
    partition?: number,
  ): void {
    this.emit('handled', stream, group, durationMs, latencyMs, partition);
  }
  appended(aggregate: string, events: number, durationMs: number): void {
    this.emit('appended', aggregate, events, durationMs);
  }
  loaded(aggregate: string, events: number, durationMs: number): void {
    this.emit('loaded', aggregate, events, durationMs);
  }

  private emit(method: Method, ...args: unknown[]): void {
    for (const listener of this.listeners) {
      try {
        (listener[method] as ((...a: unknown[]) => void) | undefined)?.(...args);
      } catch {
        // Instrumentation must never break the operation it observes.
      }
    }
  }
}
