import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DomainEvent,
  EventBroker,
  EventHandler,
  FluxError,
  InvalidArgumentError,
  SerializationError,
  type StreamEvent,
} from 'nestjs-flux';
import { EventRegistry } from '../../libs/flux/src/event-sourcing/event-registry.js';
import { startFaultApp, type FaultApp } from './support/app.js';
import { FUZZ_RUNS, REDIS_URL } from './support/env.js';
import { assertPrototypesClean, HOSTILE_JSON } from './support/prototype.js';
import { createBroker, deleteKeys, keyPrefix } from './support/redis-keys.js';
import { report } from './support/tally.js';
import { StreamConsumer, StreamWorkers } from 'nestjs-flux';
import { waitUntil, within } from './support/wait.js';

/**
 * Bad input to the broker: stream names, tags and bodies at publish, and raw stream messages
 * (random bytes, truncated msgpack, hostile keys, deep nesting, oversized bodies, odd fields)
 * through a real worker. Publish rejects with a FluxError; every raw message is handled or
 * dead-lettered; the worker keeps running; no prototype is polluted.
 */
const MAX_BODY = 64 * 1024;

@DomainEvent('FuzzEvent')
class FuzzEvent {
  constructor(readonly value: unknown) {}
}

const state = { handled: [] as string[], prototypes: [] as boolean[] };

@StreamConsumer('fuzz-stream', {
  group: 'fuzz-typed',
  mode: 'many',
  consumers: 2,
  count: 50,
  block: 100,
  maxDeliveries: 2,
  retryDelay: 10,
  maxRetryDelay: 20,
  claimIdle: 2_000,
})
class TypedFuzzWorker {
  @EventHandler(FuzzEvent) on(event: FuzzEvent, msg: StreamEvent) {
    state.prototypes.push(Object.getPrototypeOf(event) === FuzzEvent.prototype);
    state.handled.push(msg.id);
  }
}

/** Arbitrary bodies for publish: everything fast-check can build, plus hostile objects. */
const anyBody = fc.oneof(
  fc.anything({
    maxDepth: 5,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  }),
  fc.constantFrom<unknown>(...HOSTILE_JSON, () => 1, Symbol('s'), 10n ** 30n, new Error('e')),
  fc.constantFrom('x'.repeat(MAX_BODY + 1)),
);

/** Raw message bodies that a decoder must survive. */
const deepArray = (depth: number) =>
  Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.from([0xc0])]);
const hostileBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(encode(v))),
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(encode(v))),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.jsonValue({ maxDepth: 4 }).chain((v) => {
    const full = Buffer.from(encode(v));
    return fc
      .integer({ min: 0, max: Math.max(0, full.length - 1) })
      .map((n) => full.subarray(0, n));
  }),
  fc.constantFrom(
    ...HOSTILE_JSON.map((o) => Buffer.from(encode(o))),
    Buffer.from(encode({ value: 1, nested: { __proto__x: 1 } })),
    deepArray(99),
    deepArray(101),
    deepArray(200_000),
    Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), // array32 claiming 4G entries
    Buffer.from([0xdb, 0x7f, 0xff, 0xff, 0xff]), // str32 claiming 2 GiB
    Buffer.from([0xc7, 0x05, 0x05, 1, 2, 3, 4, 5]), // ext 8, unknown type 5
    Buffer.from([0xd6, 0xff, 0, 0, 0, 1]), // timestamp ext
    Buffer.alloc(MAX_BODY + 1, 0xa1),
    Buffer.alloc(0),
  ),
);
const fieldName = fc.oneof(
  fc.constantFrom(
    'type',
    'body',
    '__proto__',
    'constructor',
    'prototype',
    'event_version',
    'toString',
    '',
  ),
  fc.string({ maxLength: 20 }),
);
const typeTag = fc.oneof(
  { weight: 4, arbitrary: fc.constant('FuzzEvent') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'NoSuchType',
      '__proto__',
      'constructor',
      'FuzzEvent '.repeat(50),
    ),
  },
);
const eventVersion = fc.option(fc.constantFrom('1', '0', '-5', '0.5', 'NaN', '1e9', '2', 'x'), {
  nil: undefined,
});
/** One raw message: the field list as it goes to XADD. */
const rawMessage = fc
  .record({
    body: fc.option(hostileBody, { nil: undefined, freq: 8 }),
    type: fc.option(typeTag, { nil: undefined, freq: 8 }),
    version: eventVersion,
    extra: fc.array(
      fc.tuple(
        fieldName,
        fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)),
        ),
      ),
      { maxLength: 3 },
    ),
  })
  .map(({ body, type, version, extra }) => {
    const fields: Array<string | Buffer> = [];
    if (body !== undefined) fields.push('body', body);
    if (type !== undefined) fields.push('type', type);
    if (version !== undefined) fields.push('event_version', version);
    for (const [k, v] of extra) fields.push(k, v);
    if (fields.length === 0) fields.push('x', 'y'); // XADD needs a field
    return fields;
  });

