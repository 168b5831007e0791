import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = join(repo, 'node_modules/.bin/schematics');
const collection = join(repo, 'schematics/collection.json');

/** A Nest app skeleton that depends on nestjs-flux, resolved to this repo's sources. */
const SKELETON: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'flux-app', private: true, type: 'module' }, null, 2),
  'src/main.ts': [
    "import { NestFactory } from '@nestjs/core';",
    "import { AppModule } from './app.module.js';",
    '',
    'const app = await NestFactory.create(AppModule);',
    'await app.listen(3000);',
    '',
  ].join('\n'),
  'vitest.config.mts': [
    "import swc from 'unplugin-swc';",
    "import { defineConfig } from 'vitest/config';",
    '',
    'export default defineConfig({',
    "  plugins: [swc.vite({ module: { type: 'es6' } })],",
    '  resolve: {',
    '    alias: [',
    `      { find: /^nestjs-flux\\/testing$/, replacement: ${JSON.stringify(join(repo, 'libs/flux/src/testing/index.ts'))} },`,
    `      { find: /^nestjs-flux$/, replacement: ${JSON.stringify(join(repo, 'libs/flux/src/index.ts'))} },`,
    '    ],',
    '  },',
    "  test: { include: ['src/**/*.spec.ts'] },",
    '});',
    '',
  ].join('\n'),
  'tsconfig.json': JSON.stringify({
    // The repo's config maps `nestjs-flux` to the library sources; rootDir widened for /tmp.
    extends: join(repo, 'tsconfig.json'),
    compilerOptions: { noEmit: true, rootDir: '/' },
    include: ['src'],
  }),
};

const APP_MODULE = `import { Module } from '@nestjs/common';
import { FluxModule } from 'nestjs-flux';
import { AccountModule } from './account/account.module.js';
import { BalancesModule } from './balances/balances.module.js';

@Module({
  imports: [
    FluxModule.forRoot({ redis: { default: 'redis://127.0.0.1:6379' }, streams: ['account-events'] }),
    AccountModule,
    BalancesModule,
  ],
})
export class AppModule {}
`;

describe('schematics CLI on a Nest app', () => {
  let app: string;

  beforeAll(async () => {
    app = await mkdtemp(join(tmpdir(), 'flux-schematics-'));
    await mkdir(join(app, 'src'));
    for (const [file, text] of Object.entries(SKELETON)) await writeFile(join(app, file), text);
    await symlink(join(repo, 'node_modules'), join(app, 'node_modules'), 'dir');
  });

  afterAll(async () => {
    if (app) await rm(app, { recursive: true, force: true });
  });

  const schematics = (...args: string[]) =>
    run(cli, [...args, '--dry-run=false'], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });

  const node = (args: string[]) =>
    run(process.execPath, args, {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    })
      .then((out) => ({ ...out, code: 0 }))
      .catch((error: { stdout: string; stderr: string; code: number }) => error);

  it('generates aggregate, event and projection files', async () => {
    await schematics(`${collection}:aggregate`, '--name=account');
    await schematics(`${collection}:event`, 'account-credited', '--aggregate=account');
    await schematics(`${collection}:projection`, 'balances', '--stream=account-events');
    expect(await readFile(join(app, 'src/account/account.aggregate.ts'), 'utf8')).toContain(
      'export class Account extends AggregateRoot',
    );
    expect(await readFile(join(app, 'src/account/events/index.ts'), 'utf8')).toContain(
      "export * from './account-credited.event.js';",
    );
    await writeFile(join(app, 'src/app.module.ts'), APP_MODULE);
  }, 60_000);

  it('the generated files type-check against the library', async () => {
    const result = await node([
      join(repo, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.json',
    ]);
    // tsc exits non-zero on any error, in the app's files or the library's as the app sees it.
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/error TS\d+/);
  }, 180_000);

  it('the generated specs pass', async () => {
    const result = await node([join(repo, 'node_modules/vitest/vitest.mjs'), 'run']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    // eslint-disable-next-line no-control-regex -- strips colour codes from the child's output
    expect(result.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests\s+3 passed/);
  }, 120_000);
});
