'use strict';
const {
  apply,
  applyTemplates,
  chain,
  filter,
  mergeWith,
  move,
  noop,
  schematic,
  url,
} = require('@angular-devkit/schematics');
const { normalize } = require('@angular-devkit/core');
const { checkStreamName, parseName, templateHelpers } = require('../shared/options.cjs');

/**
 * `aggregate account`: in `src/account/`, `account.aggregate.ts`, `account.module.ts`
 * (`FluxModule.forFeature({ aggregates: [Account] })`), `account.service.ts` (the injected
 * repository), `account.aggregate.spec.ts` (`aggregateFixture`) and the first event through
 * the `event` schematic, so the events barrel is built the same way later events extend it.
 */
function aggregate(options) {
  const { name, dir } = parseName(options);
  const folder = options.flat ? dir : normalize(`${dir}/${name}`);
  const stream = options.stream ? checkStreamName('stream', options.stream) : '';
  const source = apply(url('./files'), [
    options.spec === false ? filter((path) => !path.endsWith('.spec.ts.template')) : noop(),
    applyTemplates({ ...templateHelpers(options), name, stream }),
    move(folder),
  ]);
  return chain([
    mergeWith(source),
    schematic('event', { name: `${name}-created`, path: folder, flat: true }),
  ]);
}

module.exports = { aggregate };
