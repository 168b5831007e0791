import { MissingPeerDependencyError } from '../errors/missing-peer-dependency.error.js';

/**
 * What a feature that needs an optional peer declares about it.
 * @internal
 */
export interface OptionalPeer<T> {
  /** The npm package, e.g. `'mysql2'` (the package name, not a subpath). */
  readonly name: string;
  /** What needs it, for the error message, e.g. `'The MySQL event store'`. */
  readonly feature: string;
  /** Every package to install together (default: `[name]`), e.g. `['typeorm', 'mysql2']`. */
  readonly install?: readonly string[];
  /** Loads it: `() => import('mysql2/promise')` (a literal `import()` keeps its types). */
  readonly load: () => Promise<T>;
}

/**
 * Loads an optional peer dependency at the moment a feature needs it, never at import time:
 * `import 'nestjs-flux'` must load no driver so that an app on the memory store installs none
 * (drivers are optional `peerDependencies` in package.json). When the package is missing this
 * throws `MissingPeerDependencyError` naming it and the install command; any other failure while
 * loading it (a broken install, an error in its own code) propagates unchanged.
 *
 * Usage, inside the factory that creates the feature:
 * ```ts
 * const pg = await loadOptionalPeer({
 *   name: 'pg',
 *   feature: 'The PostgreSQL event store',
 *   load: () => import('pg'),
 * });
 * ```
 * Add the package to `peerDependencies` and `peerDependenciesMeta` (`optional: true`) and to
 * `devDependencies`, and keep every other import of it `import type` (erased at build time).
 * `test/packaging/` proves that the memory store runs without any of them.
 * @internal
 */
export async function loadOptionalPeer<T>(peer: OptionalPeer<T>): Promise<T> {
  try {
    return await peer.load();
  } catch (error) {
    if (isMissing(error, peer.name)) {
      throw new MissingPeerDependencyError(peer.name, peer.feature, peer.install ?? [peer.name], {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Node reports a missing package as ERR_MODULE_NOT_FOUND (ESM) or MODULE_NOT_FOUND (CommonJS)
 * with the package in the message; a missing file *inside* an installed package has the same
 * code, which is why the message must name the package itself.
 */
function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = String((error as { message?: unknown }).message ?? '');
  return message.includes(`'${name}'`) || message.includes(`'${name}/`);
}
