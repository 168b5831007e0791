import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../../broker/broker.spec-helpers.js';
import { EventBroker } from '../../broker/event-broker.js';
import { Aggregate } from '../../event-sourcing/aggregate.decorator.js';
import { AggregateRoot } from '../../event-sourcing/aggregate-root.js';
import type { AggregateRepository } from '../../event-sourcing/aggregate-repository.js';
import { DomainEvent } from '../../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../../event-sourcing/event-handler.decorator.js';
import { EventStore } from '../../event-store/event-store.js';
import { FluxModule } from '../../module/flux.module.js';
import { getAggregateRepositoryToken } from '../../module/inject-aggregate-repository.decorator.js';
import { StreamConsumer } from '../../workers/stream-consumer.decorator.js';
import { installTestSdk, only, parentOf } from './tracing.spec-helpers.js';

@DomainEvent('TraceParcelShipped')
class ParcelShipped {
  constructor(readonly to: string) {}
}

@Aggregate({ name: 'traced-parcel', stream: 'traced-parcels' })
class Parcel extends AggregateRoot {
  destination = '';
  ship(to: string) {
    this.apply(new ParcelShipped(to));
  }
  @EventHandler(ParcelShipped) onShipped(e: ParcelShipped) {
    this.destination = e.to;
  }
}

const handled: string[] = [];

@StreamConsumer('traced-parcels', { group: 'tracking', block: 100, retryDelay: 20 })
class Tracking {
  @EventHandler(ParcelShipped) async on(event: ParcelShipped) {
    await new Promise((resolve) => setImmediate(resolve));
    // Still inside the message's span after an await: the handler's own work joins the trace.
    if (trace.getActiveSpan()?.isRecording()) handled.push(event.to);
  }
}

const sdk = installTestSdk();
const prefix = `flux-tracing-test:${randomBytes(6).toString('hex')}:`;
const admin = new Redis(REDIS_URL);
let nest: INestApplication;

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [
      FluxModule.forRoot({
        redis: { default: REDIS_URL },
        keyPrefix: prefix,
        streams: ['traced-parcels', 'traced-parcels:dead'],
      }),
      FluxModule.forFeature({ aggregates: [Parcel] }),
    ],
    providers: [Tracking],
  }).compile();
  nest = moduleRef.createNestApplication({ logger: false });
  await nest.init();
}, 30_000);

afterAll(async () => {
  await nest?.close();
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length) await admin.del(...keys);
  await admin.quit();
  await sdk.uninstall();
});

afterEach(() => sdk.exporter.reset());

const spans = () => sdk.exporter.getFinishedSpans();

