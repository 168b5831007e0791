/**
 * Per-key order with an I/O-bound read model (the handler waits 1 ms per message), every
 * worker in `mode: 'single'`:
 * - one consumer on an unpartitioned stream, `concurrency` 1 (stream order) and 50 (order per
 *   key, up to 50 keys at once), against BullMQ with concurrency 1 (its only setting that keeps
 *   an order) and 50 (no order): equal parallelism;
 * - an 8-partition stream with `concurrency` 50 read by 1, 2 and 4 worker processes (scaling
 *   with processes), and with `concurrency` 1 by one process (order per partition).
 * Each run publishes a backlog of events over 256 keys to workers that are already up and times
 * it until the stream is empty (everything handled and acknowledged). The workers check the
 * order per key; any violation fails the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { EventBroker, RedisPools } from 'nestjs-flux';
import { StreamRegistry } from '../libs/flux/src/broker/registry/stream-registry.js';
import {
  BenchReport,
  config,
  deleteKeys,
  randomPrefix,
  rawRedis,
  redisVersion,
  scaled,
} from './support/index.js';

const PARTITIONS = 8;
const KEYS = 256;
const HANDLE_MS = 1;
const EVENTS = scaled(8_000, 400);
/** The unordered baselines and the one-at-a-time ones get fewer events: same rate, less waiting. */
const SLOW_EVENTS = scaled(2_000, 200);
const ROUNDS = Math.min(config.rounds, 3);
/** Keys handled at once per partition (or per unpartitioned stream) with per-key order. */
const KEY_CONCURRENCY = 50;

interface Group {
  children: ChildProcess[];
  held: number[][];
  violations: number;
  reported: number;
}

/** Starts `n` worker processes and waits until they hold every partition between them. */
async function startWorkers(
  prefix: string,
  stream: string,
  partitions: number,
  n: number,
  concurrency: number,
) {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'partitions-worker.js');
  const group: Group = { children: [], held: [], violations: 0, reported: 0 };
  for (let i = 0; i < n; i++) {
    const child = spawn(process.execPath, [script], {
      env: {
        ...process.env,
        BENCH_REDIS_URL: config.redisUrl,
        BENCH_PREFIX: prefix,
        BENCH_STREAM: stream,
        BENCH_PARTITIONS: String(partitions),
        BENCH_HANDLE_MS: String(HANDLE_MS),
        BENCH_CONCURRENCY: String(concurrency),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    group.children.push(child);
    group.held.push([]);
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const report = JSON.parse(line) as { held?: number[]; violations?: number };
        if (report.held) group.held[i] = report.held;
        if (report.violations !== undefined) {
          group.violations += report.violations;
          group.reported++;
        }
      }
    });
  }
  const want = Math.max(partitions, 1);
  const deadline = Date.now() + 60_000;
  while (new Set(group.held.flat()).size < want || group.held.some((h) => h.length === 0)) {
    if (Date.now() > deadline) throw new Error(`workers hold ${JSON.stringify(group.held)}`);
    await sleep(50);
  }
  return group;
}

async function stopWorkers(group: Group): Promise<void> {
  await Promise.all(
    group.children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  if (group.reported < group.children.length)
    throw new Error('a worker did not report its order check');
  if (group.violations > 0) throw new Error(`order per key violated ${group.violations} time(s)`);
}

/** Publishes `events` over KEYS keys and resolves with events/s once every key is empty. */
async function timedBacklog(
  broker: EventBroker,
  stream: string,
  keys: string[],
  events: number,
  round: number,
) {
  const raw = rawRedis();
  try {
    const flusher = broker.newFlusher();
    const start = performance.now();
    for (let seq = 0; seq < events; seq++) {
      const key = `key-${seq % KEYS}`;
      flusher.publish(stream, { key, seq, round }, { aggregate_id: key });
      if (flusher.size >= 500) await flusher.flush();
    }
    await flusher.flush();
    for (;;) {
      const lengths = await Promise.all(keys.map((k) => raw.xlen(k)));
      if (lengths.every((n) => n === 0)) break;
      await sleep(5);
    }
    return events / ((performance.now() - start) / 1000);
  } finally {
    raw.disconnect();
  }
}

async function fluxRate(
  processes: number,
  partitions: number,
  concurrency: number,
  events: number,
): Promise<number[]> {
  const prefix = randomPrefix('partitions');
  const stream = 'orders';
  const pools = new RedisPools({ default: config.redisUrl });
  const registry = new StreamRegistry(pools, prefix);
  const registered = registry.register(partitions > 0 ? { name: stream, partitions } : stream);
  const broker = new EventBroker(registry, pools);
  const keys = registered.partitionKeys ? [...registered.partitionKeys] : [registered.key];
  const group = await startWorkers(prefix, stream, partitions, processes, concurrency);
  let stopped = false;
  try {
    await timedBacklog(broker, stream, keys, Math.min(events, 500), 0); // warm-up
    const rates: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      rates.push(await timedBacklog(broker, stream, keys, events, round));
      console.log(
        `  ${partitions || 'no'} partitions, concurrency ${concurrency}, ${processes} process(es): ` +
          `${Math.round(rates.at(-1)!)} events/s`,
      );
    }
    stopped = true;
    await stopWorkers(group); // throws on an order violation
    return rates;
  } finally {
    if (!stopped) await stopWorkers(group).catch(() => undefined);
    await broker.close();
    await deleteKeys(prefix);
    await deleteKeys(`{${prefix}`);
  }
}

