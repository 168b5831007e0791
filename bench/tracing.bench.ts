/**
 * The cost of tracing on the broker's hot paths, in one process, rounds alternating:
 * `tracing: false` (the facade's `enabled` check only: the code path as it was before tracing)
 * against the default `'auto'` with `@opentelemetry/api` installed but no SDK registered (ratio,
 * target ≥ 0.98×); then, with an SDK registered (BasicTracerProvider, SimpleSpanProcessor, an
 * exporter that drops everything), the same pair again: the cost of a recorded span per message.
 * Workloads: `broker.publish` awaited one by one, and a typed `@StreamConsumer` worker
 * (`@EventHandler`, one span per message) draining a backlog.
 */
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  DomainEvent,
  EventBroker,
  EventHandler,
  type FluxModuleOptions,
  StreamConsumer,
} from 'nestjs-flux';
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
  perSecond,
  randomPrefix,
  rawRedis,
  redisVersion,
  scaled,
  waitEmpty,
} from './support/index.js';

/**
 * Awaited publishes are bound by round trips, which a shared machine jitters by a few percent
 * from one second to the next: three times the rounds, a third of the publishes each, so the
 * paired ratio sees the two cases side by side more often in the same time.
 */
const PUBLISHES = scaled(7_000, 200);
const PUBLISH_ROUNDS = config.rounds * 3;
const EVENTS = scaled(50_000, 500);

@DomainEvent(EVENT_TAGS.type)
class Credited {
  seq!: number;
}

let current: DeliveryTracker | undefined;

@StreamConsumer('worker', { group: 'bench-tracing', mode: 'single', count: 100, block: 100 })
class TypedWorker {
  @EventHandler(Credited) on(event: BenchEvent) {
    const tracker = current!;
    tracker.begin();
    tracker.mark(event.seq);
    tracker.end();
  }
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'tracing',
    `tracing off vs on: ${PUBLISHES} publishes awaited one by one, ${EVENTS}-event backlog ` +
      'drained by a typed worker; without an SDK, then with one (no-op exporter)',
  );
  const prefix = randomPrefix('trace');
  const raw = rawRedis();
  const template = `${prefix}template`;
  const encoder = new BodyEncoder();
  await fillStream(raw, template, EVENTS, (seq) => encoder.encode(benchEvent(seq)), EVENT_TAGS);
  const options = (tracing: boolean | 'auto'): FluxModuleOptions => ({
    redis: { default: config.redisUrl },
    streams: ['publish', 'worker'],
    keyPrefix: prefix,
    tracing,
  });
  const off = await createFluxApp(options(false));
  const on = await createFluxApp(options('auto'));

  const publish = (broker: EventBroker) => async () => {
    const key = `${prefix}publish`;
    await raw.del(key);
    const start = performance.now();
    for (let seq = 0; seq < PUBLISHES; seq++) {
      await broker.publish('publish', benchEvent(seq), EVENT_TAGS);
    }
    const rate = perSecond(PUBLISHES, performance.now() - start);
    await raw.del(key);
    return rate;
  };
  const consume = (tracing: boolean | 'auto') => async () => {
    const key = `${prefix}worker`;
    await copyStream(raw, template, key);
    const tracker = (current = new DeliveryTracker(EVENTS));
    const app = await createFluxApp(options(tracing), { providers: [TypedWorker] });
    try {
      await tracker.wait(180_000);
      await waitEmpty(raw, key);
    } finally {
      await app.close();
    }
    await raw.del(key);
    return tracker.rate();
  };

  const phase = async (sdk: string) => {
    const published = await alternate(
      { off: publish(off.get(EventBroker)), on: publish(on.get(EventBroker)) },
      { label: `publish, ${sdk}`, rounds: PUBLISH_ROUNDS },
    );
    const consumed = await alternate(
      { off: consume(false), on: consume('auto') },
      { label: `worker, ${sdk}` },
    );
    for (const [what, samples] of [
      ['publish awaited one by one', published],
      ['typed @StreamConsumer worker', consumed],
    ] as const) {
      report.add({
        metric: `${what}: tracing on / off, ${sdk}`,
        unit: 'events/s',
        library: samples.on,
        baseline: samples.off,
        target: { kind: 'ratio', min: sdk === 'no SDK' ? 0.98 : 0 },
      });
    }
  };

  try {
    await phase('no SDK');
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor({
          export: (_spans, done) => done({ code: 0 }),
          shutdown: async () => undefined,
        }),
      ],
    });
    trace.setGlobalTracerProvider(provider);
    await phase('SDK, no-op exporter');
    await provider.shutdown();
  } finally {
    await off.close();
    await on.close();
    raw.disconnect();
    await deleteKeys(prefix);
  }
  await report.finish({ redis: await redisVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
