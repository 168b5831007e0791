import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, waitFor, type TestBroker } from '../broker.spec-helpers.js';
import { freePort } from '../../../../../test/support/free-port.js';
import { startRedisServer, stopRedisServer } from '../../../../../test/support/redis-server.js';

describe('a consumer across a Redis restart', () => {
  let t: TestBroker | undefined;
  let server: ChildProcess | undefined;
  afterEach(async () => {
    await t?.close();
    if (server) await stopRedisServer(server);
  });

  it('resumes reading after the server restarts empty (group recreated)', async () => {
    const port = await freePort();
    server = await startRedisServer(port);
    const retry = { host: '127.0.0.1', port, retryStrategy: () => 50 };
    t = createTestBroker(['live'], { default: retry });
    const consumer = await t.broker.consumerMany('live');
    const received: unknown[] = [];
    const errors: unknown[] = [];
    let stop = false;
    // What a worker loop does: consume forever, retry after a failure.
    const loop = (async () => {
      while (!stop) {
        try {
          await consumer.consume(10, 500, (events) => {
            for (const event of events) received.push(event.unserialize());
          });
        } catch (error) {
          errors.push(error);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    })();

    await t.broker.publish('live', 'before');
    await waitFor(() => received.includes('before'));
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the loop block again
    await stopRedisServer(server);
    // While the server is down, consume rejects (ioredis gave up on the command) and the loop
    // retries; nothing hangs.
    await waitFor(() => errors.length > 0, 10_000);
    server = await startRedisServer(port); // same port, no data: the group is gone

    await waitFor(async () => {
      // The first publish after the restart may land before the group is recreated; the group
      // starts at 0, so it is delivered either way.
      await t!.broker.publish('live', 'after').catch(() => undefined);
      return received.includes('after');
    }, 15_000);
    stop = true;
    await consumer.close();
    await loop;
    expect(received[0]).toBe('before');
    expect(received).toContain('after');
  });
});
