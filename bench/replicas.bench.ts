/**
 * Single mode across replicas. Throughput: a backlog of 50k events consumed by a
 * `@StreamConsumer` in single mode with 1 replica process vs 3 (one holds the group's lease and
 * reads, two stand by asking for it every 250 ms): the lease must cost nothing measurable.
 * Failover: 3 replicas under a producer (one event every 10 ms); the holder is SIGKILLed or
 * closed gracefully (SIGTERM) in turn, and the time to the first message handled by its
 * successor is recorded. Each replica is its own Node process (bench/replica-child.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  alternate,
  BenchReport,
  BodyEncoder,
  benchEvent,
  config,
  deleteKeys,
  EVENT_TAGS,
  fillStream,
  median,
  randomPrefix,
  rawRedis,
  redisVersion,
  scaled,
  sleep,
} from './support/index.js';

const EVENTS = scaled(50_000, 1000);
const FAILOVERS = Math.max(2, Math.round(6 * config.scale)); // half SIGKILL, half SIGTERM
/** Short, so a SIGKILL failover takes seconds, not the default 10. */
const FAILOVER_LEASE_TTL = 2_000;
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'replica-child.js');

interface Line {
  ready?: boolean;
  first?: number;
  done?: number;
  firstAt?: number;
  lastAt?: number;
  pid: number;
}

/** A replica process and the JSON lines it printed. */
class Child {
  readonly lines: Line[] = [];
  readonly process: ChildProcess;
  constructor(prefix: string, target: number, leaseTtl: number) {
    this.process = spawn(process.execPath, [CHILD], {
      env: {
        ...process.env,
        REPLICA_REDIS_URL: config.redisUrl,
        REPLICA_PREFIX: prefix,
        REPLICA_TARGET: String(target),
        REPLICA_LEASE_TTL: String(leaseTtl),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    this.process.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let at: number;
      while ((at = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 1);
        if (line.startsWith('{')) this.lines.push(JSON.parse(line) as Line);
      }
    });
  }
  get pid(): number {
    return this.process.pid!;
  }
  find(predicate: (line: Line) => boolean): Line | undefined {
    return this.lines.find(predicate);
  }
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill(signal);
    await exited;
  }
}

async function until<T>(what: string, probe: () => T | undefined, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(5);
  }
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'replicas',
    `single mode: ${EVENTS}-event backlog with 1 vs 3 replica processes; failover on SIGKILL and on close`,
  );
  const prefix = randomPrefix('repl');
  const raw = rawRedis();
  const template = `${prefix}template`;
  const encoder = new BodyEncoder();
  await fillStream(raw, template, EVENTS, (seq) => encoder.encode(benchEvent(seq)), EVENT_TAGS);
  await raw.xgroup('CREATE', template, 'bench', '0');
  let round = 0;

  try {
    const samples = await alternate(
      {
        '1 replica': () => backlogRound(1),
        '3 replicas': () => backlogRound(3),
      },
      { label: 'replicas' },
    );
    report.add({
      metric: 'single mode, 3 replicas (1 reads, 2 stand by) vs 1 replica',
      unit: 'events/s',
      library: samples['3 replicas'],
      baseline: samples['1 replica'],
      target: { kind: 'ratio', min: 0.9 },
    });
    const failovers = await failoverRuns();
    for (const [kind, times] of Object.entries(failovers)) {
      report.add({
        metric: `failover after ${kind} (median of ${times.length}; max ${Math.max(...times)} ms)`,
        unit: 'ms',
        library: times,
        note: `leaseTtl ${FAILOVER_LEASE_TTL} ms; max ${Math.max(...times)} ms`,
      });
    }
    report.extra.failovers = failovers;
    report.extra.failoverLeaseTtl = FAILOVER_LEASE_TTL;
    report.extra.medians = Object.fromEntries(
      Object.entries(failovers).map(([k, v]) => [k, median(v)]),
    );
  } finally {
    raw.disconnect();
    await deleteKeys(prefix);
  }
  await report.finish({ redis: await redisVersion() });

  /** Starts `replicas` processes on an empty stream, then swaps the backlog in at once. */
  async function backlogRound(replicas: number): Promise<number> {
    const roundPrefix = `${prefix}r${round++}:`;
    const key = `${roundPrefix}replicas`;
    const children = Array.from({ length: replicas }, () => new Child(roundPrefix, EVENTS, 10_000));
    try {
      await until(
        'replicas ready',
        () => children.every((c) => c.find((l) => !!l.ready)) || undefined,
      );
      await waitForHolder(`{${key}}:lease:bench`);
      // Atomically swap in the backlog with its group: the holder's next read finds it.
      await raw.call('COPY', template, key, 'REPLACE');
      const done = await until('the backlog consumed', () =>
        children.map((c) => c.find((l) => l.done !== undefined)).find(Boolean),
      );
      return (done.done! / (done.lastAt! - done.firstAt!)) * 1000;
    } finally {
      await Promise.all(children.map((c) => c.stop()));
    }
  }

  async function waitForHolder(leaseKey: string): Promise<number> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await raw.get(leaseKey);
      const pid = value?.match(/-(\d+)-[0-9a-f]+#/)?.[1];
      if (pid) return Number(pid);
      if (Date.now() > deadline) throw new Error(`no holder of ${leaseKey} within 60 s`);
      await sleep(10);
    }
  }

  async function failoverRuns(): Promise<Record<'SIGKILL' | 'graceful close', number[]>> {
    const roundPrefix = `${prefix}failover:`;
    const key = `${roundPrefix}replicas`;
    const spawnOne = () => new Child(roundPrefix, 0, FAILOVER_LEASE_TTL);
    const children = [spawnOne(), spawnOne(), spawnOne()];
    const results = { SIGKILL: [] as number[], 'graceful close': [] as number[] };
    let producing = true;
    const producer = (async () => {
      for (let seq = 0; producing; seq++) {
        await raw.xadd(key, '*', 'body', encoder.encode(benchEvent(seq)), 'type', EVENT_TAGS.type);
        await sleep(10);
      }
    })();
    try {
      await until(
        'replicas ready',
        () => children.every((c) => c.find((l) => !!l.ready)) || undefined,
      );
      for (let i = 0; i < FAILOVERS; i++) {
        const holderPid = await waitForHolder(`{${key}}:lease:bench`);
        const holder = children.find((c) => c.pid === holderPid)!;
        await until('the holder handling', () => holder.find((l) => l.first !== undefined));
        const signal = i % 2 === 0 ? 'SIGKILL' : 'SIGTERM';
        const others = children.filter((c) => c !== holder);
        const stoppedAt = Date.now();
        const stopped = holder.stop(signal);
        const first = await until('a successor handling', () =>
          others
            .map((c) => c.find((l) => l.first !== undefined && l.first >= stoppedAt))
            .find(Boolean),
        );
        await stopped;
        const ms = first.first! - stoppedAt;
        results[signal === 'SIGKILL' ? 'SIGKILL' : 'graceful close'].push(ms);
        console.log(`   failover ${i + 1}/${FAILOVERS} after ${signal}: ${ms} ms`);
        children.splice(children.indexOf(holder), 1, spawnOne());
        await until(
          'the replacement ready',
          () => children.every((c) => c.find((l) => !!l.ready)) || undefined,
        );
      }
    } finally {
      producing = false;
      await producer;
      await Promise.all(children.map((c) => c.stop()));
    }
    return results;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
