import type { Provider } from '@nestjs/common';
import { RELAY_OPTIONS, type RelayServiceOptions } from '../relay/relay.options.js';
import type { FluxModuleOptions } from './flux-module.options.js';
import { FLUX_MODULE_OPTIONS } from './flux.module-definition.js';

/**
 * The relay's own options, cut from the module's: `RelayService` injects `RELAY_OPTIONS`, never
 * the whole module options (as `@nestjs/bullmq` gives each queue its own options token).
 * @internal
 */
export const relayOptionsProvider: Provider = {
  provide: RELAY_OPTIONS,
  useFactory: ({ relay, keyPrefix }: FluxModuleOptions): RelayServiceOptions => ({
    ...relay,
    keyPrefix,
  }),
  inject: [FLUX_MODULE_OPTIONS],
};
