import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { MessageCodec } from '../broker/message-codec.js';
import { RedisPools } from '../broker/redis-pools.js';
import { StreamRegistry } from '../broker/stream-registry.js';
import { AggregateCatalog } from '../event-sourcing/aggregate-catalog.js';
import { EventStore } from '../event-store/event-store.js';
import type { FluxModuleOptions } from '../module/flux-module-options.interface.js';
import { FLUX_MODULE_OPTIONS } from '../module/flux.module-definition.js';
import { EventRelay, type RelayStatus } from './event-relay.js';
import { RelayLock } from './relay-lock.js';
import { RELAY_DEFAULTS } from './relay.options.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';

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
  private readonly codec: MessageCodec;

  constructor(
    @Inject(FLUX_MODULE_OPTIONS) private readonly options: FluxModuleOptions,
    private readonly catalog: AggregateCatalog,
    private readonly store: EventStore,
    private readonly registry: StreamRegistry,
    private readonly pools: RedisPools,
    private readonly instrumentation: FluxInstrumentation,
  ) {
    this.codec = new MessageCodec(options.broker?.limits);
  }

  onModuleInit(): void {
    const streams = this.catalog.streams();
    if (streams.size === 0 || this.options.relay?.enabled === false) return;
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
    const settings = { ...RELAY_DEFAULTS, ...this.options.relay };
    const prefix = this.options.keyPrefix ?? '';
    for (const [pool, streams] of this.plan) {
      const name = settings.name ?? [...streams.keys()].sort().join('+');
      const redis = this.pools.get(pool);
      const base = `${prefix}flux:relay:${name}`;
      const relay = new EventRelay({
        store: this.store,
        registry: this.registry,
        codec: this.codec,
        redis,
        lock: new RelayLock(redis, `${base}:lock`, settings.lockTtl),
        checkpointKey: `${base}:checkpoint`,
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

  /** Status per pool, for health checks and metrics. */
  statuses(): Record<string, RelayStatus> {
    return Object.fromEntries([...this.relays].map(([pool, relay]) => [pool, { ...relay.status }]));
  }
}
