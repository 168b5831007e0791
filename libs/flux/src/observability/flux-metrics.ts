import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EventBroker } from '../broker/event-broker.js';
import type {
  StreamGroupStatistics,
  StreamStatistics,
} from '../broker/statistics/stream-statistics.js';
import type { EventStore } from '../event-store/event-store.js';
import type { RelayService } from '../relay/relay.service.js';
import type { FluxInstrumentation, FluxInstrumentationListener } from './flux-instrumentation.js';

import {
  GROUP_COUNTERS,
  GROUP_HISTOGRAMS,
  GROUP_LABELS,
  PUBLISHED,
  STORE_HISTOGRAMS,
} from './flux-metrics.definitions.js';

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
    const histogram = (name: string, help: string, labelNames: string[]): Histogram =>
      reuse<Histogram>(registry, prefix + name) ??
      new Histogram({
        name: prefix + name,
        help,
        labelNames,
        buckets: LATENCY_BUCKETS,
        registers: [registry],
      });
    const published = counter(PUBLISHED.name, PUBLISHED.help, ['stream']);
    const listener: FluxInstrumentationListener = {
      published: (stream, n) => published.inc({ stream }, n),
    };
    for (const { event, name, help } of GROUP_COUNTERS) {
      const metric = counter(name, help, GROUP_LABELS);
      listener[event] = (stream, group, n, partition) =>
        metric.inc({ stream, group, partition: part(partition) }, n);
    }
    const [handlerDuration, latency] = GROUP_HISTOGRAMS.map(({ name, help }) =>
      histogram(name, help, GROUP_LABELS),
    );
    listener.handled = (stream, group, ms, latencyMs, partition) => {
      const labels = { stream, group, partition: part(partition) };
      handlerDuration.observe(labels, ms / 1000);
      if (latencyMs !== undefined && latencyMs >= 0) latency.observe(labels, latencyMs / 1000);
    };
    for (const { event, name, help } of STORE_HISTOGRAMS) {
      const metric = histogram(name, help, ['aggregate']);
      listener[event] = (aggregate, _n, ms) => metric.observe({ aggregate }, ms / 1000);
    }
    this.unsubscribe = instrumentation.subscribe(listener);
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

const part = (partition: number | undefined) => (partition === undefined ? '' : String(partition));

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
      labelNames: ['stream', 'group', 'partition'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await stats())
          for (const one of s.partitions ?? [s])
            for (const g of one.groups)
              this.set(
                { stream: s.stream, group: g.group, partition: part(one.partition) },
                value(g),
              );
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
    labelNames: ['stream', 'partition'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await stats())
        for (const one of s.partitions ?? [s])
          this.set({ stream: s.stream, partition: part(one.partition) }, one.len);
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
