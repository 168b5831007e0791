/**
 * Command → read model latency: commands (`repository.save` of one event on the MySQL store)
 * are issued open-loop at 1,000/s for 10 s; the relay publishes each saved event to the
 * aggregate's Redis stream and a `@StreamConsumer` read model (typed `@EventHandler`) applies
 * it. Latency is measured from the moment the command was *due* (so a stalled event loop
 * counts) to the read model's handler, in one process. Also reported: the save alone, beside
 * the floor the database sets — a raw autocommit INSERT of one event row through mysql2, issued
 * the same way (same rate, same aggregates, one at a time per aggregate), in rounds alternating
 * with the library's. Percentiles are taken over the samples of all rounds together, so one bad
 * round shows.
 */
import { randomUUID } from 'node:crypto';
import {
  Aggregate,
  AggregateRepository,
  AggregateRoot,
  DomainEvent,
  EventHandler,
  FluxModule,
  getAggregateRepositoryToken,
  StreamConsumer,
} from 'nestjs-flux';
import {
  BenchReport,
  config,
  createFluxApp,
  deleteKeys,
  dropTables,
  mariadbVersion,
  percentile,
  rawMysqlPool,
  randomPrefix,
  redisVersion,
  sleep,
} from './support/index.js';

const RATE = Number(process.env.BENCH_LATENCY_RATE ?? 1000);
const SECONDS = Math.max(1, Math.round(10 * config.scale));
const WARMUP_SECONDS = 1;
const AGGREGATES = 200;
const ROUNDS = Math.min(config.rounds, 3);

@DomainEvent('LatencyCredited')
class LatencyCredited {
  constructor(
    readonly seq: number,
    readonly cents: number,
  ) {}
}

@Aggregate({ name: 'bench_latency', stream: 'latency-events' })
class LatencyAccount extends AggregateRoot {
  balance = 0;
  credit(seq: number, cents: number) {
    this.apply(new LatencyCredited(seq, cents));
  }
  @EventHandler(LatencyCredited) onCredited(e: LatencyCredited) {
    this.balance += e.cents;
  }
}

const max = (samples: number[]) => samples.reduce((a, b) => Math.max(a, b), -Infinity);

/** Per round: when each command was due, when its save resolved, when the read model saw it. */
const clock = {
  due: new Float64Array(0),
  saved: new Float64Array(0),
  seen: new Float64Array(0),
  offset: 0,
  seenCount: 0,
};

