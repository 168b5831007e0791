import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EventBroker } from '../broker/event-broker.js';
import type { StreamGroupStatistics, StreamStatistics } from '../broker/stream-statistics.js';
import type { EventStore } from '../event-store/event-store.js';
import type { RelayService } from '../relay/relay.service.js';
import type { FluxInstrumentation } from './flux-instrumentation.js';

export interface FluxMetricsOptions {
  /** The registry to register on; default prom-client's global `register`. */
  registry?: Registry;
  /** Metric name prefix; default `'flux_'`. */
  prefix?: string;
}

const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * Prometheus metrics of one application. Counters and histograms follow the instrumentation
 * events; gauges (lag, pending, oldest pending, length, relay lag) are read from Redis and the
 * store when the registry is scraped, so they cost nothing between scrapes.
 */
export class FluxMetrics {
  private readonly unsubscribe: () => void;

  constructor(
    instrumentation: FluxInstrumentation,
    broker: EventBroker | undefined,
    store: EventStore,
    relay: RelayService | undefined,
    { registry, prefix = 'flux_' }: FluxMetricsOptions & { registry: Registry },
  ) {
    const counter = (name: string, help: string, labelNames: string[]): Counter =>
      reuse<Counter>(registry, prefix + name) ??
      new Counter({ name: prefix + name, help, labelNames, registers: [registry] });
    const histogram = (
      name: string,
      help: string,
      labelNames: string[],
      buckets = LATENCY_BUCKETS,
    ): Histogram =>
      reuse<Histogram>(registry, prefix + name) ??
      new Histogram({ name: prefix + name, help, labelNames, buckets, registers: [registry] });
    const sg = ['stream', 'group'];
    const published = counter('messages_published_total', 'Messages published to a stream', [
      'stream',
    ]);
    const consumed = counter(
      'messages_consumed_total',
      'Messages delivered to a consumer group',
      sg,
    );
    const acked = counter('messages_acked_total', 'Messages acknowledged', sg);
    const failed = counter('messages_failed_total', 'Handler failures', sg);
    const dead = counter(
      'messages_dead_lettered_total',
      'Messages moved to the dead-letter stream',
      sg,
    );
    const claimed = counter(
      'messages_claimed_total',
      'Pending messages claimed from idle consumers',
      sg,
    );
    const handlerDuration = histogram(
      'handler_duration_seconds',
      'Handler duration per message',
      sg,
    );
    const latency = histogram(
      'publish_to_handle_latency_seconds',
      'From event creation to its handler finishing',
      sg,
    );
    const append = histogram('event_store_append_duration_seconds', 'Event store appends', [
      'aggregate',
    ]);
    const load = histogram('event_store_load_duration_seconds', 'Aggregate loads', ['aggregate']);
    this.unsubscribe = instrumentation.subscribe({
      published: (stream, n) => published.inc({ stream }, n),
      consumed: (stream, group, n) => consumed.inc({ stream, group }, n),
      acked: (stream, group, n) => acked.inc({ stream, group }, n),
      failed: (stream, group, n) => failed.inc({ stream, group }, n),
      deadLettered: (stream, group, n) => dead.inc({ stream, group }, n),
      claimed: (stream, group, n) => claimed.inc({ stream, group }, n),
      handled: (stream, group, ms, latencyMs) => {
        handlerDuration.observe({ stream, group }, ms / 1000);
        if (latencyMs !== undefined && latencyMs >= 0)
          latency.observe({ stream, group }, latencyMs / 1000);
      },
      appended: (aggregate, _n, ms) => append.observe({ aggregate }, ms / 1000),
      loaded: (aggregate, _n, ms) => load.observe({ aggregate }, ms / 1000),
    });
    if (broker) registerStreamGauges(registry, prefix, broker);
    if (relay) registerRelayGauge(registry, prefix, relay, store);
  }

  close(): void {
    this.unsubscribe();
  }
}

function reuse<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

function registerStreamGauges(registry: Registry, prefix: string, broker: EventBroker): void {
  if (registry.getSingleMetric(prefix + 'stream_length')) return;
  // One read of every stream per scrape, shared by the four gauges.
  let cached: { at: number; stats: Promise<StreamStatistics[]> } | undefined;
  const stats = () => {
    if (!cached || Date.now() - cached.at > 1_000) {
      cached = { at: Date.now(), stats: broker.getStreamsStatistics().catch(() => []) };
    }
    return cached.stats;
  };
  const groupGauge = (name: string, help: string, value: (g: StreamGroupStatistics) => number) =>
    new Gauge({
      name: prefix + name,
      help,
      labelNames: ['stream', 'group'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await stats())
          for (const g of s.groups) this.set({ stream: s.stream, group: g.group }, value(g));
      },
    });
  groupGauge('stream_lag', 'Entries not yet delivered to the group', (g) => g.lag);
  groupGauge('stream_pending', 'Entries delivered and not acknowledged', (g) => g.pending);
  groupGauge(
    'stream_oldest_pending_seconds',
    'Age of the oldest pending entry',
    (g) => g.lowerDuration / 1000,
  );
  new Gauge({
    name: prefix + 'stream_length',
    help: 'Entries in the stream',
    labelNames: ['stream'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await stats()) this.set({ stream: s.stream }, s.len);
    },
  });
}

function registerRelayGauge(
  registry: Registry,
  prefix: string,
  relay: RelayService,
  store: EventStore,
): void {
  if (registry.getSingleMetric(prefix + 'relay_checkpoint_lag')) return;
  new Gauge({
    name: prefix + 'relay_checkpoint_lag',
    help: 'Events in the store not yet relayed to Redis',
    labelNames: ['pool'],
    registers: [registry],
    async collect() {
      this.reset();
      const last = await store.lastPosition().catch(() => undefined);
      for (const [pool, status] of Object.entries(relay.statuses())) {
        if (last !== undefined && status.checkpoint !== null)
          this.set({ pool }, Math.max(0, last - status.checkpoint));
      }
    },
  });
}
