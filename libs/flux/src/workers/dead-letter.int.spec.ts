import { decode } from '@msgpack/msgpack';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../broker/broker.spec-helpers.js';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { deadLetterStreamOf, describeError, publishDeadLetter } from './dead-letter.js';

describe('describeError', () => {
  it('names the error class and message, or the value itself', () => {
    expect(describeError(new TypeError('bad input'))).toBe('TypeError: bad input');
    expect(describeError('plain reason')).toBe('plain reason');
    expect(describeError(undefined)).toBe('undefined');
  });

  it('cuts descriptions past 2000 characters and says so', () => {
    expect(describeError('x'.repeat(2000))).toBe('x'.repeat(2000));
    expect(describeError('x'.repeat(2001))).toBe(`${'x'.repeat(2000)}…`);
  });
});

describe('publishDeadLetter', () => {
  let t: TestBroker;
  afterEach(() => t.close());

  async function deliver(): Promise<StreamEvent> {
    const consumer = await t.broker.consumerSingle('jobs', { group: 'g' });
    let got!: StreamEvent;
    await consumer.consume(1, 0, ([event]) => void (got = event));
    return got;
  }

  const fieldsOf = async (id: string) => {
    const [[, raw]] = await t.admin.xrangeBuffer(t.key('jobs:dead'), id, id);
    const out: Record<string, Buffer> = {};
    for (let i = 0; i < raw.length; i += 2) out[raw[i].toString()] = raw[i + 1];
    return out;
  };

  it('copies body and tags to <stream>:dead with why, where and when it failed', async () => {
    t = createTestBroker(['jobs', 'jobs:dead']);
    const originalId = await t.broker.publish('jobs', { n: 1 }, { type: 'Job', tenant: 't-1' });
    const msg = await deliver();
    const before = Date.now();
    const deadId = await publishDeadLetter(t.broker, msg, new RangeError('too big'));
    expect(deadLetterStreamOf('jobs')).toBe('jobs:dead');
    const fields = await fieldsOf(deadId);
    expect(decode(fields.body)).toEqual({ n: 1 });
    const text = Object.fromEntries(
      Object.entries(fields)
        .filter(([k]) => k !== 'body')
        .map(([k, v]) => [k, v.toString()]),
    );
    expect(text).toMatchObject({
      type: 'Job',
      tenant: 't-1',
      error: 'RangeError: too big',
      original_id: originalId,
      original_stream: 'jobs',
      group: 'g',
      consumer: 'consumer-single',
    });
    expect(text).not.toHaveProperty('partition'); // not read from a partition
    const failedAt = Date.parse(text.failed_at);
    expect(text.failed_at).toBe(new Date(failedAt).toISOString());
    expect(failedAt).toBeGreaterThanOrEqual(before - 1_000);
    expect(failedAt).toBeLessThanOrEqual(Date.now() + 1_000);
  });

  it('keeps an undecodable message with a null body: the tags still name it', async () => {
    t = createTestBroker(['jobs', 'jobs:dead']);
    const originalId = (await t.admin.xadd(
      t.key('jobs'),
      '*',
      'body',
      Buffer.from([0xc1]),
      'type',
      'Job',
    )) as string;
    const msg = await deliver();
    const deadId = await publishDeadLetter(t.broker, msg, 'undecodable');
    const fields = await fieldsOf(deadId);
    expect(decode(fields.body)).toBeNull();
    expect(fields.original_id.toString()).toBe(originalId);
    expect(fields.error.toString()).toBe('undecodable');
  });
});
