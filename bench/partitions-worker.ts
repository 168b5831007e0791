/**
 * A worker process of bench/partitions.bench.ts: one `@StreamConsumer` in mode single on the
 * stream BENCH_STREAM (partitioned when BENCH_PARTITIONS > 0) with `concurrency`
 * BENCH_CONCURRENCY, whose handler waits BENCH_HANDLE_MS per message, like a read model writing
 * to a database. It checks the order per key (a message older than the last one handled for its
 * key is a violation). Prints the partitions it holds as JSON lines, and on SIGTERM the
 * violations, then closes gracefully.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamConsumer, StreamWorkers, type StreamEvent } from 'nestjs-flux';
import { createFluxApp } from './support/index.js';

const env = process.env;
const stream = env.BENCH_STREAM!;
const partitions = Number(env.BENCH_PARTITIONS ?? 0);
const handleMs = Number(env.BENCH_HANDLE_MS ?? 1);
const concurrency = Number(env.BENCH_CONCURRENCY ?? 1);

/** Per key, the (round, seq) of the last message handled. */
const last = new Map<string, number>();
let violations = 0;

@StreamConsumer(stream, { group: 'bench-partitions', count: 100, block: 100, concurrency })
class SlowReadModel {
  async handle(events: StreamEvent[]): Promise<void> {
    for (const event of events) {
      const { key, seq, round } = event.unserialize<{ key: string; seq: number; round: number }>();
      const at = round * 1e9 + seq;
      if (at < (last.get(key) ?? -1)) violations++;
      last.set(key, at);
      await sleep(handleMs);
    }
  }
}

async function main(): Promise<void> {
  const app = await createFluxApp(
    {
      redis: { default: env.BENCH_REDIS_URL! },
      keyPrefix: env.BENCH_PREFIX,
      streams: [partitions > 0 ? { name: stream, partitions } : stream],
    },
    { providers: [SlowReadModel] },
  );
  const workers = app.get(StreamWorkers);
  let last = '';
  const timer = setInterval(() => {
    const held = partitions > 0 ? (workers.partitions()[0]?.held ?? []) : [0];
    const line = JSON.stringify({ held });
    if (line !== last) process.stdout.write(`${line}\n`);
    last = line;
  }, 50);
  process.once('SIGTERM', () => {
    clearInterval(timer);
    process.stdout.write(`${JSON.stringify({ violations })}\n`);
    void app.close().then(() => process.exit(0));
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
