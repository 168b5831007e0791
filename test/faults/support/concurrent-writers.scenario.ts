import { decode } from '@msgpack/msgpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, PoolClient, StoredEvent } from 'nestjs-flux';
import { MessageCodec } from '../../../libs/flux/src/broker/codec/message-codec.js';
import { EventRelay } from '../../../libs/flux/src/relay/event-relay.js';
import { WRITER_EVENTS } from './env.js';
import { createBroker, type TestBroker } from './redis-keys.js';
import { report, Tally } from './tally.js';
import { waitUntil } from './wait.js';

const WRITERS = 16;
const HOT = 8;

/** The event store under test and how to open and remove it. */
export interface WritersScenario {
  /** Describe title, e.g. 'fault 4 (PostgreSQL)'. */
  title: string;
  /** Label of the reported figures, e.g. '4pg'. */
  label: string;
  brokerName: string;
  /** Prefix of the aggregate ids, unique to the run. */
  idPrefix: string;
  open(): Promise<EventStore>;
  drop(): Promise<void>;
}

/**
 * Fault 4, for any event store: 16 concurrent writers append WRITER_EVENTS events (batches of
 * 1–10, a quarter of them on shared hot aggregates with expectedVersion 'any') while a reader
 * tails the global log and the relay publishes it to a Redis stream. Nothing may be skipped or
 * duplicated, positions must strictly increase, and the stream must hold every event in position
 * order.
 */
export function describeConcurrentWriters(scenario: WritersScenario): void {
  describe(`${scenario.title}: 16 concurrent writers, a tailing reader and the relay`, () => {
    let store: EventStore;
    let tb: TestBroker;
    let relayRedis: PoolClient;
    let relay: EventRelay | undefined;

    beforeAll(async () => {
      store = await scenario.open();
      tb = createBroker(scenario.brokerName, ['writer-events']);
      relayRedis = tb.pools.get('default');
    });

    afterAll(async () => {
      await relay?.stop().catch(() => undefined);
      await store?.close();
      await tb?.close();
      await scenario.drop();
    });

    it(`stores, tails and relays ${WRITER_EVENTS} events without a gap or a duplicate`, async () => {
      relay = new EventRelay({
        store,
        registry: tb.registry,
        codec: new MessageCodec(),
        redis: relayRedis,
        name: 'account',
        keyPrefix: tb.prefix,
        lockTtl: 10_000,
        streams: new Map([['account', 'writer-events']]),
        batchSize: 1000,
        pollInterval: 50,
      });
      relay.start();

      const tail = new Tally(`${scenario.label} tailing reader`);
      let writing = true;
      let lastPosition = 0;
      let outOfOrder = 0;
      let gaps = 0;
      const reader = (async () => {
        for (;;) {
          const page = await store.readAll({ after: lastPosition, limit: 1000 });
          for (const event of page) {
            if (event.position <= lastPosition) outOfOrder++;
            else if (event.position !== lastPosition + 1) gaps++;
            lastPosition = Math.max(lastPosition, event.position);
            tail.see(event.data.uid);
          }
          if (page.length === 0) {
            if (!writing) return;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
      })();

      let claimed = 0;
      const claim = (n: number) => {
        const start = claimed;
        claimed = Math.min(WRITER_EVENTS, claimed + n);
        return claimed - start;
      };
      const started = Date.now();
      let appends = 0;
      const writer = async (w: number) => {
        const versions = new Map<string, number>();
        for (let seq = 0; ;) {
          const size = claim(1 + Math.floor(Math.random() * 10));
          if (size === 0) return;
          const hot = Math.random() < 0.25;
          const id = hot ? `hot-${Math.floor(Math.random() * HOT)}` : `w${w}-${seq % 40}`;
          const events = Array.from({ length: size }, () => {
            const uid = `${w}:${seq++}`;
            tail.send(uid);
            return { type: 'Credited', data: { uid, amount: 1 } };
          });
          const expectedVersion = hot ? ('any' as const) : (versions.get(id) ?? 0);
          const stored = await store.append(`${scenario.idPrefix}${id}`, events, {
            expectedVersion,
            aggregateName: 'account',
          });
          appends++;
          if (!hot) versions.set(id, stored[stored.length - 1].version);
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      const writeMs = Date.now() - started;
      writing = false;
      await reader;

      // The whole log, read again from the start: what the tailing reader must have seen.
      const full: StoredEvent[] = [];
      for (let after = 0; ;) {
        const page = await store.readAll({ after, limit: 5000 });
        if (page.length === 0) break;
        full.push(...page);
        after = page[page.length - 1].position;
      }
      const tailed = new Set<string>();
      // Recount from the tally: every full-log event must be one the reader saw.
      const skipped = full.filter((e) => !tail.sent.has(e.data.uid)).length;
      for (const e of full) tailed.add(e.data.uid);
      const logDuplicates = full.length - tailed.size;

      // The relay: every event on the stream, in position order (duplicates allowed, counted).
      const relayTally = new Tally(`${scenario.label} relay`);
      for (const e of full) relayTally.send(e.data.uid);
      const key = `${tb.prefix}writer-events`;
      await waitUntil(
        'the relay to publish the whole log',
        async () => (await relayRedis.xlen(key)) >= full.length,
        120_000,
      );
      await waitUntil(
        'the relay checkpoint',
        () => relay!.status.checkpoint === full.at(-1)!.position,
        30_000,
      );
      let relayOrder = 0;
      let previous = 0;
      for (let start = '-'; ;) {
        const entries = (await relayRedis.xrangeBuffer(
          key,
          start,
          '+',
          'COUNT',
          5000,
        )) as unknown as [Buffer, Buffer[]][];
        const fresh = start === '-' ? entries : entries.slice(1);
        if (fresh.length === 0) break;
        for (const [, fields] of fresh) {
          const map = new Map<string, Buffer>();
          for (let i = 0; i < fields.length; i += 2) map.set(fields[i].toString(), fields[i + 1]);
          const position = Number(map.get('position')!.toString());
          if (position <= previous) relayOrder++;
          previous = position;
          relayTally.see((decode(map.get('body')!) as { uid: string }).uid);
        }
        start = entries[entries.length - 1][0].toString();
      }

      const figures = tail.report({
        appends,
        writeMs,
        eventsPerSecond: Math.round((WRITER_EVENTS / writeMs) * 1000),
        skipped,
        logDuplicates,
        outOfOrder,
        positionGaps: gaps,
      });
      relayTally.report({ outOfOrder: relayOrder });
      report(`${scenario.label} summary`, {
        events: WRITER_EVENTS,
        writers: WRITERS,
        logLength: full.length,
      });

      expect(full.length).toBe(WRITER_EVENTS);
      expect(figures).toMatchObject({
        sent: WRITER_EVENTS,
        processed: WRITER_EVENTS,
        lost: 0,
        duplicates: 0,
      });
      expect({ skipped, logDuplicates, outOfOrder, gaps }).toEqual({
        skipped: 0,
        logDuplicates: 0,
        outOfOrder: 0,
        gaps: 0,
      });
      expect(tail.unknown.size).toBe(0);
      expect(relayTally.lost).toBe(0);
      expect(relayOrder).toBe(0);
    });
  });
}
