/**
 * 1,000,000 events through relay + worker in one process: 16 writers save batches of 100
 * events (MySQL store), the relay publishes them to the aggregate's stream, a `@StreamConsumer`
 * (typed `@EventHandler`) receives them. Checks that every event arrived (duplicates are allowed:
 * delivery is at least once, and are counted) and that RSS does not grow: RSS after a forced GC
 * once the first 10% were delivered, against RSS after a forced GC at the end.
 * BENCH_SCALE scales the event count (default: the full million).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
  DeliveryTracker,
  deleteKeys,
  dropTables,
  mariadbVersion,
  randomPrefix,
  rawRedis,
  redisUsedMemory,
  redisVersion,
  scaled,
  sleep,
} from './support/index.js';

const EVENTS = scaled(1_000_000, 10_000);
const WRITERS = 16;
const PER_SAVE = 100;
const MB = 1024 * 1024;

@DomainEvent('SoakPosted')
class SoakPosted {
  constructor(
    readonly seq: number,
    readonly cents: number,
  ) {}
}

@Aggregate({ name: 'bench_soak', stream: 'soak-events' })
class SoakLedger extends AggregateRoot {
  total = 0;
  post(seq: number) {
    this.apply(new SoakPosted(seq, seq % 1000));
  }
  @EventHandler(SoakPosted) onPosted(e: SoakPosted) {
    this.total += e.cents;
  }
}

const tracker = new DeliveryTracker(EVENTS);

@StreamConsumer('soak-events', { group: 'soak-read', mode: 'single', count: 100, block: 1000 })
class SoakReader {
  @EventHandler(SoakPosted) async posted(e: SoakPosted) {
    tracker.begin();
    tracker.mark(e.seq);
    tracker.end();
  }
}

const gc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(50);
  }
  return process.memoryUsage().rss;
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'soak',
    `${EVENTS} events through relay + worker, ${WRITERS} writers, ${PER_SAVE} per save`,
  );
  const prefix = randomPrefix('soak');
  const raw = rawRedis();
  const app = await createFluxApp(
    {
      eventStore: { type: 'mysql', url: config.mysqlUrl, synchronize: true, tablePrefix: prefix },
      redis: { default: config.redisUrl },
      streams: ['soak-events'],
      keyPrefix: prefix,
    },
    { imports: [FluxModule.forFeature({ aggregates: [SoakLedger] })], providers: [SoakReader] },
  );
  const repository = app.get<AggregateRepository<SoakLedger>>(
    getAggregateRepositoryToken(SoakLedger),
  );
  const samples: { t: number; rss: number; delivered: number; saved: number }[] = [];
  let saved = 0;
  let nextSeq = 0;
  const start = performance.now();
  const sampler = setInterval(() => {
    samples.push({
      t: Math.round(performance.now() - start),
      rss: process.memoryUsage().rss,
      delivered: tracker.delivered,
      saved,
    });
    const s = samples[samples.length - 1];
    if (samples.length % 5 === 0) {
      console.log(
        `  ${(s.t / 1000).toFixed(0)} s: saved ${s.saved}, delivered ${s.delivered}, rss ${(s.rss / MB).toFixed(1)} MB`,
      );
    }
  }, 1000);

  let rssWarm = 0;
  let rssEnd = 0;
  let redisMemory = 0;
  try {
    const warmAt = Math.floor(EVENTS / 10);
    const writer = async (w: number) => {
      const ledger = repository.create(`soak-${w}`);
      while (nextSeq < EVENTS) {
        const end = Math.min(EVENTS, nextSeq + PER_SAVE);
        const first = nextSeq;
        nextSeq = end;
        for (let seq = first; seq < end; seq++) ledger.post(seq);
        await repository.save(ledger);
        saved += end - first;
      }
    };
    const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    while (tracker.delivered < warmAt) await sleep(50);
    rssWarm = await settledRss();
    console.log(`  warm: ${tracker.delivered} delivered, rss ${(rssWarm / MB).toFixed(1)} MB`);
    await writers;
    const savedAt = performance.now();
    await tracker.wait(600_000);
    const elapsed = (performance.now() - start) / 1000;
    rssEnd = await settledRss();
    redisMemory = await redisUsedMemory(raw);
    const streamLength = await raw.xlen(`${prefix}soak-events`);
    console.log(
      `  done: ${EVENTS} delivered in ${elapsed.toFixed(1)} s (writers done after ${((savedAt - start) / 1000).toFixed(1)} s), ` +
        `${tracker.duplicates} duplicates, stream length ${streamLength}, rss ${(rssEnd / MB).toFixed(1)} MB`,
    );
    const peak = Math.max(...samples.map((s) => s.rss));
    report.add({
      metric: 'RSS growth (end − after 10%, both after GC)',
      unit: 'MB',
      library: (rssEnd - rssWarm) / MB,
      target: { kind: 'max', value: 50 },
    });
    report.add({
      metric: 'events lost',
      unit: 'events',
      library: EVENTS - tracker.delivered,
      target: { kind: 'max', value: 0 },
    });
    report.add({ metric: 'duplicates delivered', unit: 'events', library: tracker.duplicates });
    report.add({ metric: 'end-to-end throughput', unit: 'events/s', library: EVENTS / elapsed });
    report.add({ metric: 'peak RSS', unit: 'MB', library: peak / MB });
    report.extra.samples = samples;
    report.extra.streamLengthAtEnd = streamLength;
    report.extra.redisUsedMemory = redisMemory;
  } finally {
    clearInterval(sampler);
    await app.close();
    raw.disconnect();
    await deleteKeys(prefix);
    await dropTables(prefix);
  }
  await report.finish({ redis: await redisVersion(), mariadb: await mariadbVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
