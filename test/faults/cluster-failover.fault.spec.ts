import 'reflect-metadata';
import { StreamRegistry } from '../../libs/flux/src/broker/registry/stream-registry.js';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Injectable } from '@nestjs/common';
import {
  Aggregate,
  AggregateRoot,
  type AggregateRepository,
  EventBroker,
  EventHandler,
  FluxModule,
  InjectAggregateRepository,
  RelayService,
  ReplicationTimeoutError,
  StreamConsumer,
  type StreamEvent,
} from 'nestjs-flux';
import { FluxTestingModule } from 'nestjs-flux/testing';
import { RedisCluster } from '../support/redis-cluster.js';
import { FaultCredited } from './support/account.js';
import { Tally } from './support/tally.js';
import { waitUntil } from './support/wait.js';

/**
 * A master of a Redis Cluster (3 masters, 3 replicas) is SIGKILLed under two publishers and their
 * workers; its replica is promoted. Both streams carry the hash tag `{failover}`, so both live on
 * the master that is killed. Nothing in the application is restarted: publishing and reading must
 * resume by themselves. A publish to the stream registered `durable` resolves only once a replica
 * holds it: lost 0. The other stream replicates asynchronously: a publish acknowledged by the
 * master in the instant before the kill may be lost; that number is counted and reported.
 */
const DURABLE = '{failover}durable';
const PLAIN = '{failover}plain';
const RELAYED = '{failover}accounts';
const durable = new Tally('cluster failover: durable publishes');
const plain = new Tally('cluster failover: asynchronous publishes');
const relayed = new Tally('cluster failover: relayed events (store -> relay -> workers)');

/** Saved events go to the stream on the master that is killed, through the relay. */
@Aggregate({ name: 'failover-account', stream: RELAYED })
class FailoverAccount extends AggregateRoot {
  credit(amount: number, uid: string) {
    this.apply(new FaultCredited(amount, uid));
  }
  @EventHandler(FaultCredited) onCredited() {}
}

@Injectable()
class Commands {
  constructor(
    @InjectAggregateRepository(FailoverAccount) readonly repo: AggregateRepository<FailoverAccount>,
  ) {}
}

@StreamConsumer(RELAYED, {
  group: 'failover',
  block: 200,
  claimIdle: 1_000,
  retryDelay: 50,
  maxRetryDelay: 500,
})
class RelayedWorker {
  @EventHandler(FaultCredited) credited(e: FaultCredited) {
    relayed.see(e.uid);
  }
}

@StreamConsumer(DURABLE, {
  group: 'failover',
  mode: 'many',
  consumers: 2,
  block: 200,
  claimIdle: 1_000,
  retryDelay: 50,
  maxRetryDelay: 500,
})
class DurableWorker {
  async handle(events: StreamEvent[]) {
    for (const e of events) durable.see(e.unserialize<{ uid: string }>().uid);
  }
}

@StreamConsumer(PLAIN, {
  group: 'failover',
  block: 200,
  claimIdle: 1_000,
  retryDelay: 50,
  maxRetryDelay: 500,
})
class PlainWorker {
  async handle(events: StreamEvent[]) {
    for (const e of events) plain.see(e.unserialize<{ uid: string }>().uid);
  }
}

