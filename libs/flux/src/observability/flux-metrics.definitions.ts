import type { FluxInstrumentationListener } from './flux-instrumentation.js';

// The metrics `FluxMetrics` registers, as a table: adding a metric of an existing kind is a row.

/**
 * A metric of the table below: the instrumentation event it follows, its name and help.
 * @internal
 */
export interface MetricDefinition<Event extends keyof FluxInstrumentationListener> {
  event: Event;
  name: string;
  help: string;
}

/**
 * Labels of every per-group metric; `partition` is '' on unpartitioned streams.
 * @internal
 */
export const GROUP_LABELS = ['stream', 'group', 'partition'];

/** @internal */
export const PUBLISHED: MetricDefinition<'published'> = {
  event: 'published',
  name: 'messages_published_total',
  help: 'Messages published to a stream',
};

/**
 * Counters of a group's messages, one per instrumentation event, in registration order.
 * @internal
 */
export const GROUP_COUNTERS: MetricDefinition<
  'consumed' | 'acked' | 'failed' | 'deadLettered' | 'claimed'
>[] = [
  {
    event: 'consumed',
    name: 'messages_consumed_total',
    help: 'Messages delivered to a consumer group',
  },
  { event: 'acked', name: 'messages_acked_total', help: 'Messages acknowledged' },
  { event: 'failed', name: 'messages_failed_total', help: 'Handler failures' },
  {
    event: 'deadLettered',
    name: 'messages_dead_lettered_total',
    help: 'Messages moved to the dead-letter stream',
  },
  {
    event: 'claimed',
    name: 'messages_claimed_total',
    help: 'Pending messages claimed from idle consumers',
  },
];

/**
 * The two histograms of the `handled` event: handler time, then creation-to-handled latency.
 * @internal
 */
export const GROUP_HISTOGRAMS: MetricDefinition<'handled'>[] = [
  { event: 'handled', name: 'handler_duration_seconds', help: 'Handler duration per message' },
  {
    event: 'handled',
    name: 'publish_to_handle_latency_seconds',
    help: 'From event creation to its handler finishing',
  },
];

/**
 * Histograms of the event store's calls, per aggregate.
 * @internal
 */
export const STORE_HISTOGRAMS: MetricDefinition<'appended' | 'loaded'>[] = [
  { event: 'appended', name: 'event_store_append_duration_seconds', help: 'Event store appends' },
  { event: 'loaded', name: 'event_store_load_duration_seconds', help: 'Aggregate loads' },
];
