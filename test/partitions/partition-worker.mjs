// A worker process of the partitioned-stream tests, run by `node` on the built library
// (`nestjs-flux` resolves to dist/). A Nest application context with one `@StreamConsumer` on a
// partitioned stream: each message handled is recorded with RPUSH on `<prefix>handled` as
// `key|seq|pid|partition`, in handling order. Every change of the partitions it holds is
// printed as a JSON line; SIGTERM closes the application gracefully. With PW_CLUSTER_URLS (comma
// separated) the pool and the recorder are a Redis Cluster; PW_PARTITIONS=0: an unpartitioned
// stream (a single-mode worker holding the stream's lease, or standing by).
import process from 'node:process';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cluster, Redis } from 'ioredis';
import { FluxModule, StreamConsumer, StreamWorkers } from 'nestjs-flux';

const env = process.env;
const prefix = env.PW_PREFIX;
const stream = env.PW_STREAM;
const handleMs = Number(env.PW_HANDLE_MS ?? 0);
const clusterUrls = env.PW_CLUSTER_URLS?.split(',');
const recorder = clusterUrls ? new Cluster(clusterUrls) : new Redis(env.PW_REDIS_URL);
const partitions = Number(env.PW_PARTITIONS);

class OrderedWorker {
  async handle(events) {
    for (const event of events) {
      if (handleMs > 0) await new Promise((resolve) => setTimeout(resolve, handleMs));
      const { key, seq } = event.unserialize();
      await recorder.rpush(`${prefix}handled`, `${key}|${seq}|${process.pid}|${event.partition}`);
      await event.ack();
    }
  }
}
StreamConsumer(stream, {
  group: env.PW_GROUP,
  mode: 'single',
  count: 10,
  block: 200,
  leaseTtl: Number(env.PW_LEASE_TTL),
  ...(env.PW_CONSUMERS ? { consumers: Number(env.PW_CONSUMERS) } : {}),
})(OrderedWorker);

class AppModule {}
Module({
  imports: [
    FluxModule.forRoot({
      redis: { default: clusterUrls ? { cluster: clusterUrls } : env.PW_REDIS_URL },
      keyPrefix: prefix,
      streams: [partitions > 0 ? { name: stream, partitions } : stream],
    }),
  ],
  providers: [OrderedWorker],
})(AppModule);

// PW_VERBOSE: every log line, on stderr (stdout carries the JSON reports), with its time.
const toStderr = (level) => (message, context) =>
  process.stderr.write(`${new Date().toISOString()} ${level} [${context}] ${message}\n`);
const verbose = { log: toStderr('LOG'), warn: toStderr('WARN'), error: toStderr('ERROR') };
const app = await NestFactory.createApplicationContext(AppModule, {
  logger: env.PW_VERBOSE ? verbose : ['error'],
});
await app.init();
const workers = app.get(StreamWorkers);
let last = '';
const report = setInterval(() => {
  const [status] = workers.partitions();
  if (!status) return; // an unpartitioned stream: the handling log tells who holds it
  const unheld = status.unheld.map((u) => u.partition).sort((a, b) => a - b);
  const line = JSON.stringify({
    pid: process.pid,
    member: status.member,
    held: status.held,
    unheld,
  });
  if (line !== last) process.stdout.write(`${line}\n`);
  last = line;
}, 50);
process.on('SIGTERM', async () => {
  clearInterval(report);
  await app.close();
  await recorder.quit();
  process.stdout.write(`${JSON.stringify({ pid: process.pid, closed: true })}\n`);
  process.exit(0);
});
