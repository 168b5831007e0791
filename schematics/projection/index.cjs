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
 * class `BalancesProjection` (group `balances`), its module and its spec.
 */
function projection(options) {
  const { name, dir } = parseName(options);
  const stream = checkStreamName('stream', options.stream || '');
  const group = checkStreamName('group', options.group || name);
  const source = apply(url('./files'), [
    options.spec === false ? filter((path) => !path.endsWith('.spec.ts.template')) : noop(),
    applyTemplates({ ...templateHelpers(options), name, stream, group }),
    move(options.flat ? dir : normalize(`${dir}/${name}`)),
  ]);
  return mergeWith(source);
}

module.exports = { projection };
