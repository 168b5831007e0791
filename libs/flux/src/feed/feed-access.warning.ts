import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { FLUX_FEED_OPTIONS, type ResolvedFeedOptions } from './feed.options.js';

/**
 * The feed serves every stored event's data. Flux's feed is often meant for services inside one
 * network, so it may run without guards — but never without anyone being told.
 * @internal
 */
@Injectable()
export class FeedAccessWarning implements OnModuleInit {
  private readonly logger = new Logger('FluxFeed');

  constructor(@Inject(FLUX_FEED_OPTIONS) private readonly options: ResolvedFeedOptions) {}

  onModuleInit(): void {
    if (this.options.guards.length > 0) return;
    this.logger.warn(
      `the HTTP feed at /${this.options.path} has no guards: anyone who reaches this application ` +
        'reads every stored event. Add feed: { guards: [YourAuthGuard] } unless only trusted ' +
        'services can reach it.',
    );
  }
}
