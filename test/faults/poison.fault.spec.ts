import { randomBytes } from 'node:crypto';
import { encode } from '@msgpack/msgpack';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { DomainEvent, EventBroker, EventHandler } from 'nestjs-flux';
import { startFaultApp, type FaultApp } from './support/app.js';
import { REDIS_URL } from './support/env.js';
import { deleteKeys, keyPrefix } from './support/redis-keys.js';
import { report, Tally } from './support/tally.js';
import { StreamConsumer } from 'nestjs-flux';
import { waitUntil } from './support/wait.js';

/**
 * Fault 6: poison messages among good ones — a handler that always throws, bodies that are not
 * msgpack (random bytes, truncated msgpack), a message without a `type` tag, an unknown type.
 * Each is dead-lettered to `<stream>:dead` (throwing ones after `maxDeliveries` attempts,
 * undecodable ones at once) while the worker goes on with every good message, in both modes.
 */
@DomainEvent('PoisonProbe')
class Probe {
  constructor(
    readonly uid: string,
    readonly poison: boolean,
  ) {}
}

const MAX_DELIVERIES = 3;
const state = {
  good: new Map<string, string[]>([
    ['many', []],
    ['single', []],
  ]),
  attempts: new Map<string, number>(),
};

function handle(mode: string, e: Probe) {
  const key = `${mode}:${e.uid}`;
  state.attempts.set(key, (state.attempts.get(key) ?? 0) + 1);
  if (e.poison) throw new Error(`poisoned ${e.uid}`);
  state.good.get(mode)!.push(e.uid);
}

const common = {
  count: 20,
  block: 200,
  maxDeliveries: MAX_DELIVERIES,
  retryDelay: 20,
  maxRetryDelay: 50,
  claimIdle: 2_000,
};

@StreamConsumer('poison-stream', { ...common, group: 'many', mode: 'many', consumers: 2 })
class ManyWorker {
  @EventHandler(Probe) on(e: Probe) {
    handle('many', e);
  }
}

@StreamConsumer('poison-stream', { ...common, group: 'single' })
class SingleWorker {
  @EventHandler(Probe) on(e: Probe) {
    handle('single', e);
  }
}

const GOOD = 400;

describe('fault 6: poison messages', () => {
  const prefix = keyPrefix('poison');
  let fault: FaultApp | undefined;

  afterAll(async () => {
    await fault?.close();
    await deleteKeys(prefix);
  });

  it('dead-letters every poison message after maxDeliveries and processes every good one', async () => {
    fault = await startFaultApp({
      flux: { redis: { default: REDIS_URL }, keyPrefix: prefix, streams: ['poison-stream'] },
      providers: [ManyWorker, SingleWorker],
      workers: true,
    });
    const broker = fault.app.get(EventBroker);
    const raw = new Redis(REDIS_URL);
    const key = `${prefix}poison-stream`;
    const truncated = encode({ uid: 'truncated', poison: false, pad: 'x'.repeat(50) }).subarray(
      0,
      20,
    );
    const poison = {
      throwing: [] as string[],
      undecodable: [] as string[],
      noType: [] as string[],
      unknownType: [] as string[],
    };
    const tallies = {
      many: new Tally('6 good messages (mode many)'),
      single: new Tally('6 good messages (mode single)'),
    };
    for (let i = 0; i < GOOD; i++) {
      const uid = `g${i}`;
      tallies.many.send(uid);
      tallies.single.send(uid);
      await broker.publish('poison-stream', { uid, poison: false }, { type: 'PoisonProbe' });
      if (i % 40 === 0) {
        const n = poison.throwing.length;
        poison.throwing.push(
          await broker.publish(
            'poison-stream',
            { uid: `p${n}`, poison: true },
            { type: 'PoisonProbe' },
          ),
        );
        poison.undecodable.push(
          String(await raw.xadd(key, '*', 'body', neverMsgpack(n), 'type', 'PoisonProbe')),
        );
        poison.undecodable.push(
          String(await raw.xadd(key, '*', 'body', Buffer.from(truncated), 'type', 'PoisonProbe')),
        );
        poison.noType.push(await broker.publish('poison-stream', { uid: `n${n}`, poison: false }));
        poison.unknownType.push(
          await broker.publish('poison-stream', { uid: `u${n}` }, { type: 'NoSuchEvent' }),
        );
      }
    }
    const poisonIds = Object.values(poison).flat();
    const dead = `${prefix}poison-stream:dead`;
    const deadFor = async (group: string) =>
      ((await raw.xrange(dead, '-', '+')) as [string, string[]][])
        .map(([, fields]) => Object.fromEntries(chunk(fields)))
        .filter((tags) => tags.group === group);
    const deadCount: Record<string, number> = {};
    for (const mode of ['many', 'single'] as const) {
      await waitUntil(
        `group ${mode}: every good message processed and every poison one dead-lettered`,
        async () =>
          new Set(state.good.get(mode)).size >= GOOD &&
          (deadCount[mode] = (await deadFor(mode)).length) >= poisonIds.length,
        60_000,
        () =>
          `${new Set(state.good.get(mode)).size}/${GOOD} good, extra ${[...new Set(state.good.get(mode))].filter((u) => !String(u).startsWith('g')).join(',')}, dead ${deadCount[mode]}/${poisonIds.length}`,
      );
    }
    // Wait for the last acks, then look at what is left pending.
    await waitUntil(
      'nothing pending',
      async () =>
        ((await raw.xpending(key, 'many')) as [number])[0] === 0 &&
        ((await raw.xpending(key, 'single')) as [number])[0] === 0,
      10_000,
    );

    for (const mode of ['many', 'single'] as const) {
      const letters = await deadFor(mode);
      const deadIds = letters.map((t) => t.original_id);
      const deadSet = new Set(deadIds);
      state.good.get(mode)!.forEach((uid) => tallies[mode].see(uid));
      const attempts = poison.throwing.map((_, n) => state.attempts.get(`${mode}:p${n}`) ?? 0);
      tallies[mode].report({
        poisonSent: poisonIds.length,
        deadLettered: deadSet.size,
        deadLetterDuplicates: deadIds.length - deadSet.size,
        poisonNotDeadLettered: poisonIds.filter((id) => !deadSet.has(id)).length,
        throwingAttempts: [...new Set(attempts)].join('/'),
        kinds: Object.entries(poison)
          .map(([k, v]) => `${k}:${v.length}`)
          .join(','),
      });
      expect(tallies[mode].lost).toBe(0);
      expect(poisonIds.filter((id) => !deadSet.has(id))).toEqual([]);
      expect(attempts.every((n) => n === MAX_DELIVERIES)).toBe(true);
      // Undecodable and untyped messages carry their reason.
      for (const letter of letters.filter((t) => poison.undecodable.includes(t.original_id))) {
        expect(letter.error).toMatch(/decode|undecodable/i);
      }
    }
    report('6 summary', { good: GOOD, poison: poisonIds.length, maxDeliveries: MAX_DELIVERIES });
    raw.disconnect();
  });
});

function chunk(fields: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < fields.length; i += 2) pairs.push([fields[i], fields[i + 1]]);
  return pairs;
}

/** Random bytes behind 0xc1, the one byte msgpack never uses: no decoder can accept them. */
function neverMsgpack(n: number): Buffer {
  return Buffer.concat([Buffer.from([0xc1]), randomBytes(n % 64)]);
}
