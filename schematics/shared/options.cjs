'use strict';
const { SchematicsException } = require('@angular-devkit/schematics');
const { normalize, strings } = require('@angular-devkit/core');

const NAME = /^[A-Za-z][A-Za-z0-9-_]*$/;
const STREAM = /^[\w.:-]+$/;

/**
 * Splits `billing/account` into the folder `billing` (under `path`) and the name `account`.
 * Names end up in class names and file names, so anything else is refused up front.
 * @param {{ name: string, path?: string }} options
 * @returns {{ name: string, dir: string }}
 */
function parseName(options) {
  const parts = String(options.name || '')
    .split('/')
    .filter(Boolean);
  const name = parts.pop() || '';
  if (!NAME.test(name)) {
    throw new SchematicsException(
      `Invalid name "${options.name}": use letters, digits and dashes, starting with a letter (e.g. account-credited).`,
    );
  }
  return {
    name: strings.dasherize(name),
    dir: normalize([options.path || 'src', ...parts].join('/')),
  };
}

/**
 * A stream or group name that will sit inside a quoted string in the generated code.
 * @param {string} option
 * @param {string} value
 */
function checkStreamName(option, value) {
  if (!STREAM.test(value)) {
    throw new SchematicsException(
      `Invalid --${option} "${value}": use letters, digits and . : _ - (e.g. account-events).`,
    );
  }
  return value;
}

/** Template variables shared by every schematic: the string helpers and the spec's imports. */
function templateHelpers(options) {
  return { ...strings, vitest: (options.testRunner || 'vitest') === 'vitest' };
}

module.exports = { parseName, checkStreamName, templateHelpers };