describe('tracing with an OpenTelemetry SDK', () => {
  it('follows a save through the relay and Redis into the worker, in one trace', async () => {
    const parcels = nest.get<AggregateRepository<Parcel>>(getAggregateRepositoryToken(Parcel));
    const command = trace.getTracer('test').startSpan('POST /parcels');
    await context.with(trace.setSpan(context.active(), command), async () => {
      const parcel = parcels.create('p-1');
      parcel.ship('Oslo');
      await parcels.save(parcel);
    });
    command.end();
    await expect.poll(() => handled, { timeout: 20_000 }).toEqual(['Oslo']);
    await expect
      .poll(() => spans().some((s) => s.name === 'process traced-parcels'), {
        timeout: 20_000,
      })
      .toBe(true);

    const all = spans();
    const save = only(all, 'save traced-parcel');
    const append = only(all, 'append traced-parcel');
    const publish = only(all, 'publish traced-parcels');
    const processed = only(all, 'process traced-parcels');
    const traceId = command.spanContext().traceId;
    for (const span of [save, append, publish, processed]) {
      expect(span.spanContext().traceId).toBe(traceId);
    }
    expect(parentOf(save)).toBe(command.spanContext().spanId);
    expect(parentOf(append)).toBe(save.spanContext().spanId);
    expect(parentOf(publish)).toBe(save.spanContext().spanId);
    expect(parentOf(processed)).toBe(publish.spanContext().spanId);
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(processed.kind).toBe(SpanKind.CONSUMER);
    expect(save.attributes).toMatchObject({
      'flux.aggregate.name': 'traced-parcel',
      'flux.aggregate.id': 'p-1',
      'flux.event.count': 1,
    });
    // Acknowledged by its only group, the message is gone from the stream: its id is on both.
    const messageId = publish.attributes['messaging.message.id'];
    expect(messageId).toMatch(/^\d+-\d+$/);
    expect(publish.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.destination.name': 'traced-parcels',
      'messaging.operation.type': 'publish',
      'messaging.message.id': messageId,
    });
    expect(processed.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.destination.name': 'traced-parcels',
      'messaging.operation.type': 'process',
      'messaging.message.id': messageId,
      'messaging.consumer.group.name': 'tracking',
    });
    // The context is stored with the event, so a later relay (another process) finds it too.
    const [stored] = await nest.get(EventStore).readStream('p-1');
    expect(stored.metadata.traceparent).toBe(`00-${traceId}-${save.spanContext().spanId}-01`);
  }, 30_000);

  it('records a poison message being dead-lettered on its span', async () => {
    const broker = nest.get(EventBroker);
    const sent = trace.getTracer('test').startSpan('send');
    const id = await context.with(trace.setSpan(context.active(), sent), () =>
      broker.publish('traced-parcels', { to: 'nowhere' }, { type: 'NoSuchEvent' }),
    );
    sent.end();
    await expect
      .poll(() => admin.xlen(`${prefix}traced-parcels:dead`), { timeout: 20_000 })
      .toBe(1);
    await expect
      .poll(() => spans().filter((s) => s.name === 'process traced-parcels').length, {
        timeout: 20_000,
      })
      .toBe(1);
    const all = spans();
    const publish = all.find(
      (s) => s.name === 'publish traced-parcels' && s.attributes['messaging.message.id'] === id,
    )!;
    const processed = only(all, 'process traced-parcels');
    expect(parentOf(publish)).toBe(sent.spanContext().spanId);
    expect(parentOf(processed)).toBe(publish.spanContext().spanId);
    expect(processed.spanContext().traceId).toBe(sent.spanContext().traceId);
    expect(processed.status.code).toBe(SpanStatusCode.ERROR);
    const [[deadId]] = await admin.xrange(`${prefix}traced-parcels:dead`, '-', '+');
    const event = processed.events.find((e) => e.name === 'flux.dead_lettered');
    expect(event?.attributes).toMatchObject({
      'flux.dead_letter.stream': 'traced-parcels:dead',
      'flux.dead_letter.id': deadId,
      'exception.type': 'PoisonMessageError',
    });
    // The dead letter's own publish is a child of the message's span.
    const dead = only(all, 'publish traced-parcels:dead');
    expect(parentOf(dead)).toBe(processed.spanContext().spanId);
  }, 30_000);

  it('traces a flusher: the flush span counts its messages, tags carry the publisher context', async () => {
    const flusher = nest.get(EventBroker).newFlusher();
    const batch = trace.getTracer('test').startSpan('batch');
    await context.with(trace.setSpan(context.active(), batch), async () => {
      flusher.publish('traced-parcels', { to: 'a' }, { type: 'TraceParcelShipped' });
      flusher.publish('traced-parcels', { to: 'b' }, { type: 'TraceParcelShipped' });
      await flusher.flush();
    });
    batch.end();
    await expect
      .poll(() => spans().filter((s) => s.name === 'process traced-parcels').length, {
        timeout: 20_000,
      })
      .toBe(2);
    const all = spans();
    const flush = only(all, 'flush');
    expect(parentOf(flush)).toBe(batch.spanContext().spanId);
    expect(flush.attributes['messaging.batch.message_count']).toBe(2);
    for (const span of all.filter((s) => s.name === 'process traced-parcels')) {
      expect(parentOf(span)).toBe(batch.spanContext().spanId);
    }
  }, 30_000);
});
