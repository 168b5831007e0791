'use strict';
const {
  apply,
  applyTemplates,
  filter,
  mergeWith,
  move,
  noop,
  url,
} = require('@angular-devkit/schematics');
const { normalize } = require('@angular-devkit/core');
const { checkStreamName, parseName, templateHelpers } = require('../shared/options.cjs');

/**
 * `projection balances --stream account-events`: in `src/balances/`, a `@StreamConsumer`
 * class `BalancesProjection` (group `balances`), its module and its spec. Without `--stream`
 * the stream is named after the projection: the Nest CLI (`nest g -c nestjs-flux projection
 * balances`) passes a name and a path only, and a run must not fail for the option it cannot pass.
 */
function projection(options) {
  const { name, dir } = parseName(options);
  const stream = checkStreamName('stream', options.stream || name);
  const group = checkStreamName('group', options.group || name);
  const source = apply(url('./files'), [
    options.spec === false ? filter((path) => !path.endsWith('.spec.ts.template')) : noop(),
    applyTemplates({ ...templateHelpers(options), name, stream, group }),
    move(options.flat ? dir : normalize(`${dir}/${name}`)),
  ]);
  return mergeWith(source);
}

module.exports = { projection };
