/**
 * The same delivery through nestjs-flux and BullMQ 6, both with their worker abstraction:
 * a `@StreamConsumer` worker (mode single, count 100) and a BullMQ `Worker` (concurrency 50,
 * removeOnComplete/removeOnFail so both delete what they handled).
 *  1. backlog: N events already queued (not timed), timed from the first handler call to the
 *     last delivery;
 *  2. add + deliver: producer (256 publishes / `queue.add`s in flight) and worker run together
 *     in one process, timed from the first add to the last delivery; both workers are connected
 *     before the clock starts.
 */
import { Queue, Worker } from 'bullmq';
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

const EVENTS = scaled(20_000, 500);
const CONCURRENCY = 50;
const IN_FLIGHT = 256;

let current: DeliveryTracker | undefined;

@StreamConsumer('deliver', { group: 'bench-bullmq', mode: 'single', count: 100, block: 100 })
class FluxWorker {
  async handle(events: StreamEvent[]): Promise<void> {
    const tracker = current!;
    tracker.begin();
    for (const event of events) tracker.mark(event.unserialize<BenchEvent>().seq);
    tracker.end();
  }
}

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
    'bullmq',
    `delivery of ${EVENTS} events: @StreamConsumer worker vs BullMQ Worker (concurrency ${CONCURRENCY})`,
  );
  const prefix = randomPrefix('bull');
  const raw = rawRedis();
  const url = new URL(config.redisUrl);
  const connection = {
    host: url.hostname,
    port: Number(url.port || 6379),
    maxRetriesPerRequest: null,
  };
  const bullPrefix = `${prefix}bull`;
  const template = `${prefix}template`;
  const encoder = new BodyEncoder();
  await fillStream(raw, template, EVENTS, (seq) => encoder.encode(benchEvent(seq)), EVENT_TAGS);
  const options = { redis: { default: config.redisUrl }, streams: ['deliver'], keyPrefix: prefix };
  const key = `${prefix}deliver`;
  let queueNo = 0;

  const fluxRun = async (endToEnd: boolean) => {
    await raw.del(key);
    if (!endToEnd) await copyStream(raw, template, key);
    const tracker = (current = new DeliveryTracker(EVENTS));
    const app = await createFluxApp(options, { providers: [FluxWorker] });
    try {
      if (endToEnd) {
        const broker = app.get(EventBroker);
        const start = performance.now();
        await inParallel(EVENTS, IN_FLIGHT, (seq) =>
          broker.publish('deliver', benchEvent(seq), EVENT_TAGS),
        );
        await tracker.wait(120_000);
        tracker.first = start;
      } else {
        await tracker.wait(120_000);
      }
      await waitEmpty(raw, key);
    } finally {
      await app.close();
    }
    return tracker.rate();
  };

  const bullRun = async (endToEnd: boolean) => {
    const name = `q${queueNo++}`;
    const queue = new Queue(name, { connection, prefix: bullPrefix });
    const jobOptions = { removeOnComplete: true, removeOnFail: true };
    if (!endToEnd) {
      for (let i = 0; i < EVENTS; i += 1000) {
        const jobs = [];
        for (let seq = i; seq < Math.min(EVENTS, i + 1000); seq++) {
          jobs.push({ name: EVENT_TAGS.type, data: benchEvent(seq), opts: jobOptions });
        }
        await queue.addBulk(jobs);
      }
    }
    const tracker = new DeliveryTracker(EVENTS);
    const worker = new Worker(
      name,
      async (job) => {
        tracker.begin();
        tracker.mark((job.data as BenchEvent).seq);
        tracker.end();
      },
      { connection, prefix: bullPrefix, concurrency: CONCURRENCY },
    );
    try {
      // The worker's connections are set up before the clock starts, as the flux app is started
      // before its run: add + deliver times adding and delivering, not connecting.
      await worker.waitUntilReady();
      await queue.waitUntilReady();
      const start = performance.now();
      if (endToEnd) {
        await inParallel(EVENTS, IN_FLIGHT, (seq) =>
          queue.add(EVENT_TAGS.type, benchEvent(seq), jobOptions),
        );
        await tracker.wait(180_000);
        tracker.first = start;
      } else {
        await tracker.wait(180_000);
      }
    } finally {
      await worker.close();
      await queue.close();
      await deleteKeys(`${bullPrefix}:${name}`);
    }
    return tracker.rate();
  };

  try {
    for (const [label, endToEnd] of [
      ['backlog delivery', false],
      [`add (${IN_FLIGHT} in flight) + deliver`, true],
    ] as const) {
      const samples = await alternate(
        { library: () => fluxRun(endToEnd), baseline: () => bullRun(endToEnd) },
        { label, rounds: Math.min(config.rounds, 3) },
      );
      report.add({
        metric: `${label}: flux worker vs BullMQ`,
        unit: 'events/s',
        library: samples.library,
        baseline: samples.baseline,
        target: { kind: 'ratio', min: 5 },
      });
    }
  } finally {
    raw.disconnect();
    await deleteKeys(prefix);
  }
  await report.finish({ redis: await redisVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
