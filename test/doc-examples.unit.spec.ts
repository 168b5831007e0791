import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.doc-examples');

/** Every ```ts compile block of the README and docs/: the examples users copy must compile. */
function examples(): { name: string; code: string }[] {
  const files = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  return files.flatMap((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    return [...text.matchAll(/```ts compile\n([\s\S]*?)```/g)].map((m, i) => ({
      name: `${file.replace(/[/.]/g, '_')}_${i + 1}.ts`,
      code: m[1],
    }));
  });
}

describe('documentation examples', () => {
  it('type-check against the library', async () => {
    const blocks = examples();
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    for (const block of blocks) writeFileSync(join(out, block.name), `export {};\n${block.code}`);
    writeFileSync(
      join(out, 'tsconfig.json'),
      JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: { noEmit: true, rootDir: '..', noUnusedLocals: false },
        include: ['*.ts'],
      }),
    );
    try {
      await promisify(execFile)(
        process.execPath,
        [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(out, 'tsconfig.json')],
        {
          cwd: root,
        },
      );
    } catch (error) {
      const { stdout } = error as { stdout?: string };
      throw new Error(`documentation examples do not compile:\n${stdout}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
