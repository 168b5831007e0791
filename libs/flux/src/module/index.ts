export * from './flux.module.js';
export * from './flux-feature.module.js';
export * from './flux.module-definition.js';
export * from './flux-module.options.js';
export * from './inject-aggregate-repository.decorator.js';
export * from './flux.constants.js';