describe('fuzz: broker publish', () => {
  it('stream names, tags and bodies: a message id or a FluxError, never anything else', async () => {
    const tb = createBroker('fuzzpub', ['fuzz-pub'], REDIS_URL, {
      limits: { maxBodyBytes: MAX_BODY },
    });
    const outcomes = { published: 0, typed: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 4, arbitrary: fc.constant('fuzz-pub') },
            { weight: 1, arbitrary: fc.oneof(fc.string(), fc.anything({ maxDepth: 1 })) },
          ),
          anyBody,
          fc.option(
            fc.oneof(
              fc.dictionary(fieldName, fc.string()),
              fc.dictionary(fc.string(), fc.anything({ maxDepth: 1 })),
              fc.anything({ maxDepth: 1 }),
            ),
            { nil: undefined },
          ),
          async (stream, body, meta) => {
            for (const publish of [
              () => tb.broker.publish(stream as string, body, meta as never),
              async () => {
                const flusher = tb.broker.newFlusher();
                flusher.publish(stream as string, body, meta as never);
                return (await flusher.flush())[0];
              },
            ]) {
              const result = await within(10_000, 'publish', Promise.resolve().then(publish)).then(
                (id) => ({ id }),
                (error: unknown) => ({ error }),
              );
              if ('error' in result) {
                expect(result.error).toBeInstanceOf(FluxError);
                outcomes.typed++;
              } else {
                expect(result.id).toMatch(/^\d+-\d+$/);
                outcomes.published++;
              }
              assertPrototypesClean();
            }
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
      // The documented limit: a body over maxBodyBytes is refused before it reaches Redis.
      await expect(tb.broker.publish('fuzz-pub', 'x'.repeat(MAX_BODY + 1))).rejects.toThrow(
        SerializationError,
      );
      const deep = (d: number): unknown => (d === 0 ? 1 : [deep(d - 1)]);
      await expect(tb.broker.publish('fuzz-pub', deep(101))).rejects.toThrow(SerializationError);
      await expect(tb.broker.publish('fuzz-pub', 1, { body: 'x' })).rejects.toThrow(
        InvalidArgumentError,
      );
      report('fuzz broker publish', { runs: FUZZ_RUNS, ...outcomes });
    } finally {
      await tb.close();
    }
  });
});

