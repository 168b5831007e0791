import type { Provider } from '@nestjs/common';
import { FeedSubscriberMetadataAccessor } from './feed-subscriber.accessor.js';
import { FeedSubscriberExplorer } from './feed-subscriber.explorer.js';
import { FeedSubscribers } from './feed-subscribers.orchestrator.js';

/**
 * Providers that discover `@FeedSubscriber` classes and run their consumers. They need
 * `DiscoveryModule` in the same module. They open no endpoint, so they are always safe to add.
 * @internal
 */
export function createFeedSubscriberProviders(): Provider[] {
  return [FeedSubscriberMetadataAccessor, FeedSubscribers, FeedSubscriberExplorer];
}
