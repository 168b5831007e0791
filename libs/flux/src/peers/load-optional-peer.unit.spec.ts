import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FluxError } from '../errors/flux.error.js';
import { MissingPeerDependencyError } from '../errors/missing-peer-dependency.error.js';
import { loadOptionalPeer } from './load-optional-peer.js';

const require = createRequire(import.meta.url);
const dynamicImport = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier);

describe('loadOptionalPeer', () => {
  it('returns the module when the package is installed', async () => {
    const msgpack = await loadOptionalPeer({
      name: '@msgpack/msgpack',
      feature: 'A test',
      load: () => import('@msgpack/msgpack'),
    });
    expect(typeof msgpack.encode).toBe('function');
  });

  it('names the missing package, the feature and the install command (ES module import)', async () => {
    const error = await loadOptionalPeer({
      name: 'flux-no-such-driver',
      feature: 'The imaginary store',
      install: ['flux-no-such-driver', 'flux-no-such-orm'],
      load: () => dynamicImport('flux-no-such-driver/promise'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPeerDependencyError);
    expect(error).toBeInstanceOf(FluxError);
    expect(error).toMatchObject({
      code: 'MISSING_PEER_DEPENDENCY',
      packageName: 'flux-no-such-driver',
      feature: 'The imaginary store',
      installCommand: 'npm install flux-no-such-driver flux-no-such-orm',
    });
    expect((error as Error).message).toBe(
      'The imaginary store needs the package "flux-no-such-driver", which is not installed. It is ' +
        'an optional peer dependency of nestjs-flux: install it in your app with ' +
        '`npm install flux-no-such-driver flux-no-such-orm`.',
    );
  });

  it('recognises a missing package loaded through require (CommonJS)', async () => {
    const error = await loadOptionalPeer({
      name: '@flux-none/driver',
      feature: 'The imaginary store',
      load: async () => require('@flux-none/driver'),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ packageName: '@flux-none/driver' });
  });

  it('lets other failures through unchanged: a missing file of an installed package, a throw', async () => {
    const missingFile = pathToFileURL(`${process.cwd()}/libs/flux/src/peers/no-such-file.js`).href;
    const notFound = await loadOptionalPeer({
      name: 'peers',
      feature: 'A test',
      load: () => dynamicImport(missingFile),
    }).catch((e: unknown) => e);
    expect(notFound).not.toBeInstanceOf(MissingPeerDependencyError);
    expect(notFound).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });

    const broken = new TypeError('the driver failed to initialise');
    await expect(
      loadOptionalPeer({ name: 'x', feature: 'A test', load: () => Promise.reject(broken) }),
    ).rejects.toBe(broken);
  });
});
