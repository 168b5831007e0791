import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltLibrary, REPO_ROOT } from '../faults/support/built-library.js';

const run = promisify(execFile);
const OPTIONAL_PEERS = [
  'typeorm',
  'mysql2',
  'pg',
  'prom-client',
  '@nestjs/terminus',
  '@nestjs/cqrs',
  '@opentelemetry/api',
];
const INSTALL_MS = 240_000;

/**
 * What `npm install nestjs-flux` gives a memory-store user: the packed tarball installed into an
 * empty ES-module project with npm's defaults (required peers installed, optional peers not).
 * The apps run in child processes on that install, with a resolve hook recording every attempt
 * to load an optional peer.
 */
describe('installed package, memory store, no optional peers', () => {
  let dir: string;

  beforeAll(async () => {
    ensureBuiltLibrary();
    dir = mkdtempSync(join(tmpdir(), 'flux-memory-app-'));
    // --ignore-scripts: `npm test` built dist/ already, and prepack must not rebuild it under
    // the other suites running in parallel.
    const { stdout } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'memory-app', private: true, type: 'module' }),
    );
    await run(
      'npm',
      ['install', join(dir, filename), '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: dir, timeout: INSTALL_MS },
    );
    cpSync(join(REPO_ROOT, 'test/packaging/fixtures'), dir, { recursive: true });
  }, INSTALL_MS + 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function node(script: string, log: string) {
    const { stdout } = await run('node', ['--import', './watch-peers.mjs', script], {
      cwd: dir,
      timeout: 60_000,
      env: { ...process.env, PEER_LOG: join(dir, log) },
    });
    const loaded = existsSync(join(dir, log))
      ? readFileSync(join(dir, log), 'utf8').split('\n').filter(Boolean)
      : [];
    return { result: JSON.parse(stdout.trim().split('\n').at(-1)!) as unknown, loaded };
  }

  it('installs none of the optional peers', () => {
    expect(existsSync(join(dir, 'node_modules/nestjs-flux/dist/libs/flux/src/index.js'))).toBe(
      true,
    );
    const present = OPTIONAL_PEERS.filter((peer) => existsSync(join(dir, 'node_modules', peer)));
    expect(present).toEqual([]);
  });

  it('runs an app on the memory store, trying no peer but the tracing API (absent: tracing off)', async () => {
    const { result, loaded } = await node('memory-app.mjs', 'memory.log');
    expect(result).toEqual({
      balance: 42,
      version: 2,
      types: ['AccountCredited', 'AccountCredited'],
    });
    // `tracing: 'auto'` (the default) looks for @opentelemetry/api once, at start-up, and goes
    // on without it.
    expect(loaded).toEqual(['@opentelemetry/api']);
  });

  it('fails each feature that needs a missing peer with an error naming it and the install', async () => {
    const { result, loaded } = await node('missing-peers.mjs', 'missing.log');
    const expected = (packageName: string, install: string) => ({
      name: 'MissingPeerDependencyError',
      typed: true,
      code: 'MISSING_PEER_DEPENDENCY',
      packageName,
      message: expect.stringContaining(`\`npm install ${install}\``),
    });
    expect(result).toEqual({
      mysql: expected('mysql2', 'typeorm mysql2'),
      metrics: expected('prom-client', 'prom-client'),
      health: expected('@nestjs/terminus', '@nestjs/terminus'),
      tracing: expected('@opentelemetry/api', '@opentelemetry/api'),
    });
    // The hook saw the attempts: the check of the memory app above is not vacuous.
    expect(loaded).toEqual(
      expect.arrayContaining([
        'mysql2/promise',
        'prom-client',
        '@nestjs/terminus',
        '@opentelemetry/api',
      ]),
    );
  });
});
