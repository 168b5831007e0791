import { Injectable } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AggregateRepository,
  EventBroker,
  EventHandler,
  EventStore,
  InjectAggregateRepository,
  RelayService,
  type StreamEvent,
} from 'nestjs-flux';
import { startFaultApp, type FaultApp } from './support/app.js';
import { FaultCredited, FaultOpened, StreamedAccount } from './support/account.js';
import { OwnRedis } from './support/redis-server.js';
import { Tally } from './support/tally.js';
import { StreamConsumer, StreamWorkers } from 'nestjs-flux';
import { waitUntil, within } from './support/wait.js';

/**
 * Fault 2: the Redis server (the test's own, append-only file on) is SIGKILLed and restarted on
 * the same port while commands are saved (the relay publishes them), a publisher writes to a
 * second stream and workers consume both; later every normal client connection is killed
 * (CLIENT KILL TYPE normal). Nothing is restarted in the application: relay and workers must
 * resume by themselves and every event must be processed.
 */
const seen = { relayed: [] as string[], direct: [] as string[] };

@StreamConsumer('fault-accounts', {
  group: 'restart-relayed',
  mode: 'many',
  consumers: 2,
  block: 200,
  claimIdle: 1_000,
  retryDelay: 50,
  maxRetryDelay: 500,
})
class RelayedWorker {
  @EventHandler(FaultOpened) opened(_e: FaultOpened, msg: StreamEvent) {
    seen.relayed.push(msg.tag('event_id')!);
  }
  @EventHandler(FaultCredited) credited(_e: FaultCredited, msg: StreamEvent) {
    seen.relayed.push(msg.tag('event_id')!);
  }
}

@StreamConsumer('fault-direct', {
  group: 'restart-direct',
  block: 200,
  claimIdle: 1_000,
  retryDelay: 50,
  maxRetryDelay: 500,
})
class DirectWorker {
  async handle(events: StreamEvent[]) {
    for (const e of events) seen.direct.push(e.unserialize<{ uid: string }>().uid);
  }
}

@Injectable()
class Commands {
  constructor(
    @InjectAggregateRepository(StreamedAccount) readonly repo: AggregateRepository<StreamedAccount>,
  ) {}
}

const COMMANDS = 600;
const DIRECT = 600;

describe('fault 2: Redis killed and restarted, client connections killed', () => {
  let redis: OwnRedis;
  let fault: FaultApp;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    fault = await startFaultApp({
      flux: {
        redis: { default: redis.url },
        streams: ['fault-accounts', 'fault-direct'],
        relay: { pollInterval: 50, lockTtl: 3_000 },
      },
      aggregates: [StreamedAccount],
      providers: [Commands, RelayedWorker, DirectWorker],
      workers: true,
    });
  });

  /** The delayed restart, awaited before the server is destroyed so none is left behind. */
  let restarting: Promise<void> | undefined;

  afterAll(async () => {
    await restarting?.catch(() => undefined);
    await fault?.close();
    await redis?.destroy();
  });

  it('relay, publisher and workers resume by themselves; nothing is lost', async () => {
    const repo = fault.app.get(Commands).repo;
    const broker = fault.app.get(EventBroker);
    const store = fault.app.get(EventStore);
    const admin = redis.client();
    const relayed = new Tally('2 relayed (store → relay → workers)');
    const direct = new Tally('2 direct (publish → worker)');
    const faults: string[] = [];
    let publishRetries = 0;

    const publisher = (async () => {
      for (let i = 0; i < DIRECT; i++) {
        const uid = `d${i}`;
        direct.send(uid);
        // The publisher's contract: retry until publish resolves (at least once).
        for (;;) {
          try {
            await within(15_000, `publish ${uid}`, broker.publish('fault-direct', { uid }));
            break;
          } catch {
            publishRetries++;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();

    for (let i = 0; i < COMMANDS; i++) {
      if (i === 200) {
        await redis.kill();
        faults.push('SIGKILL');
        // Commands go on while Redis is down: the store is the source of truth.
        restarting = new Promise((resolve) => setTimeout(resolve, 1_000))
          .then(() => redis.restart())
          .then(() => void faults.push('restarted'));
      }
      if (i === 400) {
        await waitUntil('redis restarted', () => faults.includes('restarted'), 15_000);
        // Kill once the app has reconnected: its workers block on their own connections.
        await waitUntil(
          'the app to reconnect',
          async () => countClients(String(await admin.client('LIST'))) >= 4,
          15_000,
        );
        const before = countClients(String(await admin.client('LIST')));
        const killed = await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
        faults.push(`CLIENT KILL TYPE normal: ${killed} of ${before} connections`);
      }
      const acc = repo.create(`acc-${i}`);
      acc.open(`o${i}`);
      acc.credit(1, `c${i}`);
      await repo.save(acc);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await publisher;

    const log = await store.readAll();
    for (const e of log) relayed.send(e.eventId);
    await waitUntil(
      'the workers to see every relayed event',
      () => new Set(seen.relayed).size >= log.length,
      60_000,
      () => `${new Set(seen.relayed).size}/${log.length}`,
    );
    await waitUntil(
      'the worker to see every published message',
      () => new Set(seen.direct).size >= DIRECT,
      60_000,
      () => `${new Set(seen.direct).size}/${DIRECT}`,
    );
    seen.relayed.forEach((id) => relayed.see(id));
    seen.direct.forEach((uid) => direct.see(uid));
    const statuses = fault.app.get(StreamWorkers).status();
    const relay = fault.app.get(RelayService).statuses();
    admin.disconnect();

    relayed.report({ faults: faults.join(' / '), relayPublished: relay.default?.published ?? -1 });
    direct.report({ publishRetries });
    expect(faults).toEqual(expect.arrayContaining(['SIGKILL', 'restarted']));
    expect(faults.some((f) => /CLIENT KILL TYPE normal: [1-9]/.test(f))).toBe(true);
    expect(relayed.lost).toBe(0);
    expect(direct.lost).toBe(0);
    expect(relayed.unknown.size + direct.unknown.size).toBe(0);
    expect(statuses.every((s) => s.running && s.connected)).toBe(true);
    expect(relay.default?.lastError ?? null).toBeNull();
  });
});

/** Connections in a CLIENT LIST reply, not counting the one that asked. */
function countClients(list: string): number {
  return list.split('\n').filter((line) => line.includes('addr=')).length - 1;
}
