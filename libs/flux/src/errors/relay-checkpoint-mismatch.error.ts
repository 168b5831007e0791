import { FluxError } from './flux.error.js';

/**
 * The relay's checkpoint names an event the store no longer holds at that position (a database
 * restored from a backup, tables recreated under the same identity), and no earlier checkpoint
 * of its history matches either. The relay stops rather than skip or guess; health reports it.
 */
export class RelayCheckpointMismatchError extends FluxError {
  constructor(
    readonly storeId: string,
    readonly position: number,
    readonly eventId: string,
    readonly checkpointKey: string,
  ) {
    super(
      'RELAY_CHECKPOINT_MISMATCH',
      `The relay checkpoint of event store ${storeId} is event ${eventId} at position ${position}, ` +
        'which the store no longer holds there (restored from a backup?), and no earlier ' +
        'checkpoint matches. Nothing is published until the checkpoint is reset on purpose: ' +
        'RelayService.resetCheckpoint({ position }) relays again after that position (0: from ' +
        `the start), or redis-cli DEL ${checkpointKey} relays everything again.`,
    );
  }
}
