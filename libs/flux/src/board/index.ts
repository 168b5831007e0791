export { FluxBoardModule } from './board.module.js';
export type { BoardGuard, FluxBoardOptions } from './board.options.js';
export { BOARD_REQUEST_HEADER } from './board-request.guard.js';
export type { BoardStream } from './streams-overview.js';
export type { DeadLetterPage } from './dead-letters.js';
export type { DeadLetterView } from './dead-letter-view.js';
export type { BoardEvent, BoardEventPage, BoardHistory } from './board-events.js';
