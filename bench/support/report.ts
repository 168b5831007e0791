import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config } from './config.js';
import { format } from './rounds.js';
import { median, ratio as ratioOf } from './stats.js';

/** A target: the library/baseline ratio at least `min`, or the library figure at most/least a bound. */
export type Target =
  { kind: 'ratio'; min: number } | { kind: 'max'; value: number } | { kind: 'min'; value: number };

export interface Row {
  benchmark: string;
  metric: string;
  unit: string;
  library?: number;
  baseline?: number;
  /** library / baseline, or the figure a 'min'/'max' target is checked on. */
  ratio?: number;
  target?: string;
  met?: boolean;
  /** Every recorded sample, library and baseline. */
  samples?: { library?: number[]; baseline?: number[] };
  note?: string;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  redis?: string;
  mariadb?: string;
  postgres?: string;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
  date: string;
}

/** bench/results/ of the repository, from both bench/support (ts) and dist/bench/support (js). */
export function resultsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (isFile(join(dir, 'package.json'))) return join(dir, 'bench', 'results');
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(process.cwd(), 'bench', 'results');
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Collects the rows of one benchmark, prints them as a table and writes bench/results/<name>.json. */
export class BenchReport {
  readonly rows: Row[] = [];
  readonly machine: Machine;
  private readonly started = Date.now();
  readonly extra: Record<string, unknown> = {};

  constructor(
    readonly name: string,
    readonly description: string,
  ) {
    this.machine = {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverageStart: os.loadavg().map((v) => Number(v.toFixed(2))),
      date: new Date().toISOString(),
    };
    console.log(`\n== ${name}: ${description}`);
    console.log(
      `   scale ${config.scale}, ${config.rounds} rounds, load average ${this.machine.loadAverageStart.join(' ')}`,
    );
  }

  /**
   * Adds a row from samples. `higherIsBetter` decides how the ratio reads; for a 'ratio' target
   * the ratio is library/baseline of the medians (both throughputs, or both rates).
   */
  add(row: {
    metric: string;
    unit: string;
    library?: number[] | number;
    baseline?: number[] | number;
    target?: Target;
    /** Overrides the ratio (e.g. a ratio between two library figures). */
    ratio?: number;
    note?: string;
  }): Row {
    const libSamples = Array.isArray(row.library)
      ? row.library
      : row.library === undefined
        ? undefined
        : [row.library];
    const baseSamples = Array.isArray(row.baseline)
      ? row.baseline
      : row.baseline === undefined
        ? undefined
        : [row.baseline];
    const library = libSamples ? median(libSamples) : undefined;
    const baseline = baseSamples ? median(baseSamples) : undefined;
    const ratio =
      row.ratio ??
      pairedRatio(libSamples, baseSamples) ??
      (baseline !== undefined ? ratioOf(library, baseline) : undefined);
    let target: string | undefined;
    let met: boolean | undefined;
    if (row.target) {
      switch (row.target.kind) {
        case 'ratio':
          target = `≥ ${row.target.min}×`;
          met = ratio !== undefined && ratio >= row.target.min;
          break;
        case 'max':
          target = `≤ ${row.target.value} ${row.unit}`;
          met = library !== undefined && library <= row.target.value;
          break;
        case 'min':
          target = `≥ ${row.target.value} ${row.unit}`;
          met = library !== undefined && library >= row.target.value;
          break;
      }
    }
    const entry: Row = {
      benchmark: this.name,
      metric: row.metric,
      unit: row.unit,
      library,
      baseline,
      ratio,
      target,
      met,
      samples: { library: libSamples, baseline: baseSamples },
      note: row.note,
    };
    this.rows.push(entry);
    return entry;
  }

  /** Adds server versions, prints the table and writes the JSON result. */
  async finish(
    versions: { redis?: string; mariadb?: string; postgres?: string } = {},
  ): Promise<void> {
    this.machine.redis = versions.redis;
    this.machine.mariadb = versions.mariadb;
    this.machine.postgres = versions.postgres;
    this.machine.loadAverageEnd = os.loadavg().map((v) => Number(v.toFixed(2)));
    console.log('');
    printTable(this.rows);
    const dir = resultsDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${this.name}.json`);
    const body = {
      name: this.name,
      description: this.description,
      scale: config.scale,
      rounds: config.rounds,
      durationSeconds: Number(((Date.now() - this.started) / 1000).toFixed(1)),
      machine: this.machine,
      rows: this.rows,
      extra: this.extra,
    };
    writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
    console.log(`   wrote ${file} (${body.durationSeconds} s)`);
  }
}

/**
 * The median of the per-round ratios library[i] / baseline[i]. Library and baseline of one
 * round ran back to back, so their ratio cancels most of the machine's drift (other jobs on
 * the two cores); the median then drops the rounds a burst of outside load hit. Undefined
 * unless both have the same number of samples (more than one).
 */
export function pairedRatio(library?: number[], baseline?: number[]): number | undefined {
  if (!library || !baseline || library.length !== baseline.length || library.length < 2)
    return undefined;
  return median(library.map((value, i) => value / baseline[i]));
}

/**
 * How many times faster `fast` is than `slow`, from durations: the median of the per-round
 * slow[i] / fast[i] (same pairing as {@link pairedRatio}).
 */
export function pairedSpeedup(slow: number[], fast: number[]): number {
  return pairedRatio(slow, fast) ?? median(slow) / median(fast);
}

const HEADER = ['benchmark', 'metric', 'library', 'baseline', 'ratio', 'target', 'met'];

/** The cells of each row, as both tables show them. */
function cells(rows: readonly Row[]): string[][] {
  return rows.map((r) => [
    r.benchmark,
    r.metric,
    r.library === undefined ? '–' : `${format(r.library)} ${r.unit}`,
    r.baseline === undefined ? '–' : `${format(r.baseline)} ${r.unit}`,
    r.ratio === undefined || Number.isNaN(r.ratio) ? '–' : `${r.ratio.toFixed(2)}×`,
    r.target ?? '–',
    r.met === undefined ? '–' : r.met ? 'yes' : 'NO',
  ]);
}

/**
 * Rows as a Markdown table: what the README's performance table is pasted from, so that every
 * figure in it comes from one run.
 */
export function markdownTable(rows: readonly Row[]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const line = (row: string[]) => `| ${row.map(escape).join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...cells(rows).map(line)].join('\n') + '\n';
}

/** Prints rows as an aligned text table. */
export function printTable(rows: readonly Row[]): void {
  const lines = cells(rows);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(fmt(HEADER));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}
