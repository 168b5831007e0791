import {
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { type BoardEventPage, BoardEvents, type BoardHistory } from './board-events.js';
import type { BoardGuard } from './board.options.js';
import { BOARD_CSP, BOARD_PAGE } from './page/board-page.js';
import { parseIntParam, parseLimit, parseName, parseStreamId } from './board-params.js';
import { BoardRequestGuard } from './board-request.guard.js';
import { type DeadLetterPage, DeadLetters } from './dead-letters.js';
import { type BoardStream, StreamsOverview } from './streams-overview.js';

/**
 * Builds the board's controller for a route path. `@Controller` takes the path at class
 * definition, so each call defines a new class; the user's guards cover every route, the page
 * included. Mutating routes are POST/DELETE and also need the board's request header.
 * @internal
 */
export function createBoardController(path: string, guards: BoardGuard[] = []): Type<unknown> {
  @Controller(path)
  @UseGuards(...guards)
  class FluxBoardController {
    constructor(
      @Inject(StreamsOverview) private readonly streams: StreamsOverview,
      @Inject(DeadLetters) private readonly deadLetters: DeadLetters,
      @Inject(BoardEvents) private readonly events: BoardEvents,
    ) {}

    @Get()
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', BOARD_CSP)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Referrer-Policy', 'no-referrer')
    @Header('Cache-Control', 'no-store')
    page(): string {
      return BOARD_PAGE;
    }

    @Get('api/streams')
    async listStreams(): Promise<{ streams: BoardStream[] }> {
      return { streams: await this.streams.list() };
    }

    @Get('api/streams/:stream/dead')
    peek(
      @Param('stream') stream: string,
      @Query('after') after: unknown,
      @Query('limit') limit: unknown,
    ): Promise<DeadLetterPage> {
      return this.deadLetters.peek(parseName('stream', stream), {
        after: after === undefined || after === '' ? undefined : parseStreamId('after', after),
        limit: parseLimit(limit),
      });
    }

    @Post('api/streams/:stream/dead/:id/replay')
    @HttpCode(200)
    @UseGuards(BoardRequestGuard)
    async replay(
      @Param('stream') stream: string,
      @Param('id') id: string,
    ): Promise<{ id: string }> {
      return {
        id: await this.deadLetters.replay(parseName('stream', stream), parseStreamId('id', id)),
      };
    }

    @Delete('api/streams/:stream/dead/:id')
    @HttpCode(200)
    @UseGuards(BoardRequestGuard)
    async remove(
      @Param('stream') stream: string,
      @Param('id') id: string,
    ): Promise<{ deleted: string }> {
      await this.deadLetters.remove(parseName('stream', stream), parseStreamId('id', id));
      return { deleted: id };
    }

    @Get('api/events')
    latest(
      @Query('before') before: unknown,
      @Query('limit') limit: unknown,
    ): Promise<BoardEventPage> {
      return this.events.latest({
        before: before === undefined ? undefined : parseIntParam('before', before, 1, 1),
        limit: parseLimit(limit),
      });
    }

    @Get('api/aggregates/:id/events')
    history(
      @Param('id') id: string,
      @Query('fromVersion') fromVersion: unknown,
      @Query('limit') limit: unknown,
    ): Promise<BoardHistory> {
      return this.events.history(parseName('id', id), {
        fromVersion: parseIntParam('fromVersion', fromVersion, 1, 1),
        limit: parseLimit(limit),
      });
    }
  }
  return FluxBoardController;
}
