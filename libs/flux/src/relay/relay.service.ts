import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { MessageCodec } from '../broker/codec/message-codec.js';
import { RedisPools } from '../broker/pools/redis-pools.js';
import { StreamRegistry } from '../broker/registry/stream-registry.js';
import { AggregateCatalog } from '../event-sourcing/aggregate-catalog.js';
import { EventStore } from '../event-store/event-store.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { EventRelay, type RelayStatus } from './event-relay.js';
import type { RelayKeys } from './relay-keys.js';
import { RELAY_DEFAULTS, RELAY_OPTIONS, type RelayServiceOptions } from './relay.options.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';

const MEMORY_CHECKPOINT_TTL = 7 * 24 * 3_600_000;

/**
 * Starts one relay per Redis pool that hosts an aggregate's stream. Streams are validated at
 * module init (an unregistered stream fails the bootstrap, naming it); relays start once the
 * application is ready and stop before connections close.
 */
@Injectable()
export class RelayService
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('FluxRelay');
  private readonly relays = new Map<string, EventRelay>();
  private plan = new Map<string, Map<string, string>>();
  constructor(
    @Inject(RELAY_OPTIONS) private readonly options: RelayServiceOptions,
    private readonly catalog: AggregateCatalog,
    private readonly store: EventStore,
    private readonly registry: StreamRegistry,
    private readonly pools: RedisPools,
    private readonly instrumentation: FluxInstrumentation,
    // The broker's codec: one set of body limits per app.
    private readonly codec: MessageCodec,
  ) {}

  onModuleInit(): void {
    const streams = this.catalog.streams();
    if (streams.size === 0 || this.options.enabled === false) return;
    if (this.pools.names().length === 0) {
      this.logger.warn(
        `no Redis configured: events of ${[...streams.keys()].join(', ')} are not relayed`,
      );
      return;
    }
    for (const [aggregate, stream] of streams) {
      const { pool } = this.registry.get(stream); // throws StreamNotRegisteredError
      if (!this.plan.has(pool)) this.plan.set(pool, new Map());
      this.plan.get(pool)!.set(aggregate, stream);
    }
  }

  onApplicationBootstrap(): void {
    const { keyPrefix, ...relay } = this.options;
    const settings = { ...RELAY_DEFAULTS, ...relay };
    const prefix = keyPrefix ?? '';
    for (const [pool, streams] of this.plan) {
      const relay = new EventRelay({
        store: this.store,
        registry: this.registry,
        codec: this.codec,
        redis: this.pools.get(pool),
        name: settings.name ?? [...streams.keys()].sort().join('+'),
        keyPrefix: prefix,
        lockTtl: settings.lockTtl,
        // A memory store's checkpoint dies with the process: do not leave it in Redis forever.
        checkpointTtl: this.store instanceof MemoryEventStore ? MEMORY_CHECKPOINT_TTL : undefined,
        streams,
        batchSize: settings.batchSize,
        pollInterval: settings.pollInterval,
        logger: this.logger,
        instrumentation: this.instrumentation,
      });
      this.relays.set(pool, relay);
      relay.start();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.relays.values()].map((relay) => relay.stop()));
  }

  /**
   * Sets the checkpoint of the relays (of one pool, or all) on purpose: they publish the events
   * after `position` next; 0 (the default) relays the whole log again. Use it after restoring
   * the event store from a backup, when the relay stopped with `RelayCheckpointMismatchError`.
   */
  async resetCheckpoint(options: { pool?: string; position?: number } = {}): Promise<void> {
    const relays = [...this.relays].filter(
      ([pool]) => options.pool === undefined || pool === options.pool,
    );
    if (relays.length === 0) {
      throw new InvalidArgumentError('pool', `no relay runs on pool "${options.pool}"`);
    }
    for (const [, relay] of relays) await relay.resetCheckpoint(options.position ?? 0);
  }

  /** The Redis keys of each pool's relay (they carry the store id). */
  async keys(): Promise<Record<string, RelayKeys>> {
    const entries = await Promise.all(
      [...this.relays].map(async ([pool, relay]) => [pool, await relay.relayKeys()] as const),
    );
    return Object.fromEntries(entries);
  }

  /** Status per pool, for health checks and metrics. */
  statuses(): Record<string, RelayStatus> {
    return Object.fromEntries([...this.relays].map(([pool, relay]) => [pool, { ...relay.status }]));
  }
}
