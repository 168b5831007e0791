import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { FluxModuleOptions } from './flux-module.options.js';

export const {
  ConfigurableModuleClass: FluxConfigurableModule,
  MODULE_OPTIONS_TOKEN: FLUX_MODULE_OPTIONS,
  OPTIONS_TYPE: FLUX_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: FLUX_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<FluxModuleOptions>({ moduleName: 'Flux' })
  .setClassMethodName('forRoot')
  .setExtras({}, (definition) => ({ ...definition, global: true }))
  .build();
