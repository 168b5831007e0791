import {
  type BeforeApplicationShutdown,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { FeedConsumer } from '../consumer/feed-consumer.js';
import type { FeedEventHandler, FeedConsumerStatus } from '../consumer/feed-consumer.types.js';

interface Entry {
  consumer: FeedConsumer;
  handler: FeedEventHandler;
}

/**
 * The application's `@FeedSubscriber` consumers: started on bootstrap (never before the app is
 * ready), stopped before shutdown, after their handler in progress, so the store and
 * connections they use are still open. Inject it to read each consumer's status.
 */
@Injectable()
export class FeedSubscribers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly entries = new Map<string, Entry>();

  /** @internal called by the explorer with each validated subscriber */
  add(consumer: FeedConsumer, handler: FeedEventHandler): void {
    this.entries.set(consumer.name, { consumer, handler });
  }

  get(name: string): FeedConsumer | undefined {
    return this.entries.get(name)?.consumer;
  }

  onApplicationBootstrap(): void {
    for (const { consumer, handler } of this.entries.values()) consumer.start(handler);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.entries.values()].map(({ consumer }) => consumer.stop()));
  }

  /** Status of every subscriber, by name. */
  status(): Record<string, FeedConsumerStatus> {
    return Object.fromEntries(
      [...this.entries].map(([name, { consumer }]) => [name, consumer.status()]),
    );
  }
}