async function bullRate(concurrency: number, events: number): Promise<number[]> {
  const prefix = randomPrefix('partitions_bull');
  const url = new URL(config.redisUrl);
  const connection = {
    host: url.hostname,
    port: Number(url.port || 6379),
    maxRetriesPerRequest: null,
  };
  const queue = new Queue('orders', { connection, prefix });
  const jobOptions = { removeOnComplete: true, removeOnFail: true };
  let done = 0;
  const worker = new Worker(
    'orders',
    async () => {
      await sleep(HANDLE_MS);
      done++;
    },
    { connection, prefix, concurrency },
  );
  try {
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS + 1; round++) {
      done = 0;
      const n = round === 0 ? Math.min(events, 500) : events;
      const start = performance.now();
      for (let i = 0; i < n; i += 500) {
        const jobs = [];
        for (let seq = i; seq < Math.min(n, i + 500); seq++) {
          jobs.push({ name: 'e', data: { key: `key-${seq % KEYS}`, seq }, opts: jobOptions });
        }
        await queue.addBulk(jobs);
      }
      while (done < n) await sleep(5);
      if (round === 0) continue;
      rates.push(n / ((performance.now() - start) / 1000));
      console.log(`  BullMQ concurrency ${concurrency}: ${Math.round(rates.at(-1)!)} jobs/s`);
    }
    return rates;
  } finally {
    await worker.close();
    await queue.close();
    await deleteKeys(prefix);
  }
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'partitions',
    `handler waiting ${HANDLE_MS} ms per message, mode single, order per key checked: ` +
      `concurrency 1 and ${KEY_CONCURRENCY}, unpartitioned and ${PARTITIONS} partitions with 1, 2, 4 ` +
      `worker processes, vs BullMQ`,
  );
  const strict = await fluxRate(1, 0, 1, SLOW_EVENTS);
  const keyed = await fluxRate(1, 0, KEY_CONCURRENCY, EVENTS);
  const perPartition = await fluxRate(1, PARTITIONS, 1, EVENTS);
  const byProcesses = new Map<number, number[]>();
  for (const n of [1, 2, 4]) {
    byProcesses.set(n, await fluxRate(n, PARTITIONS, KEY_CONCURRENCY, EVENTS));
  }
  const bull50 = await bullRate(KEY_CONCURRENCY, EVENTS);
  const bull1 = await bullRate(1, SLOW_EVENTS);
  const one = byProcesses.get(1)!;
  report.add({
    metric: `1 stream, concurrency ${KEY_CONCURRENCY} (order per key) vs BullMQ concurrency ${KEY_CONCURRENCY} (no order)`,
    unit: 'events/s',
    library: keyed,
    baseline: bull50,
    target: { kind: 'ratio', min: 5 },
    note: 'equal parallelism: 50 handlers at once',
  });
  report.add({
    metric: '1 stream, concurrency 1 (stream order) vs BullMQ concurrency 1 (order kept)',
    unit: 'events/s',
    library: strict,
    baseline: bull1,
  });
  report.add({
    metric: `${PARTITIONS} partitions, concurrency 1 (order per partition), 1 process vs 1 stream`,
    unit: 'events/s',
    library: perPartition,
    baseline: strict,
  });
  for (const n of [2, 4]) {
    report.add({
      metric: `${PARTITIONS} partitions, concurrency ${KEY_CONCURRENCY}, ${n} processes vs 1 process`,
      unit: 'events/s',
      library: byProcesses.get(n)!,
      baseline: one,
      note: 'CPU-bound once keys run side by side: processes add cores',
    });
  }
  report.add({
    metric: `${PARTITIONS} partitions, concurrency ${KEY_CONCURRENCY}, 4 processes vs BullMQ concurrency ${KEY_CONCURRENCY}`,
    unit: 'events/s',
    library: byProcesses.get(4)!,
    baseline: bull50,
  });
  await report.finish({ redis: await redisVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
