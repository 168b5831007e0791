import { FluxError } from './flux.error.js';

/**
 * An installed dependency lacks a hook nestjs-flux relies on (its version changed an internal
 * API): install the version range nestjs-flux declares in its peer dependencies.
 */
export class IncompatiblePeerError extends FluxError {
  constructor(
    readonly packageName: string,
    reason: string,
  ) {
    super(
      'INCOMPATIBLE_PEER',
      `${packageName} ${reason}. Install the version range nestjs-flux declares for it.`,
    );
  }
}