describe('fault: a cluster master SIGKILLed under publishers and workers', () => {
  let cluster: RedisCluster;
  let app: TestingModule;

  beforeAll(async () => {
    cluster = await RedisCluster.start({ nodeTimeoutMs: 2_000 });
    app = await Test.createTestingModule({
      imports: [
        FluxTestingModule.forRoot({
          redis: { default: { cluster: cluster.urls } },
          streams: [{ name: DURABLE, durable: { replicas: 1, timeoutMs: 2_000 } }, PLAIN, RELAYED],
          relay: { pollInterval: 50, lockTtl: 3_000 },
        }),
        FluxModule.forFeature({ aggregates: [FailoverAccount] }),
      ],
      providers: [DurableWorker, PlainWorker, RelayedWorker, Commands],
    }).compile();
    app.useLogger(false);
    await app.init();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await cluster?.stop();
  });

  it('promotes the replica; durable publishes lost 0, everything resumes by itself', async () => {
    const broker = app.get(EventBroker);
    const prefix = app.get(StreamRegistry).keyPrefix;
    const victim = await cluster.masterOf(`${prefix}${DURABLE}`);
    expect((await cluster.masterOf(`${prefix}${PLAIN}`)).port).toBe(victim.port);
    expect((await cluster.masterOf(`${prefix}${RELAYED}`)).port).toBe(victim.port);

    let publishing = true;
    const attempted = new Set<string>();
    const failures = { durable: 0, plain: 0, replication: 0 };
    /** Publishes uid after uid, each until Redis acknowledges it (at least once). */
    async function publisher(stream: string, tally: Tally, key: 'durable' | 'plain') {
      for (let n = 0; publishing; n++) {
        const uid = `${key}-${n}`;
        attempted.add(uid);
        for (;;) {
          try {
            await broker.publish(stream, { uid });
            tally.send(uid);
            break;
          } catch (error) {
            failures[key]++;
            if (error instanceof ReplicationTimeoutError) failures.replication++;
            if (!publishing) break;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      }
    }
    /** Saves one event after another to the store (the source of truth): all must be relayed. */
    async function saver() {
      const repo = app.get(Commands).repo;
      for (let n = 0; publishing; n++) {
        const account = repo.create(`acc-${n % 20}-${n}`);
        account.credit(1, `r-${n}`);
        await repo.save(account);
        relayed.send(`r-${n}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    const publishers = [
      publisher(DURABLE, durable, 'durable'),
      publisher(PLAIN, plain, 'plain'),
      saver(),
    ];

    await waitUntil(
      'publishing under way',
      () => durable.sent.size >= 200 && plain.sent.size >= 200 && relayed.processed >= 100,
      20_000,
    );
    const sentBeforeKill = { durable: durable.sent.size, plain: plain.sent.size };
    const killedAt = Date.now();
    await cluster.killNode(victim.port);
    await cluster.waitServing(3, 30_000);
    const promotedAfterMs = Date.now() - killedAt;
    // The promoted master has no replica of its own: the asynchronous stream goes on, while a
    // durable publish fails (ReplicationTimeoutError, the publisher retries) until one exists.
    await waitUntil(
      'asynchronous publishes acknowledged again after the failover',
      () => plain.sent.size >= sentBeforeKill.plain + 200,
      30_000,
    );
    // The killed node comes back (empty) and rejoins as the new master's replica.
    await cluster.restartNode(victim.port);
    const afterRejoin = durable.sent.size;
    await waitUntil(
      'durable publishes acknowledged again once the master has a replica',
      () => durable.sent.size >= afterRejoin + 200,
      30_000,
    );
    publishing = false;
    await Promise.all(publishers);

    await waitUntil(
      'every saved event relayed and handled',
      () => relayed.complete(),
      30_000,
      () => `lost ${relayed.lost}, relay ${JSON.stringify(app.get(RelayService).statuses())}`,
    );
    await waitUntil(
      'every durable publish handled',
      () => durable.complete(),
      30_000,
      () => `lost ${durable.lost}`,
    );
    // The asynchronous stream: wait until its group has nothing left to read, then count.
    await waitUntil(
      'the plain stream drained',
      async () => {
        const stats = await broker.getStreamStatistics(PLAIN);
        return stats?.group?.lag === 0 && stats.group.pending === 0;
      },
      30_000,
    );
    // Handlers may also see messages whose publish was not acknowledged (written, then the
    // reply or the replica's acknowledgement was lost): retried publishes, never invented ones.
    // (A handler may also see a message before its publish resolves: unknown only until then.)
    const unacknowledged = (t: Tally) => [...t.unknown].filter((uid) => !t.sent.has(uid));
    for (const uid of [...unacknowledged(durable), ...unacknowledged(plain)])
      expect(attempted).toContain(uid);
    const figures = durable.report({
      promotedAfterMs,
      publishFailures: failures.durable,
      replicationTimeouts: failures.replication,
      seenUnacknowledged: unacknowledged(durable).length,
    });
    plain.report({
      publishFailures: failures.plain,
      seenUnacknowledged: unacknowledged(plain).length,
    });
    const relayFigures = relayed.report();
    expect(figures.lost).toBe(0);
    expect(relayFigures.lost).toBe(0);
    // The asynchronous stream's loss is reported above, not asserted: it depends on timing.
  });
});
