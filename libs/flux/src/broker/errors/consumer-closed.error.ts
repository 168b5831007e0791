import { FluxError } from '../../errors/flux.error.js';

/** `consume`/`autoClaim` called on a consumer after `close()` or `cleanup()`. */
export class ConsumerClosedError extends FluxError {
  constructor(
    readonly stream: string,
    readonly consumer: string,
  ) {
    super(
      'CONSUMER_CLOSED',
      `Consumer "${consumer}" of stream "${stream}" is closed. Create a new consumer with ` +
        `EventBroker.consumerSingle() or consumerMany().`,
    );
  }
}
