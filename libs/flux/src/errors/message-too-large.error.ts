import { FluxError } from './flux.error.js';

/**
 * A message body over the broker's `maxBodyBytes`: refused before it is sent, or before a
 * received one is decoded. Raise `maxBodyBytes` or send a smaller body (a reference to it).
 */
export class MessageTooLargeError extends FluxError {
  constructor(
    readonly bytes: number,
    readonly maxBodyBytes: number,
  ) {
    super('MESSAGE_TOO_LARGE', `${bytes} bytes exceed maxBodyBytes (${maxBodyBytes})`);
  }
}
