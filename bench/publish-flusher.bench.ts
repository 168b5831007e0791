/**
 * EventBroker.newFlusher(): 100k events of ~100 B published in batches of 1000 (one flush per
 * batch), against a raw ioredis pipeline of the same XADDs (same key shape, same fields: the
 * msgpack body and the `type` tag, encoded with a reused Encoder). Throughput in events/s.
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

const EVENTS = scaled(100_000, 1000);
const BATCH = 1000;

async function main(): Promise<void> {
  const report = new BenchReport(
    'publish-flusher',
    `flusher publish of ${EVENTS} events, batches of ${BATCH}`,
  );
  const prefix = randomPrefix('pubfl');
  const raw = rawRedis();
  const app = await createFluxApp({
    redis: { default: config.redisUrl },
    streams: ['flusher'],
    keyPrefix: prefix,
  });
  const broker = app.get(EventBroker);
  const encoder = new BodyEncoder();
  const baselineKey = `${prefix}baseline`;
  const libraryKey = `${prefix}flusher`;
  try {
    const samples = await alternate({
      library: async () => {
        await raw.del(libraryKey);
        const start = performance.now();
        for (let i = 0; i < EVENTS; i += BATCH) {
          const flusher = broker.newFlusher();
          const end = Math.min(EVENTS, i + BATCH);
          for (let seq = i; seq < end; seq++)
            flusher.publish('flusher', benchEvent(seq), EVENT_TAGS);
          await flusher.flush();
        }
        const rate = perSecond(EVENTS, performance.now() - start);
        await check(raw, libraryKey);
        return rate;
      },
      baseline: async () => {
        await raw.del(baselineKey);
        const start = performance.now();
        for (let i = 0; i < EVENTS; i += BATCH) {
          const pipeline = raw.pipeline();
          const end = Math.min(EVENTS, i + BATCH);
          for (let seq = i; seq < end; seq++) {
            pipeline.xadd(
              baselineKey,
              '*',
              'body',
              encoder.encode(benchEvent(seq)),
              'type',
              EVENT_TAGS.type,
            );
          }
          const results = await pipeline.exec();
          for (const [error] of results ?? []) if (error) throw error;
        }
        const rate = perSecond(EVENTS, performance.now() - start);
        await check(raw, baselineKey);
        return rate;
      },
    });
    report.add({
      metric: `newFlusher() publish, batches of ${BATCH}`,
      unit: 'events/s',
      library: samples.library,
      baseline: samples.baseline,
      target: { kind: 'ratio', min: 0.9 },
    });
  } finally {
    await app.close();
    raw.disconnect();
    await deleteKeys(prefix);
  }
  await report.finish({ redis: await redisVersion() });
}

async function check(raw: ReturnType<typeof rawRedis>, key: string): Promise<void> {
  const len = await raw.xlen(key);
  if (len !== EVENTS) throw new Error(`${key} holds ${len} entries, expected ${EVENTS}`);
  await raw.del(key);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
