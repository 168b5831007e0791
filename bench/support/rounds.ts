import { config } from './config.js';

export type Case = () => Promise<number>;

export interface RoundsOptions {
  /** Rounds to record; default BENCH_ROUNDS (5). */
  rounds?: number;
  /** Unrecorded rounds run first, to warm the JIT, connections and server caches; default 1. */
  warmup?: number;
  /** Printed before each sample so a long run shows progress. */
  label?: string;
}

/**
 * Runs every case once per round and returns the samples per case. The order alternates
 * (A B, B A, A B, …) so slow drift of the machine (other jobs, Redis memory, InnoDB buffer
 * pool) hits library and baseline alike. Each case returns its own figure (ops/s, ms, …).
 */
export async function alternate<K extends string>(
  cases: Record<K, Case>,
  options: RoundsOptions = {},
): Promise<Record<K, number[]>> {
  const names = Object.keys(cases) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const rounds = options.rounds ?? config.rounds;
  const warmup = options.warmup ?? 1;
  for (let round = 0; round < warmup + rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const value = await cases[name]();
      const recorded = round >= warmup;
      if (recorded) samples[name].push(value);
      const tag = recorded ? `round ${round - warmup + 1}/${rounds}` : 'warm-up';
      process.stdout.write(
        `  ${options.label ? options.label + ' ' : ''}${tag} ${name}: ${format(value)}\n`,
      );
    }
  }
  return samples;
}

export function format(value: number | undefined, digits = 3): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(digits)).toString();
}
