import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBroker, type StreamEvent } from 'nestjs-flux';
import { startFaultApp, type FaultApp } from './support/app.js';
import { ensureBuiltLibrary, REPO_ROOT } from './support/built-library.js';
import { REDIS_URL } from './support/env.js';
import { createBroker, deleteKeys, type TestBroker } from './support/redis-keys.js';
import { Tally } from './support/tally.js';
import { StreamConsumer } from 'nestjs-flux';
import { waitUntil, within } from './support/wait.js';

/**
 * Fault 1: a worker process (a real child process on the built library) is SIGKILLed while it
 * holds a batch it has read but not acknowledged. Another instance (a Nest app with a
 * `@StreamConsumer` of the same group) must claim those messages once they are idle and
 * process every message of the stream.
 */
const SENT = 300;
const HELD = 50;
const seen: string[] = [];

@StreamConsumer('crash-stream', {
  group: 'crash-group',
  mode: 'many',
  consumers: 2,
  count: 20,
  block: 200,
  claimIdle: 1_000,
  retryDelay: 50,
})
class SurvivingWorker {
  async handle(events: StreamEvent[]) {
    for (const e of events) seen.push(e.unserialize<{ uid: string }>().uid);
  }
}

describe('fault 1: a worker process is SIGKILLed while holding a batch', () => {
  let tb: TestBroker | undefined;
  let child: ChildProcess | undefined;
  let fault: FaultApp | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fault?.close();
    await tb?.close();
  });

  it('another instance claims and processes every message', async () => {
    ensureBuiltLibrary();
    tb = createBroker('crash', ['crash-stream']);
    const tally = new Tally('1 worker SIGKILLed holding a batch');
    const publisher = tb.broker.newFlusher();
    for (let i = 0; i < SENT; i++) {
      tally.send(`m${i}`);
      publisher.publish('crash-stream', { uid: `m${i}` });
    }
    await publisher.flush();

    const script = fileURLToPath(new URL('./support/held-batch-worker.mjs', import.meta.url));
    child = spawn(process.execPath, [script], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        FAULT_REDIS_URL: REDIS_URL,
        FAULT_PREFIX: tb.prefix,
        FAULT_STREAM: 'crash-stream',
        FAULT_GROUP: 'crash-group',
        FAULT_COUNT: String(HELD),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    child.stderr!.on('data', (chunk) => (err += chunk));
    await waitUntil(
      'the child to hold a batch',
      () => out.includes('\n'),
      30_000,
      () => err.slice(0, 500),
    );
    const { consumer, held } = JSON.parse(out.split('\n')[0]) as {
      consumer: string;
      held: string[];
    };
    expect(held).toHaveLength(HELD);

    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await within(5_000, 'the child to die', exited);
    const redis = tb.pools.get('default');
    const key = `${tb.prefix}crash-stream`;
    const [pendingAfterKill] = (await redis.xpending(key, 'crash-group')) as [number];
    expect(pendingAfterKill).toBe(HELD);

    // The surviving instance: same Redis, same key prefix, same group.
    fault = await startFaultApp({
      flux: { redis: { default: REDIS_URL }, keyPrefix: tb.prefix, streams: ['crash-stream'] },
      providers: [SurvivingWorker],
      workers: true,
    });
    await waitUntil(
      'every message processed',
      () => new Set(seen).size >= SENT,
      30_000,
      () => `${new Set(seen).size}/${SENT}`,
    );
    seen.forEach((uid) => tally.see(uid));
    const stats = await fault.app.get(EventBroker).getStreamStatistics('crash-stream');
    const deadConsumer = stats?.groups.flatMap((g) => g.consumers).find((c) => c.name === consumer);
    const figures = tally.report({
      heldByKilledWorker: HELD,
      pendingAfterKill,
      pendingAtEnd: stats?.group?.pending ?? -1,
    });

    expect(figures).toMatchObject({ sent: SENT, processed: SENT, lost: 0, duplicates: 0 });
    expect(tally.unknown.size).toBe(0);
    expect(stats?.group?.pending).toBe(0);
    expect(deadConsumer?.pending ?? 0).toBe(0);
    await deleteKeys(tb.prefix);
  });
});
