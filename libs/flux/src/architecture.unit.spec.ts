import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of the library's own files (specs and their helpers left out), checked
 * against docs/architecture.md: no import cycle, and each folder imports only the layers the
 * document allows it.
 */
const root = dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    const source = entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts');
    return source && !/\.spec(-helpers)?\.ts$|\.spec\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Relative imports of each file, as files; `values` leaves out `import type` / `export type`. */
function importGraph(values: boolean): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pattern = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gm;
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const match of text.matchAll(pattern)) {
      if (values && match[2]) continue;
      targets.push(relative(root, resolve(dirname(file), match[3].replace(/\.js$/, '.ts'))));
    }
    graph.set(relative(root, file), targets);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexes.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indexes.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexes.get(next)!));
      }
    }
    if (low.get(node) !== indexes.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!indexes.has(node)) visit(node);
  return found;
}

/** docs/architecture.md, "Layers": what each folder may import besides itself. */
const KERNEL = [
  'errors/',
  'peers/',
  'metadata.constants.ts',
  'observability/flux-instrumentation.ts',
  'observability/tracing/',
];
const ALLOWED: Record<string, string[]> = {
  errors: [],
  peers: ['errors/'],
  'event-store': KERNEL,
  broker: KERNEL,
  'event-sourcing': [...KERNEL, 'event-store/'],
  discovery: [...KERNEL, 'event-sourcing/'],
  workers: [...KERNEL, 'broker/', 'event-sourcing/', 'discovery/'],
};

describe('architecture', () => {
  it('has no import cycle between its files', () => {
    const graph = importGraph(true);
    expect(graph.size).toBeGreaterThan(100); // the scan found the library
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('imports only the layers docs/architecture.md allows, for the lower folders', () => {
    const breaches: string[] = [];
    for (const [file, targets] of importGraph(false)) {
      const folder = file.split('/')[0];
      const allowed = ALLOWED[folder];
      if (!allowed) continue;
      for (const target of targets) {
        const own = target.startsWith(`${folder}/`);
        if (!own && !allowed.some((prefix) => target.startsWith(prefix))) {
          breaches.push(`${file} → ${target}`);
        }
      }
    }
    expect(breaches).toEqual([]);
  });
});
