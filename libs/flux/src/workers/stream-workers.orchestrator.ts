import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EventRegistry } from '../event-sourcing/event-registry.js';
import { DEFAULT_PARTITION_KEY } from '../broker/broker.constants.js';
import { leaseKeyOf } from '../broker/consume/lease-key.js';
import { partitionLeaseKey } from '../broker/partitions/partition-keys.js';
import { uniqueConsumerName } from '../broker/consume/consumer-arguments.js';
import { leasedConsumer } from './leased-consumer.js';
import { PartitionCoordinator, type PartitionCoordinatorStatus } from './partition-coordinator.js';
import { BatchDispatcher } from './batch-dispatcher.js';
import { EventBroker } from '../broker/event-broker.js';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import type { StreamConsumerDefinition } from './stream-consumer.definition.js';
import { StreamWorker } from './stream-worker.js';
import type { StreamWorkerStatus } from './stream-worker-status.js';
import { TypedMessageHandler } from './typed-message-handler.js';
import { WorkerMetrics } from './worker-metrics.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';

/**
 * The application's stream workers: started on bootstrap (never before the app is ready),
 * stopped before shutdown (stop reading, finish and ack the batch in hand, close the
 * consumers), before the broker closes its pools. Inject it to read each worker's status.
 */
@Injectable()
export class StreamWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly definitions: StreamConsumerDefinition[] = [];
  private readonly workers: StreamWorker[] = [];
  /** `mode: 'single'` consumers of partitioned streams: their workers follow the leases. */
  private readonly coordinators: PartitionCoordinator[] = [];

  constructor(
    private readonly broker: EventBroker,
    private readonly registry: EventRegistry,
    @Optional() private readonly instrumentation?: FluxInstrumentation,
  ) {}

  /** @internal called by the explorer with each validated consumer */
  add(definition: StreamConsumerDefinition): void {
    this.definitions.push(definition);
  }

  onApplicationBootstrap(): void {
    for (const definition of this.definitions) {
      const { stream, options } = definition;
      const partitions = this.broker.registry.get(stream).partitions;
      if (partitions !== undefined && options.mode === 'single') {
        this.coordinators.push(this.createCoordinator(definition));
        continue;
      }
      const count = options.mode === 'single' ? 1 : options.consumers;
      // mode 'many' on a partitioned stream: `consumers` loops on every partition.
      for (const partition of partitions === undefined ? [undefined] : range(partitions)) {
        for (let i = 0; i < count; i++) this.workers.push(this.createWorker(definition, partition));
      }
    }
    for (const worker of this.workers) worker.start();
    for (const coordinator of this.coordinators) coordinator.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([
      ...this.workers.map((worker) => worker.stop()),
      ...this.coordinators.map((coordinator) => coordinator.stop()),
    ]);
  }

  /**
   * One entry per consumer loop (a `mode: 'many'` consumer has `consumers` of them, per
   * partition on a partitioned stream; a `mode: 'single'` consumer of a partitioned stream one
   * per partition this process reads).
   */
  status(): StreamWorkerStatus[] {
    return [
      ...this.workers.map((worker) => worker.status()),
      ...this.coordinators.flatMap((c) => c.workers().map((worker) => worker.status())),
    ];
  }

  /** Per `mode: 'single'` consumer of a partitioned stream: members, held and unheld partitions. */
  partitions(): PartitionCoordinatorStatus[] {
    return this.coordinators.map((coordinator) => coordinator.status());
  }

  private createCoordinator(definition: StreamConsumerDefinition): PartitionCoordinator {
    const { stream, options, className } = definition;
    const registered = this.broker.registry.get(stream);
    const member = uniqueConsumerName();
    return new PartitionCoordinator({
      stream: registered,
      group: options.group,
      member,
      cap: options.consumers,
      leaseTtl: options.leaseTtl,
      redis: this.broker.redisFor(stream),
      logger: new Logger(`StreamConsumer:${className}`),
      createWorker: (partition) => this.createWorker(definition, partition, member),
    });
  }

  /**
   * A worker of `definition`: on `partition` when the stream is partitioned; `member` names the
   * process of a partitioned single-mode consumer (one name for all its partition leases).
   */
  private createWorker(
    definition: StreamConsumerDefinition,
    partition: number | undefined,
    member?: string,
  ): StreamWorker {
    const { className, instance, stream, options, handlers } = definition;
    const logger = new Logger(`StreamConsumer:${className}`);
    const metrics = new WorkerMetrics(stream, options.group, this.instrumentation, partition);
    const typed =
      handlers.kind === 'typed'
        ? new TypedMessageHandler(
            instance,
            handlers.routes,
            this.registry,
            options.ignoreUnknown,
            logger,
          )
        : undefined;
    const raw = instance.handle as ((events: StreamEvent[]) => Promise<void>) | undefined;
    const dispatcher = new BatchDispatcher(
      {
        mode: options.mode,
        group: options.group,
        maxDeliveries: options.maxDeliveries,
        className,
        concurrency: options.concurrency,
        keyTag: this.broker.registry.get(stream).partitionKey ?? DEFAULT_PARTITION_KEY,
        handleOne: typed && ((msg) => typed.handle(msg)),
        handleBatch: typed ? undefined : async (events) => raw!.call(instance, events),
        tracer: this.instrumentation?.tracer,
      },
      this.broker,
      metrics,
      logger,
    );
    const config = { className, stream, options, dispatcher, metrics, logger, partition };
    const { group } = options;
    if (options.mode === 'many') {
      const open = () => this.broker.consumerMany(stream, { group, partition });
      return new StreamWorker({ ...config, open });
    }
    const registered = this.broker.registry.get(stream);
    const leaseKey =
      partition === undefined
        ? leaseKeyOf(registered.key, group)
        : partitionLeaseKey(registered.partitionKeys![partition], group);
    const name = member ?? `single-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    const target = { stream, group, partition, leaseKey, name, ttlMs: options.leaseTtl };
    return new StreamWorker({ ...config, ...leasedConsumer(this.broker, target) });
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
