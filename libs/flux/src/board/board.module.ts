import { type DynamicModule, Module } from '@nestjs/common';
import { createBoardController } from './board.controller.js';
import { BoardEvents } from './board-events.js';
import { type FluxBoardOptions, resolveBoardOptions } from './board-options.js';
import { DeadLetters } from './dead-letters.js';
import { StreamsOverview } from './streams-overview.js';

/**
 * The admin board: one HTML page and its JSON API under `options.path` (default `flux`),
 * every route behind `options.guards`. Nothing is mounted unless this module is imported.
 * Needs `FluxModule.forRoot` (global) for the event store, broker and stream registry.
 *
 * @example
 * imports: [FluxModule.forRoot({ … }), FluxBoardModule.forRoot({ path: 'admin/flux', guards: [AdminGuard] })]
 */
@Module({})
export class FluxBoardModule {
  static forRoot(options: FluxBoardOptions = {}): DynamicModule {
    const { path, guards } = resolveBoardOptions(options);
    return {
      module: FluxBoardModule,
      imports: options.imports ?? [],
      controllers: [createBoardController(path, guards)],
      providers: [StreamsOverview, DeadLetters, BoardEvents],
    };
  }
}
