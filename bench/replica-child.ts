/**
 * One replica for bench/replicas.bench.ts, in its own process: a Nest application with one
 * `@StreamConsumer` in single mode (raw batches, every body decoded). Prints JSON lines:
 * `{ready}` once bootstrapped, `{first}` (a timestamp) when it handles its first message, and
 * `{done, firstAt, lastAt}` once it handled REPLICA_TARGET messages. SIGTERM closes it gracefully.
 */
import { StreamConsumer, type StreamEvent } from 'nestjs-flux';
import { createFluxApp, type BenchEvent } from './support/index.js';

const env = process.env;
const target = Number(env.REPLICA_TARGET ?? 0);
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

let handled = 0;
let firstAt = 0;

@StreamConsumer('replicas', {
  group: 'bench',
  count: 100,
  block: 100,
  leaseTtl: Number(env.REPLICA_LEASE_TTL ?? 10_000),
})
class ReplicaWorker {
  async handle(events: StreamEvent[]): Promise<void> {
    if (firstAt === 0) {
      firstAt = Date.now();
      say({ first: firstAt, pid: process.pid });
    }
    let sum = 0;
    for (const event of events) sum += event.unserialize<BenchEvent>().seq;
    handled += events.length;
    if (target > 0 && handled >= target && sum >= 0) {
      say({ done: handled, firstAt, lastAt: Date.now(), pid: process.pid });
    }
  }
}

const app = await createFluxApp(
  {
    redis: { default: env.REPLICA_REDIS_URL! },
    keyPrefix: env.REPLICA_PREFIX,
    streams: ['replicas'],
  },
  { providers: [ReplicaWorker] },
);
app.enableShutdownHooks();
say({ ready: true, pid: process.pid });
