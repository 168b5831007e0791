import { encode } from '@msgpack/msgpack';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { PoolNotConfiguredError } from '../../errors/pool-not-configured.error.js';
import { SerializationError } from '../../errors/serialization.error.js';
import { StreamNotRegisteredError } from '../../errors/stream-not-registered.error.js';
import { createTestBroker, type TestBroker } from '../broker.spec-helpers.js';
import { MessageDecodeError } from '../errors/message-decode.error.js';
import type { StreamEvent } from '../consume/stream-event.js';

describe('EventBroker.publish', () => {
  let t: TestBroker;
  afterEach(() => t.close());

  async function readAll(stream: string): Promise<StreamEvent[]> {
    const consumer = await t.broker.consumerSingle(stream);
    let events: StreamEvent[] = [];
    await consumer
      .consume(100, 0, (batch) => {
        events = batch;
        throw new Error('keep them'); // leave them in the stream for inspection
      })
      .catch(() => undefined);
    return events;
  }

  it('returns the message id and round-trips body and tags', async () => {
    t = createTestBroker(['orders']);
    const body = {
      id: 7,
      items: ['a', 'b'],
      total: 12.5,
      at: new Date(1_700_000_000_000),
      none: null,
    };
    const id = await t.broker.publish('orders', body, { type: 'OrderPlaced', version: '3' });
    expect(id).toMatch(/^\d+-\d+$/);
    const second = await t.broker.publish('orders', 'plain string');
    expect(second > id || second.length > id.length).toBe(true);

    const [first, other] = await readAll('orders');
    expect(first.id).toBe(id);
    expect(first.stream).toBe('orders');
    expect(first.unserialize()).toEqual(body);
    expect(first.unserialize()).toBe(first.unserialize()); // decoded once, cached
    expect(first.tag('type')).toBe('OrderPlaced');
    expect(first.tag('version')).toBe('3');
    expect(first.tag('missing')).toBeUndefined();
    expect({ ...first.tags }).toEqual({ type: 'OrderPlaced', version: '3' });
    expect(other.unserialize()).toBe('plain string');
    expect(await t.admin.xlen(t.key('orders'))).toBe(2); // stored under the key prefix
  });

  it('rejects a non-string tag value, naming the tag and the stream', async () => {
    t = createTestBroker(['orders']);
    const bad = { type: 'X', version: 3 } as unknown as Record<string, string>;
    const error = await t.broker.publish('orders', {}, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain('tag "version"');
    expect((error as Error).message).toContain('stream "orders"');
    await expect(t.broker.publish('orders', {}, { body: 'x' })).rejects.toThrow(/body/);
    expect(() => t.broker.newFlusher().publish('orders', {}, bad)).toThrow(InvalidArgumentError);
    expect(await t.admin.exists(t.key('orders'))).toBe(0);
  });

  it('fails on an unregistered stream and on a stream of an unconfigured pool', async () => {
    t = createTestBroker(['orders']);
    const error = await t.broker.publish('nope', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamNotRegisteredError);
    expect((error as Error).message).toContain('"nope"');
    expect(() => t.broker.newFlusher().publish('nope', {})).toThrow(StreamNotRegisteredError);
    await expect(t.broker.consumerMany('nope')).rejects.toThrow(StreamNotRegisteredError);
    const missing = (() => {
      try {
        t.registry.register({ name: 'audit', pool: 'archive' });
      } catch (e) {
        return e;
      }
    })();
    expect(missing).toBeInstanceOf(PoolNotConfiguredError);
    expect((missing as Error).message).toMatch(/"archive".*"audit"/);
  });

  it('rejects bodies msgpack cannot encode or over the size limit', async () => {
    t = createTestBroker(['orders'], undefined, { limits: { maxBodyBytes: 64 } });
    await expect(t.broker.publish('orders', { f: () => 1 })).rejects.toThrow(SerializationError);
    await expect(t.broker.publish('orders', 'x'.repeat(100))).rejects.toThrow(/maxBodyBytes/);
  });

  it('never lets __proto__ keys change a prototype', async () => {
    t = createTestBroker(['orders']);
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"bad": 1}}}',
    );
    await t.broker.publish('orders', hostile);
    await t.admin.xadd(
      t.key('orders'),
      '*',
      'body',
      Buffer.from(encode({ nested: { constructor: 1 } })),
    );
    const [first, second] = await readAll('orders');
    expect(() => first.unserialize()).toThrow(MessageDecodeError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    const nested = second.unserialize<{ nested: Record<string, unknown> }>().nested;
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).bad).toBeUndefined();
  });

  it('throws a typed error naming stream and id for a garbage or missing body', async () => {
    t = createTestBroker(['orders']);
    const garbage = await t.admin.xadd(t.key('orders'), '*', 'body', Buffer.from([0xc1, 0xff]));
    const bare = await t.admin.xadd(t.key('orders'), '*', 'type', 'X');
    const [first, second] = await readAll('orders');
    const error = (() => {
      try {
        first.unserialize();
      } catch (e) {
        return e;
      }
    })() as MessageDecodeError;
    expect(error).toBeInstanceOf(MessageDecodeError);
    expect(error.stream).toBe('orders');
    expect(error.messageId).toBe(garbage);
    expect(error.message).toContain(garbage!);
    expect(() => second.unserialize()).toThrow(`message ${bare} of stream "orders"`);
    expect(second.tag('type')).toBe('X');
  });
});
