/**
 * Consume + ack + delete of a 100k-event backlog with one consumer, batches of 100:
 * the library's `consumerSingle().consume(100, …)` loop and a `@StreamConsumer` worker
 * (raw `handle(events)` batches), against a raw ioredis loop of XREADGROUP COUNT 100 and a
 * pipelined XACK + XDEL per batch. Every handler decodes every msgpack body.
 */
import { Decoder } from '@msgpack/msgpack';
import { EventBroker, StreamConsumer, type StreamEvent } from 'nestjs-flux';
import {
  alternate,
  BenchReport,
  BodyEncoder,
  benchEvent,
  type BenchEvent,
  config,
  copyStream,
  createFluxApp,
  DeliveryTracker,
  deleteKeys,
  EVENT_TAGS,
  fillStream,
  randomPrefix,
  rawRedis,
  redisVersion,
  scaled,
  waitEmpty,
} from './support/index.js';

const EVENTS = scaled(100_000, 1000);
const COUNT = 100;

/** The tracker of the round in progress; the worker class reports into it. */
let current: DeliveryTracker | undefined;

@StreamConsumer('worker', { group: 'bench-worker', mode: 'single', count: COUNT, block: 100 })
class BenchWorker {
  async handle(events: StreamEvent[]): Promise<void> {
    const tracker = current!;
    tracker.begin();
    for (const event of events) tracker.mark(event.unserialize<BenchEvent>().seq);
    tracker.end();
  }
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'consume',
    `consume + ack + delete of ${EVENTS} events, one consumer, COUNT ${COUNT}`,
  );
  const prefix = randomPrefix('cons');
  const raw = rawRedis();
  const reader = rawRedis();
  const template = `${prefix}template`;
  const encoder = new BodyEncoder();
  await fillStream(raw, template, EVENTS, (seq) => encoder.encode(benchEvent(seq)), EVENT_TAGS);
  const options = {
    redis: { default: config.redisUrl },
    streams: ['consume', 'worker'],
    keyPrefix: prefix,
  };
  const app = await createFluxApp(options);
  const broker = app.get(EventBroker);
  let round = 0;

  try {
    const samples = await alternate({
      baseline: async () => {
        const key = `${prefix}baseline`;
        await copyStream(raw, template, key);
        await raw.xgroup('CREATE', key, 'g', '0');
        const tracker = new DeliveryTracker(EVENTS);
        const decoder = new Decoder();
        while (!tracker.complete) {
          const reply = (await reader.xreadgroupBuffer(
            'GROUP',
            'g',
            'c',
            'COUNT',
            COUNT,
            'BLOCK',
            100,
            'STREAMS',
            key,
            '>',
          )) as [Buffer, [Buffer, Buffer[]][]][] | null;
          if (!reply) continue;
          const entries = reply[0][1];
          tracker.begin();
          const ids: string[] = new Array(entries.length);
          for (let i = 0; i < entries.length; i++) {
            const [id, fields] = entries[i];
            ids[i] = id.toString();
            for (let f = 0; f < fields.length; f += 2) {
              if (fields[f].toString() === 'body')
                tracker.mark((decoder.decode(fields[f + 1]) as BenchEvent).seq);
            }
          }
          const results = await raw
            .pipeline()
            .xack(key, 'g', ...ids)
            .xdel(key, ...ids)
            .exec();
          for (const [error] of results ?? []) if (error) throw error;
          tracker.end();
        }
        await waitEmpty(raw, key);
        return tracker.rate();
      },
      'consume(100)': async () => {
        const key = `${prefix}consume`;
        await copyStream(raw, template, key);
        const consumer = await broker.consumerSingle('consume', { group: `g${round++}` });
        const tracker = new DeliveryTracker(EVENTS);
        while (!tracker.complete) {
          await consumer.consume(COUNT, 100, async (events) => {
            tracker.begin();
            for (const event of events) tracker.mark(event.unserialize<BenchEvent>().seq);
          });
          tracker.end();
        }
        await waitEmpty(raw, key);
        await consumer.close();
        return tracker.rate();
      },
      worker: async () => {
        const key = `${prefix}worker`;
        await copyStream(raw, template, key);
        const tracker = (current = new DeliveryTracker(EVENTS));
        const workerApp = await createFluxApp(options, { providers: [BenchWorker] });
        try {
          await tracker.wait(120_000);
          await waitEmpty(raw, key);
        } finally {
          await workerApp.close();
        }
        return tracker.rate();
      },
    });
    for (const name of ['consume(100)', 'worker'] as const) {
      report.add({
        metric:
          name === 'worker'
            ? '@StreamConsumer worker (single, count 100)'
            : 'consumerSingle().consume(100, …) loop',
        unit: 'events/s',
        library: samples[name],
        baseline: samples.baseline,
        target: { kind: 'ratio', min: 0.8 },
      });
    }
  } finally {
    await app.close();
    raw.disconnect();
    reader.disconnect();
    await deleteKeys(prefix);
  }
  await report.finish({ redis: await redisVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
