import { FluxError } from './flux.error.js';

/** `FluxBoardModule.forRoot` without `guards`: the board is closed unless declared public. */
export class BoardNotGuardedError extends FluxError {
  constructor(readonly path: string) {
    super(
      'BOARD_NOT_GUARDED',
      `FluxBoardModule.forRoot({ path: '${path}' }) has no guards: the board shows every ` +
        "stream's messages and can replay and delete dead letters. Pass `guards: [YourAuthGuard]`, " +
        'or `public: true` to serve it to anyone who reaches the application (a network you trust).',
    );
  }
}
