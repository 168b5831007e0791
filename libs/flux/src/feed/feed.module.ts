import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { createFeedController } from './feed.controller.js';
import { FLUX_FEED_OPTIONS, type FeedServerOptions, resolveFeedOptions } from './feed.options.js';
import { FeedAccessWarning } from './feed-access.warning.js';
import { FeedStreamHub } from './feed-stream.hub.js';

/**
 * The providers the feed controller needs (besides the global `EventStore`).
 * @internal
 */
export function createFeedProviders(options: FeedServerOptions = {}): Provider[] {
  return [
    { provide: FLUX_FEED_OPTIONS, useValue: resolveFeedOptions(options) },
    FeedStreamHub,
    FeedAccessWarning,
  ];
}

/**
 * The feed controller for these options, mounted at `options.path` (default `events`).
 * @internal
 */
export function feedControllers(options: FeedServerOptions = {}): Type<unknown>[] {
  const { path, guards } = resolveFeedOptions(options);
  return [createFeedController(path, guards)];
}

/**
 * Mounts the HTTP feed. `FluxModule.forRoot({ feed })` imports it when `feed` is given; with
 * `forRootAsync`, import `FluxFeedModule.forRoot({ … })` yourself: routes must be known before
 * the async options are. Needs `FluxModule` (for the global `EventStore`).
 */
@Module({})
export class FluxFeedModule {
  static forRoot(options: FeedServerOptions = {}): DynamicModule {
    return {
      module: FluxFeedModule,
      imports: options.imports ?? [],
      controllers: feedControllers(options),
      providers: createFeedProviders(options),
    };
  }
}
