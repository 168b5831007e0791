import { FluxError } from './flux.error.js';

export class StreamNotRegisteredError extends FluxError {
  constructor(readonly stream: string) {
    super(
      'STREAM_NOT_REGISTERED',
      `Stream "${stream}" is not registered. Add it to FluxModule.forRoot({ streams }) or ` +
        `FluxModule.forFeature({ streams }).`,
    );
  }
}