describe('fuzz: raw stream messages through a real worker', () => {
  const prefix = keyPrefix('fuzzworker');
  let fault: FaultApp | undefined;
  afterAll(async () => {
    await fault?.close();
    await deleteKeys(prefix);
  });

  it('every message is handled or dead-lettered, the worker keeps running, no prototype is touched', async () => {
    fault = await startFaultApp({
      flux: {
        redis: { default: REDIS_URL },
        keyPrefix: prefix,
        streams: ['fuzz-stream'],
        broker: { limits: { maxBodyBytes: MAX_BODY } },
      },
      providers: [TypedFuzzWorker],
      workers: true,
    });
    const raw = new Redis(REDIS_URL);
    const key = `${prefix}fuzz-stream`;
    const sent: string[] = [];
    const messages = fc.sample(rawMessage, {
      numRuns: FUZZ_RUNS * 5,
      seed: Number(process.env.FAULTS_SEED ?? Date.now() % 100_000),
    });
    for (const fields of messages) sent.push(String(await raw.xadd(key, '*', ...fields)));
    // A good message last: proof the worker still processes after all of the above.
    const last = await fault.app
      .get(EventBroker)
      .publish('fuzz-stream', { value: 'last' }, { type: 'FuzzEvent' });
    sent.push(last);

    const dead = `${key}:dead`;
    const deadIds = async () =>
      ((await raw.xrange(dead, '-', '+')) as [string, string[]][]).map(
        ([, f]) => f[f.indexOf('original_id') + 1],
      );
    await waitUntil(
      'every fuzzed message handled or dead-lettered',
      async () => new Set([...state.handled, ...(await deadIds())]).size >= sent.length,
      60_000,
      () => `${state.handled.length} handled`,
    );
    await waitUntil(
      'nothing pending',
      async () => ((await raw.xpending(key, 'fuzz-typed')) as [number])[0] === 0,
      10_000,
    );
    const handled = new Set(state.handled);
    const deadSet = new Set(await deadIds());
    const both = [...handled].filter((id) => deadSet.has(id));
    const workers = fault.app.get(StreamWorkers).status();
    const letters = ((await raw.xrange(dead, '-', '+')) as [string, string[]][]).map(
      ([, f]) => f[f.indexOf('error') + 1],
    );
    const reasons = new Map<string, number>();
    for (const error of letters) {
      const reason = error
        .replace(/"[^"]*"/g, '"…"')
        .replace(/message \S+|\d+/g, '#')
        .slice(0, 90);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    raw.disconnect();
    assertPrototypesClean();
    report('fuzz worker', {
      sent: sent.length,
      handled: handled.size,
      deadLettered: deadSet.size,
      lost: sent.filter((id) => !handled.has(id) && !deadSet.has(id)).length,
      handledAndDeadLettered: both.length,
      wrongPrototype: state.prototypes.filter((ok) => !ok).length,
    });
    console.log([...reasons].map(([r, n]) => `  ${n} × ${r}`).join('\n'));
    expect(handled.has(last)).toBe(true);
    expect(sent.filter((id) => !handled.has(id) && !deadSet.has(id))).toEqual([]);
    expect(state.prototypes.every(Boolean)).toBe(true);
    expect(workers.every((w) => w.running)).toBe(true);
  });
});

describe('fuzz: stored schema versions', () => {
  it('instantiate refuses a malformed or too new stored version and reads a valid one', () => {
    const registry = new EventRegistry();
    registry.register(FuzzEvent);
    // Not an integer ≥ 1: refused with a typed error naming the event, never read as version 1.
    for (const version of ['0.5', '-5', 'x', '0', 'NaN', '', ' ', 1.5, -1, 0, Infinity, {}]) {
      expect(
        () => registry.instantiate('FuzzEvent', { value: 1 }, version),
        `version ${String(version)}`,
      ).toThrow(InvalidArgumentError);
      expect(() => registry.instantiate('FuzzEvent', { value: 1 }, version)).toThrow(/FuzzEvent/);
    }
    // Newer than the class knows: refused too (an older process must not misread it).
    expect(() => registry.instantiate('FuzzEvent', { value: 1 }, 2)).toThrow(InvalidArgumentError);
    // Well-formed versions, as a tag (string) or a number, or absent: read as they are.
    for (const version of ['1', 1, undefined, null]) {
      const event = registry.instantiate<FuzzEvent>('FuzzEvent', { value: 1 }, version);
      expect(event).toBeInstanceOf(FuzzEvent);
      expect(event).toMatchObject({ value: 1 });
    }
  });
});
