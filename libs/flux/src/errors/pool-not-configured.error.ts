import { FluxError } from './flux.error.js';

export class PoolNotConfiguredError extends FluxError {
  constructor(
    readonly pool: string,
    readonly stream?: string,
  ) {
    super(
      'POOL_NOT_CONFIGURED',
      `Redis pool "${pool}"${stream ? ` (used by stream "${stream}")` : ''} is not configured. ` +
        `Add it to FluxModule.forRoot({ redis: { ${pool}: 'redis://…' } }).`,
    );
  }
}
