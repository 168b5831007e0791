import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { BoardNotGuardedError } from '../errors/board-not-guarded.error.js';
import type { ResolvedBoardOptions } from './board.options.js';

/**
 * Injection token of the resolved board options.
 * @internal
 */
export const FLUX_BOARD_OPTIONS = 'flux:board_options';

/**
 * Closed by default: a board without guards fails the bootstrap unless `public: true` says it is
 * meant to be open, which is logged as a warning at every start.
 * @internal
 */
@Injectable()
export class BoardAccessCheck implements OnModuleInit {
  private readonly logger = new Logger('FluxBoard');

  constructor(@Inject(FLUX_BOARD_OPTIONS) private readonly options: ResolvedBoardOptions) {}

  onModuleInit(): void {
    const { path, guards } = this.options;
    if (guards.length > 0) return;
    if (!this.options.public) throw new BoardNotGuardedError(path);
    this.logger.warn(
      `the board at /${path} is public (public: true, no guards): anyone who reaches this ` +
        'application can read every stream and replay or delete dead letters',
    );
  }
}
