import type { StreamEvent } from '../broker/consume/stream-event.js';
import type { FluxInstrumentation } from '../observability/flux-instrumentation.js';

/**
 * Counters of one worker (shown in its status), forwarded to the application's instrumentation
 * hub when there is one (Prometheus metrics subscribe to it).
 * @internal
 */
export class WorkerMetrics {
  processed = 0;
  failed = 0;
  deadLettered = 0;

  constructor(
    private readonly stream: string,
    private readonly group: string,
    private readonly hub?: FluxInstrumentation,
    /** The partition read, reported as a metric label. */
    private readonly partition?: number,
  ) {}

  /** A batch was read (`claimed`: taken over from an idle consumer). */
  consumed(count: number, claimed: boolean): void {
    this.hub?.consumed(this.stream, this.group, count, this.partition);
    if (claimed) this.hub?.claimed(this.stream, this.group, count, this.partition);
  }

  /** Messages handled successfully since `startedAt` (one message, or a raw batch). */
  handled(messages: StreamEvent[], startedAt: number): void {
    this.processed += messages.length;
    if (!this.hub?.active) return;
    const now = Date.now();
    const each = (now - startedAt) / messages.length;
    for (const msg of messages) {
      // The id's first part is the ms time Redis stored the message: publish → handled.
      const storedAt = Number(msg.id.slice(0, msg.id.indexOf('-')));
      const latency = storedAt > 0 ? now - storedAt : undefined;
      this.hub.handled(this.stream, this.group, each, latency, this.partition);
    }
  }

  acked(count: number): void {
    if (count > 0) this.hub?.acked(this.stream, this.group, count, this.partition);
  }

  failure(): void {
    this.failed++;
    this.hub?.failed(this.stream, this.group, 1, this.partition);
  }

  dead(): void {
    this.deadLettered++;
    this.hub?.deadLettered(this.stream, this.group, 1, this.partition);
  }
}
