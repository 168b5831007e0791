// One replica of a read service for the replica faults, run by `node` on the built library
// (`nestjs-flux` resolves to dist/). A Nest application with one `@StreamConsumer` in single
// mode; its handler appends `<n>:<pid>` to a Redis list for each message, in handling order.
// It prints `batch <first n>` when it starts a batch, `ready` once bootstrapped, and closes
// gracefully on SIGTERM (enableShutdownHooks).
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { FluxModule, StreamConsumer } from 'nestjs-flux';

const env = process.env;
const recorder = new Redis(env.REPLICA_REDIS_URL);
const delayMs = Number(env.REPLICA_DELAY_MS ?? 0);

class ReplicaWorker {
  async handle(events) {
    process.stdout.write(`batch ${events[0].unserialize().n}\n`);
    for (const event of events) {
      if (delayMs > 0) await sleep(delayMs);
      await recorder.rpush(env.REPLICA_LIST, `${event.unserialize().n}:${process.pid}`);
    }
  }

  // Workers stop (batch in hand finished and acked) before this hook runs.
  async onApplicationShutdown() {
    await recorder.quit();
  }
}
StreamConsumer(env.REPLICA_STREAM, {
  group: env.REPLICA_GROUP,
  count: Number(env.REPLICA_COUNT ?? 10),
  block: 200,
  leaseTtl: Number(env.REPLICA_LEASE_TTL),
  retryDelay: 50,
})(ReplicaWorker);

class ReplicaModule {}
Module({
  imports: [
    FluxModule.forRoot({
      redis: { default: env.REPLICA_REDIS_URL },
      keyPrefix: env.REPLICA_PREFIX,
      streams: [env.REPLICA_STREAM],
    }),
  ],
  providers: [ReplicaWorker],
})(ReplicaModule);

const app = await NestFactory.createApplicationContext(ReplicaModule, {
  logger: ['error', 'warn', 'log'],
});
app.enableShutdownHooks();
process.stdout.write('ready\n');
