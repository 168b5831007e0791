'use strict';
const {
  apply,
  applyTemplates,
  chain,
  mergeWith,
  move,
  url,
} = require('@angular-devkit/schematics');
const { join, normalize, strings } = require('@angular-devkit/core');
const { parseName, templateHelpers } = require('../shared/options.cjs');

/**
 * Adds `export * from './<file>.js';` to the folder's `index.ts`, creating it when missing.
 * The line is not added twice, so running the schematic again for another event is safe.
 */
function addToBarrel(folder, file) {
  return (tree) => {
    const barrel = join(folder, 'index.ts');
    const line = `export * from './${file}.js';`;
    if (!tree.exists(barrel)) {
      tree.create(barrel, `${line}\n`);
      return tree;
    }
    const current = tree.readText(barrel);
    if (current.split('\n').some((l) => l.trim() === line)) return tree;
    const separator = current === '' || current.endsWith('\n') ? '' : '\n';
    tree.overwrite(barrel, `${current}${separator}${line}\n`);
    return tree;
  };
}

/**
 * `event account-credited --aggregate account`: `src/account/events/account-credited.event.ts`
 * with a `@DomainEvent('AccountCredited')` class, exported from `events/index.ts`.
 */
function event(options) {
  const { name, dir } = parseName(options);
  const aggregate = options.aggregate ? parseName({ name: options.aggregate, path: '.' }).name : '';
  const folder = normalize(
    [dir, aggregate && !options.flat ? aggregate : '', 'events'].filter(Boolean).join('/'),
  );
  const source = apply(url('./files'), [
    applyTemplates({ ...templateHelpers(options), name }),
    move(folder),
  ]);
  return chain([mergeWith(source), addToBarrel(folder, `${strings.dasherize(name)}.event`)]);
}

module.exports = { event };