@StreamConsumer('latency-events', { group: 'read-model', mode: 'single', count: 100, block: 1000 })
class ReadModel {
  balance = 0;
  @EventHandler(LatencyCredited) async credited(e: LatencyCredited) {
    this.balance += e.cents;
    const i = e.seq - clock.offset;
    if (i >= 0 && i < clock.seen.length && clock.seen[i] === 0) {
      clock.seen[i] = performance.now();
      clock.seenCount++;
    }
  }
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'latency',
    `command → read model through relay + worker, ${RATE} commands/s for ${SECONDS} s, ${ROUNDS} rounds`,
  );
  const prefix = randomPrefix('lat');
  const app = await createFluxApp(
    {
      eventStore: { type: 'mysql', url: config.mysqlUrl, synchronize: true, tablePrefix: prefix },
      redis: { default: config.redisUrl },
      streams: ['latency-events'],
      keyPrefix: prefix,
      // Diagnosis only: BENCH_RELAY_POLL overrides the relay's idle poll interval (default 200 ms).
      ...(process.env.BENCH_RELAY_POLL
        ? { relay: { pollInterval: Number(process.env.BENCH_RELAY_POLL) } }
        : {}),
    },
    { imports: [FluxModule.forFeature({ aggregates: [LatencyAccount] })], providers: [ReadModel] },
  );
  const repository = app.get<AggregateRepository<LatencyAccount>>(
    getAggregateRepositoryToken(LatencyAccount),
  );
  const accounts = Array.from({ length: AGGREGATES }, (_, i) => repository.create(`lat-${i}`));
  const chains: Promise<unknown>[] = accounts.map(() => Promise.resolve());
  let nextSeq = 0;
  const errors: unknown[] = [];

  /**
   * Issues `count` commands open-loop at RATE/s, one at a time per aggregate; records due/saved
   * times from `offset`. `command` is the library's save unless given (the raw baseline).
   */
  const drive = async (
    count: number,
    record: boolean,
    command: (a: number, seq: number) => Promise<unknown> = async (a, seq) => {
      accounts[a].credit(seq, 1);
      await repository.save(accounts[a]);
    },
  ) => {
    const first = nextSeq;
    if (record) {
      clock.due = new Float64Array(count);
      clock.saved = new Float64Array(count);
      clock.seen = new Float64Array(count);
      clock.offset = first;
      clock.seenCount = 0;
    }
    const start = performance.now();
    let issued = 0;
    while (issued < count) {
      const dueNow = Math.min(count, Math.floor(((performance.now() - start) * RATE) / 1000) + 1);
      for (; issued < dueNow; issued++) {
        const seq = nextSeq++;
        const due = start + (issued * 1000) / RATE;
        const a = seq % AGGREGATES;
        if (record) clock.due[issued] = due;
        const index = issued;
        chains[a] = chains[a].then(async () => {
          try {
            await command(a, seq);
          } catch (error) {
            errors.push(error);
          }
          if (record) clock.saved[index] = performance.now();
        });
      }
      await sleep(1);
    }
    await Promise.all(chains);
  };

  /** Every recorded sample of every round: percentiles are taken over all of them at once. */
  const all = {
    latency: [] as number[],
    save: [] as number[],
    relay: [] as number[],
    raw: [] as number[],
  };
  const pool = rawMysqlPool(10); // the store's default pool size
  const table = `${prefix}raw_events`;
  await pool.query(`CREATE TABLE \`${table}\` (
    position BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id CHAR(36) NOT NULL,
    aggregate_id VARCHAR(255) NOT NULL,
    version INT UNSIGNED NOT NULL,
    type VARCHAR(255) NOT NULL,
    data JSON NOT NULL,
    metadata JSON NOT NULL,
    created_at DATETIME(3) NOT NULL,
    UNIQUE KEY uq_event_id (event_id),
    UNIQUE KEY uq_stream (aggregate_id, version)
  ) ENGINE=InnoDB`);
  const insert = `INSERT INTO \`${table}\` (event_id, aggregate_id, version, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, NOW(3))`;
  const rawVersions = new Array<number>(AGGREGATES).fill(0);
  const rawInsert = (a: number, seq: number) =>
    pool.execute(insert, [
      randomUUID(),
      `lat-${a}`,
      ++rawVersions[a],
      'LatencyCredited',
      JSON.stringify({ seq, cents: 1 }),
      '{}',
    ]);
  const rounds: {
    p50: number;
    p99: number;
    max: number;
    saveP50: number;
    saveP99: number;
    relayP50: number;
    relayP99: number;
    relayMax: number;
    achievedRate: number;
  }[] = [];
  try {
    await drive(RATE * WARMUP_SECONDS, false);
    await drive(RATE * WARMUP_SECONDS, false, rawInsert);
    await sleep(500);
    for (let round = 0; round < ROUNDS; round++) {
      const count = RATE * SECONDS;
      await drive(count, true, rawInsert);
      if (errors.length) throw errors[0];
      const raw = Array.from(clock.saved, (t, i) => t - clock.due[i]);
      all.raw.push(...raw);
      console.log(
        `  round ${round + 1}/${ROUNDS}: raw autocommit INSERT p50 ${percentile(raw, 50).toFixed(2)} ms, p99 ${percentile(raw, 99).toFixed(2)} ms`,
      );
      await sleep(500);
      await drive(count, true);
      const deadline = Date.now() + 30_000;
      while (clock.seenCount < count && Date.now() < deadline) await sleep(10);
      if (clock.seenCount < count)
        throw new Error(`read model saw ${clock.seenCount} of ${count} events`);
      if (errors.length) throw errors[0];
      const latency = Array.from(clock.seen, (t, i) => t - clock.due[i]);
      const save = Array.from(clock.saved, (t, i) => t - clock.due[i]);
      const relay = Array.from(clock.seen, (t, i) => t - clock.saved[i]);
      all.latency.push(...latency);
      all.save.push(...save);
      all.relay.push(...relay);
      const r = {
        p50: percentile(latency, 50),
        p99: percentile(latency, 99),
        max: max(latency),
        saveP50: percentile(save, 50),
        saveP99: percentile(save, 99),
        relayP50: percentile(relay, 50),
        relayP99: percentile(relay, 99),
        relayMax: max(relay),
        achievedRate: (count * 1000) / (Math.max(...clock.seen) - clock.due[0]),
      };
      rounds.push(r);
      console.log(
        `  round ${round + 1}/${ROUNDS}: command→read model p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms; save p50 ${r.saveP50.toFixed(2)} ms, p99 ${r.saveP99.toFixed(2)} ms; saved→read model p50 ${r.relayP50.toFixed(2)} ms, p99 ${r.relayP99.toFixed(2)} ms; ${r.achievedRate.toFixed(0)} commands/s`,
      );
      await sleep(500);
    }
    const pick = (k: keyof (typeof rounds)[number]) => rounds.map((r) => r[k]);
    const samples = `${all.latency.length} samples of ${ROUNDS} rounds`;
    report.add({
      metric: 'command → read model p99',
      unit: 'ms',
      library: percentile(all.latency, 99),
      target: { kind: 'max', value: 10 },
      note: samples,
    });
    report.add({
      metric: 'command → read model p50',
      unit: 'ms',
      library: percentile(all.latency, 50),
    });
    report.add({ metric: 'command → read model max', unit: 'ms', library: max(all.latency) });
    report.add({
      metric: 'save alone p50 vs raw autocommit INSERT p50',
      unit: 'ms',
      library: percentile(all.save, 50),
      baseline: percentile(all.raw, 50),
    });
    report.add({
      metric: 'save alone p99 vs raw autocommit INSERT p99',
      unit: 'ms',
      library: percentile(all.save, 99),
      baseline: percentile(all.raw, 99),
    });
    report.add({
      metric: 'save resolved → read model p50',
      unit: 'ms',
      library: percentile(all.relay, 50),
    });
    report.add({
      metric: 'save resolved → read model p99',
      unit: 'ms',
      library: percentile(all.relay, 99),
    });
    report.add({
      metric: 'save resolved → read model max',
      unit: 'ms',
      library: max(all.relay),
    });
    report.add({
      metric: 'commands completed per second',
      unit: 'commands/s',
      library: pick('achievedRate'),
    });
    report.extra.rounds = rounds;
    report.extra.rate = RATE;
    report.extra.seconds = SECONDS;
    report.extra.percentilesOf = 'all samples of every round (rate: median of rounds)';
  } finally {
    await app.close();
    await pool.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => undefined);
    await pool.end();
    await deleteKeys(prefix);
    await dropTables(prefix);
  }
  await report.finish({ redis: await redisVersion(), mariadb: await mariadbVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
