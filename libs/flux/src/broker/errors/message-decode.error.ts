import { FluxError } from '../../errors/flux.error.js';

/** A stream message whose body cannot be decoded (garbage, over a limit, or a forbidden key). */
export class MessageDecodeError extends FluxError {
  constructor(
    readonly stream: string,
    readonly messageId: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      'MESSAGE_DECODE',
      `Cannot decode message ${messageId} of stream "${stream}": ${reason}. ` +
        `Ack it to drop it, or let the worker move it to the dead-letter stream.`,
      options,
    );
  }
}
