/**
 * Runs every benchmark in its own Node process (so one's heap, connections and JIT state never
 * colour another's), one after the other, then prints the combined table from
 * bench/results/<name>.json, and writes it to bench/results/summary.json and summary.md (the
 * README's table). BENCH_ONLY=a,b runs a subset; BENCH_SCALE / BENCH_ROUNDS pass on.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, printTable, resultsDir, type Row } from './support/report.js';

export const BENCHMARKS = [
  'publish-flusher',
  'publish',
  'consume',
  'codec',
  'bullmq',
  'mysql-save',
  'mysql-save-processes',
  'mysql-load',
  'postgres-save',
  'postgres-load',
  'latency',
  'partitions',
  'replicas',
  'soak',
  'tracing',
  'tracing-overhead',
] as const;

/** Node flags per benchmark: the soak test forces collections before it reads RSS. */
const NODE_FLAGS: Partial<Record<(typeof BENCHMARKS)[number], string[]>> = {
  soak: ['--expose-gc'],
};

function runOne(name: string): Promise<number> {
  const script = join(dirname(fileURLToPath(import.meta.url)), `${name}.bench.js`);
  const flags = NODE_FLAGS[name as keyof typeof NODE_FLAGS] ?? [];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...flags, script], {
      stdio: 'inherit',
      env: process.env,
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((name) => !(BENCHMARKS as readonly string[]).includes(name)) ?? [];
  if (unknown.length) throw new Error(`unknown benchmark(s) in BENCH_ONLY: ${unknown.join(', ')}`);
  const selected = BENCHMARKS.filter((name) => !only || only.includes(name));
  const failed: string[] = [];
  const started = Date.now();
  for (const name of selected) {
    const code = await runOne(name);
    if (code !== 0) failed.push(name);
  }
  const rows: Row[] = [];
  const dir = resultsDir();
  for (const name of selected) {
    const file = join(dir, `${name}.json`);
    if (existsSync(file) && !failed.includes(name))
      rows.push(...(JSON.parse(readFileSync(file, 'utf8')).rows as Row[]));
  }
  console.log(`\n== all benchmarks (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  printTable(rows);
  writeFileSync(
    join(dir, 'summary.json'),
    JSON.stringify({ date: new Date().toISOString(), failed, rows }, null, 2) + '\n',
  );
  // The README's table is pasted from this file: every figure in it from this one run.
  writeFileSync(join(dir, 'summary.md'), markdownTable(rows));
  if (failed.length) {
    console.error(`\nfailed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
