import { BODY_FIELD } from '../broker/broker.constants.js';
import type { MessageCodec } from '../broker/codec/message-codec.js';
import { encodeBody, tagFields } from '../broker/publish/message-fields.js';
import type { StreamRegistry } from '../broker/registry/stream-registry.js';
import { countPublished } from '../broker/publish/event-flusher.js';
import { routeKey } from '../broker/partitions/partition-routing.js';
import type { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import type { FluxPublishSpan, FluxTracer } from '../observability/tracing/flux-tracer.js';
import type { PoolClient } from '../broker/pools/redis-pools.js';
import type { StoredEvent } from '../event-store/event-store.types.js';
import type { RelayCheckpoint } from './relay-checkpoint.js';
import type { RelayKeys } from './relay-keys.js';
import { RELAY_PUBLISH_LUA } from './relay-publish.lua.js';
import { relayTags } from './relay-tags.js';

/**
 * The stream keys and per-event script arguments of one relay batch.
 * @internal
 */
export interface RelayBatch {
  /** One stream key per relayed event, in order. */
  keys: string[];
  /** Per relayed event: its field count, then its fields. */
  args: (string | Buffer)[];
  /** The registered stream of each relayed event (for metrics). */
  published: { name: string }[];
  /** Stream key → maxLen, for the streams that are capped. */
  capped: Map<string, number>;
  /** One producer span per relayed event while tracing is on. */
  spans: FluxPublishSpan[];
  /** Per relayed event: its stream key, its position and its fields (cluster publishing). */
  entries: { key: string; position: number; fields: (string | Buffer)[] }[];
}

/**
 * Encodes the events of relayed aggregates; events of other aggregates are passed over.
 * @internal
 */
export function buildRelayBatch(
  events: StoredEvent[],
  streams: Map<string, string>,
  registry: StreamRegistry,
  codec: MessageCodec,
  tracer?: FluxTracer,
): RelayBatch {
  const batch: RelayBatch = {
    keys: [],
    args: [],
    published: [],
    capped: new Map(),
    spans: [],
    entries: [],
  };
  for (const event of events) {
    const stream = streams.get(event.aggregateName);
    if (!stream) continue;
    const registered = registry.get(stream);
    const meta = relayTags(event);
    if (tracer?.enabled) batch.spans.push(tracer.startPublish(stream, meta));
    const tags = tagFields(stream, meta) ?? [];
    // A partitioned stream: the partition of the event's key (aggregate_id by default).
    const key = routeKey(registered, meta);
    batch.keys.push(key);
    batch.published.push(registered);
    const fields = [BODY_FIELD, encodeBody(codec, stream, event.data), ...tags];
    batch.args.push(String(fields.length), ...fields);
    batch.entries.push({ key, position: event.position, fields });
    if (registered.maxLen !== undefined) batch.capped.set(key, registered.maxLen);
  }
  return batch;
}

/**
 * Runs `RELAY_PUBLISH_LUA` for one batch: the message ids, null when the lock is not ours, 0 when
 * the checkpoint in Redis is not `from` (reset on purpose or moved by another leader).
 * @internal
 */
export async function runRelayBatch(
  redis: PoolClient,
  keys: RelayKeys,
  batch: RelayBatch,
  o: {
    token: string;
    from: RelayCheckpoint | null;
    upTo: StoredEvent;
    lockTtl: number;
    historySize: number;
    /** Expiry of the checkpoint keys in ms; 0: never (stores that outlive the process). */
    checkpointTtl: number;
  },
): Promise<string[] | null | 0> {
  return (await redis.eval(
    RELAY_PUBLISH_LUA,
    3 + batch.keys.length,
    keys.lock,
    keys.checkpoint,
    keys.history,
    ...batch.keys,
    o.token,
    o.from ? String(o.from.position) : '',
    String(o.upTo.position),
    o.upTo.eventId,
    String(o.lockTtl),
    String(o.historySize),
    String(o.checkpointTtl),
    ...batch.args,
  )) as string[] | null | 0;
}

/**
 * Counts a published batch (metrics) and trims its capped streams.
 * @internal
 */
export async function afterRelayBatch(
  redis: PoolClient,
  batch: RelayBatch,
  instrumentation?: FluxInstrumentation,
): Promise<void> {
  if (instrumentation?.active) countPublished(instrumentation, batch.published);
  const client = redis as PoolClient & { fluxTrim?(key: string, maxLen: number): Promise<number> };
  // Trimming never drops what a group has not acknowledged; a failed trim is retried next batch.
  for (const [key, maxLen] of batch.capped)
    await client.fluxTrim?.(key, maxLen).catch(() => undefined);
}
