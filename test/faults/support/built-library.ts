import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const entry = `${root}dist/libs/flux/src/index.js`;

/**
 * Child processes run plain ESM on the built library (`dist/`, what `nestjs-flux` resolves to
 * outside the test runner). Builds it once when it is missing; `npm test` builds it anyway.
 */
export function ensureBuiltLibrary(): string {
  if (!existsSync(entry)) {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  }
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  return `built ${statSync(entry).mtime.toISOString()}`;
}

export const REPO_ROOT = root;
