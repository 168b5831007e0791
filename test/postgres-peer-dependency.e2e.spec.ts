import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { POSTGRES_URL } from './support/bank.js';

const run = promisify(execFile);
const register = fileURLToPath(new URL('./support/hide-pg/register.mjs', import.meta.url));
const library = new URL('../dist/libs/flux/src/index.js', import.meta.url).href;

/** `pg` is an optional peer dependency: an app without it runs, and only the PostgreSQL parts say so. */
describe('without the pg package installed', () => {
  it('the memory store works and the PostgreSQL store names the package and its install command', async () => {
    const script = `
      const flux = await import(${JSON.stringify(library)});
      const memory = new flux.MemoryEventStore();
      await memory.append('a', [{ type: 'T', data: {} }], { expectedVersion: 0, aggregateName: 'x' });
      const failures = [];
      for (const attempt of [
        () => flux.PostgresEventStore.create({ url: ${JSON.stringify(POSTGRES_URL)} }),
        () => new flux.PostgresOffsetStore(${JSON.stringify(POSTGRES_URL)}).get('c'),
      ]) {
        await attempt().then(
          () => failures.push(null),
          (e) => failures.push({ name: e.name, code: e.code, message: e.message, ok: e instanceof flux.FluxError }),
        );
      }
      console.log(JSON.stringify(failures));`;
    const { stdout } = await run(process.execPath, [
      '--import',
      register,
      '--input-type=module',
      '-e',
      script,
    ]);
    const failures = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(failures).toHaveLength(2);
    for (const failure of failures) {
      expect(failure).toMatchObject({
        name: 'MissingPeerDependencyError',
        code: 'MISSING_PEER_DEPENDENCY',
        ok: true,
      });
      expect(failure.message).toContain('npm install pg');
    }
    expect(failures[0].message).toMatch(/PostgreSQL event store needs the package "pg"/);
  }, 30_000);
});
