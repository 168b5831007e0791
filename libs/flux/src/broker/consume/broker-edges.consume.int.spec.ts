import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, REDIS_URL, type TestBroker, waitFor } from '../broker.spec-helpers.js';
import { ackAndDelete, ensureGroup, isKeyGoneError, isNoGroupError } from './group-commands.js';
import type { RedisPools } from '../pools/redis-pools.js';
import type { StreamEvent } from './stream-event.js';

/**
 * Edges of read, claim and ack that the scenario specs pass through without pinning down:
 * what a mutation of each branch would break.
 */
let t: TestBroker;
let open: TestBroker | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

/** The broker's own pools: group commands run on the client the broker itself uses. */
const pools = (b: TestBroker) => (b.broker as unknown as { pools: RedisPools }).pools;
const poolClient = (b: TestBroker) => pools(b).get('default', 's');
/** Whether a connection named `name` is blocked in XREADGROUP (other suites block reads too). */
const blockedRead = async (b: TestBroker, name: string) =>
  ((await b.admin.call('client', 'list')) as string)
    .split('\n')
    .some((line) => line.includes(` name=${name} `) && line.includes('cmd=xreadgroup'));

describe('consumer edges', () => {
  it('reports closed', async () => {
    t = open = createTestBroker(['s']);
    const consumer = await t.broker.consumerSingle('s');
    expect(consumer.closed).toBe(false);
    await consumer.close();
    expect(consumer.closed).toBe(true);
  });

  it('pending messages deleted meanwhile are acked and skipped, then new ones are read', async () => {
    t = open = createTestBroker(['s']);
    const consumer = await t.broker.consumerSingle('s', { group: 'g' });
    const [gone1, gone2] = [await t.broker.publish('s', 1), await t.broker.publish('s', 2)];
    await consumer.consume(10, 0, () => Promise.reject(new Error('later'))).catch(() => 0);
    await t.admin.xdel(t.key('s'), gone1, gone2);
    const fresh = await t.broker.publish('s', 3);
    const batches: string[][] = [];
    const n = await consumer.consume(10, 0, (events) => void batches.push(events.map((e) => e.id)));
    expect(n).toBe(1);
    expect(batches).toEqual([[fresh]]);
    expect(((await t.admin.xpending(t.key('s'), 'g')) as [number])[0]).toBe(0);
  });

  it('a consume queued before close() reads nothing once the consumer is closed', async () => {
    t = open = createTestBroker(['s']);
    const consumer = await t.broker.consumerSingle('s', { group: 'g' });
    await t.broker.publish('s', 1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const first = consumer.consume(1, 0, async () => {
      entered();
      await gate;
    });
    const queued: StreamEvent[][] = [];
    const second = consumer.consume(10, 0, (events) => void queued.push(events));
    await inHandler;
    await t.broker.publish('s', 2);
    const closing = consumer.close();
    release();
    expect(await first).toBe(1);
    expect(await second).toBe(0);
    await closing;
    expect(queued).toEqual([]);
  });

  it('autoClaim with nothing to claim calls no handler', async () => {
    t = open = createTestBroker(['s']);
    const consumer = await t.broker.consumerMany('s', { group: 'g' });
    await t.broker.publish('s', 1); // new, not pending: nothing to claim
    let calls = 0;
    expect(await consumer.autoClaim(10, 0, () => void calls++)).toBe(0);
    expect(calls).toBe(0);
  });

  it('recreates a group destroyed under a consumer, for reads and for claims', async () => {
    t = open = createTestBroker(['s']);
    const consumer = await t.broker.consumerSingle('s', { group: 'g' });
    await t.admin.xgroup('DESTROY', t.key('s'), 'g');
    let calls = 0;
    expect(await consumer.consume(10, 0, () => void calls++)).toBe(0);
    const claimer = await t.broker.consumerMany('s', { group: 'h' });
    await t.admin.xgroup('DESTROY', t.key('s'), 'h');
    expect(await claimer.autoClaim(10, 0, () => void calls++)).toBe(0);
    expect(calls).toBe(0);
    const groups = (await t.admin.xinfo('GROUPS', t.key('s'))) as unknown[][];
    expect(groups.map((g) => g[1]).sort()).toEqual(['g', 'h']);
    const id = await t.broker.publish('s', 'after');
    const got: string[] = [];
    await consumer.consume(10, 0, (events) => void got.push(...events.map((e) => e.id)));
    expect(got).toEqual([id]);
  });
});

describe('group commands', () => {
  it('a blocked read whose stream is deleted ends empty, and the next read recreates the group', async () => {
    const name = `flux-unblocked-${process.pid}-${Date.now()}`;
    const { hostname: host, port } = new URL(REDIS_URL);
    t = open = createTestBroker(['s'], {
      default: { host, port: Number(port), connectionName: name },
    });
    const consumer = await t.broker.consumerMany('s', { group: 'g' });
    const handled: unknown[] = [];
    const blocked = consumer.consume(10, 20_000, (events) => void handled.push(...events));
    await waitFor(() => blockedRead(t, name), 10_000, 'a blocked read');
    await t.admin.del(t.key('s')); // Redis ends the read: "UNBLOCKED the stream key no longer exists"
    expect(await blocked).toBe(0);
    expect(consumer.closed).toBe(false);
    await consumer.consume(10, 0, () => undefined); // NOGROUP: the group is created again
    await t.broker.publish('s', { after: true });
    expect(await consumer.consume(10, 0, (events) => void handled.push(...events))).toBe(1);
    expect(handled).toHaveLength(1);
  });

  it('isKeyGoneError recognises only the error of a read unblocked by a vanished key', () => {
    expect(isKeyGoneError(new Error('UNBLOCKED the stream key no longer exists'))).toBe(true);
    expect(isKeyGoneError(new Error('NOGROUP No such key'))).toBe(false);
    expect(isKeyGoneError('UNBLOCKED the stream key no longer exists')).toBe(false);
  });

  it('isNoGroupError recognises only Redis NOGROUP errors', () => {
    expect(isNoGroupError(new Error('NOGROUP No such key or consumer group'))).toBe(true);
    expect(isNoGroupError(new Error('WRONGTYPE Operation against a key'))).toBe(false);
    expect(isNoGroupError(new Error('the NOGROUP word elsewhere'))).toBe(false);
    expect(isNoGroupError('NOGROUP as a string')).toBe(false);
    expect(isNoGroupError({ message: 'NOGROUP' })).toBe(false);
  });

  it('ensureGroup leaves an existing group as it is and rethrows other errors', async () => {
    t = open = createTestBroker(['s']);
    const client = poolClient(t);
    await t.broker.publish('s', 1);
    await t.admin.xgroup('CREATE', t.key('s'), 'g', '$');
    await ensureGroup(client, t.key('s'), 'g');
    const [group] = (await t.admin.xinfo('GROUPS', t.key('s'))) as unknown[][];
    const lastDelivered = group[group.indexOf('last-delivered-id') + 1];
    expect(lastDelivered).not.toBe('0-0'); // still at `$`, not reset to the start
    await t.admin.set(t.key('other'), 'not a stream');
    await expect(ensureGroup(client, t.key('other'), 'g')).rejects.toThrow(/WRONGTYPE/);
  });

  it('acks and deletes batches larger than one script call can take', async () => {
    t = open = createTestBroker(['s']);
    const flusher = t.broker.newFlusher();
    for (let i = 0; i < 9_000; i++) flusher.publish('s', i);
    await flusher.flush();
    const consumer = await t.broker.consumerMany('s', { group: 'g' });
    expect(await consumer.consume(9_000, 0, () => undefined)).toBe(9_000);
    expect(((await t.admin.xpending(t.key('s'), 'g')) as [number])[0]).toBe(0);
    expect(await t.admin.xlen(t.key('s'))).toBe(0);
    const client = poolClient(t);
    await expect(ackAndDelete(client, t.key('s'), 'g', [])).resolves.toBeUndefined();
  });
});
