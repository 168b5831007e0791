/**
 * EventBroker.publish awaited one by one, and with 256 publishes in flight, against raw
 * ioredis XADD with the same pattern and fields. Throughput in events/s.
 */
import { EventBroker } from 'nestjs-flux';
import {
  alternate,
  BenchReport,
  BodyEncoder,
  benchEvent,
  config,
  createFluxApp,
  deleteKeys,
  EVENT_TAGS,
  perSecond,
  randomPrefix,
  rawRedis,
  redisVersion,
  scaled,
} from './support/index.js';

const SEQUENTIAL = scaled(20_000, 200);
const CONCURRENT = scaled(100_000, 1000);
const IN_FLIGHT = 256;

/** Runs `op(seq)` for seq 0..total-1 with at most `inFlight` pending at once. */
async function inParallel(
  total: number,
  inFlight: number,
  op: (seq: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < total) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, lane));
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'publish',
    `publish ${SEQUENTIAL} events awaited one by one, ${CONCURRENT} with ${IN_FLIGHT} in flight`,
  );
  const prefix = randomPrefix('pub');
  const raw = rawRedis();
  const app = await createFluxApp({
    redis: { default: config.redisUrl },
    streams: ['publish'],
    keyPrefix: prefix,
  });
  const broker = app.get(EventBroker);
  const encoder = new BodyEncoder();
  const libraryKey = `${prefix}publish`;
  const baselineKey = `${prefix}baseline`;

  const run = async (
    key: string,
    total: number,
    inFlight: number,
    op: (seq: number) => Promise<unknown>,
  ) => {
    await raw.del(key);
    const start = performance.now();
    if (inFlight === 1) for (let seq = 0; seq < total; seq++) await op(seq);
    else await inParallel(total, inFlight, op);
    const rate = perSecond(total, performance.now() - start);
    const len = await raw.xlen(key);
    if (len !== total) throw new Error(`${key} holds ${len} entries, expected ${total}`);
    await raw.del(key);
    return rate;
  };
  const library = (seq: number) => broker.publish('publish', benchEvent(seq), EVENT_TAGS);
  const baseline = (seq: number) =>
    raw.xadd(baselineKey, '*', 'body', encoder.encode(benchEvent(seq)), 'type', EVENT_TAGS.type);

  try {
    for (const [label, total, inFlight] of [
      ['awaited one by one', SEQUENTIAL, 1],
      [`${IN_FLIGHT} concurrent`, CONCURRENT, IN_FLIGHT],
    ] as const) {
      const samples = await alternate(
        {
          library: () => run(libraryKey, total, inFlight, library),
          baseline: () => run(baselineKey, total, inFlight, baseline),
        },
        { label },
      );
      report.add({
        metric: `publish ${label}`,
        unit: 'events/s',
        library: samples.library,
        baseline: samples.baseline,
        target: { kind: 'ratio', min: 0.9 },
      });
    }
  } finally {
    await app.close();
    raw.disconnect();
    await deleteKeys(prefix);
  }
  await report.finish({ redis: await redisVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
