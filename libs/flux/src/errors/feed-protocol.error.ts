import { FluxError } from './flux.error.js';

/** A feed server answered outside the protocol the consumer speaks; `url` names the feed. */
export class FeedProtocolError extends FluxError {
  constructor(
    reason: string,
    readonly url?: string,
  ) {
    super('FEED_PROTOCOL', url ? `${url} ${reason}` : reason);
  }
}
