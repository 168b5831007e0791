import { type DynamicModule, Module } from '@nestjs/common';
import { BoardAccessCheck, FLUX_BOARD_OPTIONS } from './board-access.check.js';
import { createBoardController } from './board.controller.js';
import { BoardEvents } from './board-events.js';
import { type FluxBoardOptions, resolveBoardOptions } from './board.options.js';
import { DeadLetters } from './dead-letters.js';
import { StreamsOverview } from './streams-overview.js';

/**
 * The admin board: one HTML page and its JSON API under `options.path` (default `flux`),
 * every route behind `options.guards`. Nothing is mounted unless this module is imported, and
 * without guards the bootstrap fails (`BoardNotGuardedError`) unless `public: true` is set.
 * Needs `FluxModule.forRoot` (global) for the event store, broker and stream registry.
 *
 * @example
 * imports: [FluxModule.forRoot({ … }), FluxBoardModule.forRoot({ path: 'admin/flux', guards: [AdminGuard] })]
 */
@Module({})
export class FluxBoardModule {
  static forRoot(options: FluxBoardOptions = {}): DynamicModule {
    const resolved = resolveBoardOptions(options);
    return {
      module: FluxBoardModule,
      imports: options.imports ?? [],
      controllers: [createBoardController(resolved.path, resolved.guards)],
      providers: [
        { provide: FLUX_BOARD_OPTIONS, useValue: resolved },
        BoardAccessCheck,
        StreamsOverview,
        DeadLetters,
        BoardEvents,
      ],
    };
  }
}
