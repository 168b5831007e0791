import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { EventRegistry } from '../event-sourcing/event-registry.js';
import { BatchDispatcher } from './batch-dispatcher.js';
import { EventBroker } from '../broker/event-broker.js';
import type { StreamEvent } from '../broker/stream-event.js';
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
      const count = definition.options.mode === 'single' ? 1 : definition.options.consumers;
      for (let i = 0; i < count; i++) this.workers.push(this.createWorker(definition));
    }
    for (const worker of this.workers) worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }

  /** One entry per consumer loop (a `mode: 'many'` consumer has `consumers` of them). */
  status(): StreamWorkerStatus[] {
    return this.workers.map((worker) => worker.status());
  }

  private createWorker(definition: StreamConsumerDefinition): StreamWorker {
    const { className, instance, stream, options, handlers } = definition;
    const logger = new Logger(`StreamConsumer:${className}`);
    const metrics = new WorkerMetrics(stream, options.group, this.instrumentation);
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
        handleOne: typed && ((msg) => typed.handle(msg)),
        handleBatch: typed ? undefined : async (events) => raw!.call(instance, events),
      },
      this.broker,
      metrics,
      logger,
    );
    const open =
      options.mode === 'single'
        ? () => this.broker.consumerSingle(stream, { group: options.group })
        : () => this.broker.consumerMany(stream, { group: options.group });
    return new StreamWorker({ className, stream, options, open, dispatcher, metrics, logger });
  }
}
