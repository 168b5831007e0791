import {
  Controller,
  Get,
  Headers,
  Inject,
  Logger,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  type Type,
  UseGuards,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { EventStore } from '../event-store/event-store.js';
import { type FeedEvent, type FeedPage, toFeedEvent } from './feed-event.js';
import { FLUX_FEED_OPTIONS, type FeedGuard, type ResolvedFeedOptions } from './feed.options.js';
import { parseEventId, parseLimit, parsePosition } from './feed-params.js';
import { feedBaseUrl, type FeedRequest } from './feed-request.js';
import { FeedStreamSession } from './feed-stream.js';
import { FeedStreamHub } from './feed-stream.hub.js';

/**
 * Builds the feed controller for a route path. The path is configuration, and `@Controller`
 * takes it at class definition, so each call defines a new class; guards are applied the same
 * way. `stream` is declared before `:eventId` so `/stream` is not taken for an event id.
 * @internal
 */
export function createFeedController(path: string, guards: FeedGuard[] = []): Type<unknown> {
  @Controller(path)
  @UseGuards(...guards)
  class FeedController {
    private readonly logger = new Logger('FluxFeed');

    constructor(
      @Inject(EventStore) private readonly store: EventStore,
      @Inject(FLUX_FEED_OPTIONS) private readonly options: ResolvedFeedOptions,
      @Inject(FeedStreamHub) private readonly hub: FeedStreamHub,
    ) {}

    @Get()
    async list(
      @Req() req: FeedRequest,
      @Query('after') rawAfter: unknown,
      @Query('limit') rawLimit: unknown,
    ): Promise<FeedPage> {
      const after = parsePosition('after', rawAfter);
      const limit = parseLimit(rawLimit, this.options.pageSize);
      const base = feedBaseUrl(req, this.options.publicUrl, false);
      const stored = await this.store.readAll({ after, limit });
      const events = stored.map((event) => toFeedEvent(event, base));
      const nextAfter = events.length ? events[events.length - 1].position : after;
      const next = `${base}?after=${nextAfter}${rawLimit === undefined ? '' : `&limit=${limit}`}`;
      return { description: 'event feed', events, next };
    }

    @Get('stream')
    stream(
      @Req() req: FeedRequest,
      @Res() res: ServerResponse,
      @Query('after') rawAfter: unknown,
      @Headers('last-event-id') lastEventId: string | undefined,
    ): void {
      // A reconnecting EventSource sends Last-Event-ID with its original URL: the header wins.
      const after =
        lastEventId !== undefined && lastEventId !== ''
          ? parsePosition('Last-Event-ID', lastEventId)
          : parsePosition('after', rawAfter);
      const onError = (error: unknown) => this.logger.warn(`SSE stream: ${describe(error)}`);
      const session = new FeedStreamSession(this.store, res, {
        after,
        pageSize: this.options.pageSize,
        heartbeatMs: this.options.heartbeatMs,
        pollMs: this.options.pollMs,
        base: feedBaseUrl(req, this.options.publicUrl, true),
        onError: (error) =>
          onError(new Error(`reading the store failed, retrying: ${describe(error)}`)),
      });
      this.hub.serve(session, onError);
    }

    @Get(':eventId')
    async get(@Req() req: FeedRequest, @Param('eventId') rawId: string): Promise<FeedEvent> {
      const eventId = parseEventId(rawId);
      const event = await this.store.getEvent(eventId);
      if (!event) {
        throw new NotFoundException({
          statusCode: 404,
          error: 'Not Found',
          message: `Event "${eventId.slice(0, 64)}" was not found in the feed.`,
        });
      }
      return toFeedEvent(event, feedBaseUrl(req, this.options.publicUrl, true));
    }
  }
  return FeedController;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
