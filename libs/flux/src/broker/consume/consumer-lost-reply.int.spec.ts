import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, REDIS_URL, type TestBroker, waitFor } from '../broker.spec-helpers.js';
import { leaseKeyOf } from './lease-key.js';

/**
 * A read whose reply is lost: Redis ran `XREADGROUP … >` (the messages are now pending for the
 * consumer) but the connection dropped before the reply arrived, and ioredis sent the read again
 * on a new connection. The consumer must re-read its pending messages, not go on with new ones:
 * in single mode nothing else would ever deliver them while it holds the group.
 */

/** A loopback proxy in front of Redis that can swallow the reply to one `XREADGROUP … >`. */
class ReplyEater {
  private armed = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(host: string, port: number): Promise<ReplyEater> {
    const holder: { proxy?: ReplyEater } = {};
    const server = createServer((client) => holder.proxy!.accept(client, host, port));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new ReplyEater(server, (server.address() as { port: number }).port);
    return holder.proxy;
  }

  /** The next `XREADGROUP … >` reaches Redis; its reply does not: the connection is reset. */
  eatNextNewRead(): void {
    this.armed = true;
  }

  get eaten(): boolean {
    return this.armed === false && this.victims > 0;
  }

  private victims = 0;

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    this.sockets.add(client).add(upstream);
    let victim = false;
    client.on('data', (data: Buffer) => {
      const text = data.toString('latin1');
      if (this.armed && /xreadgroup/i.test(text) && text.includes('\r\n>\r\n')) {
        this.armed = false;
        victim = true;
      }
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      if (!victim) return void client.write(data);
      this.victims++;
      client.resetAndDestroy();
      upstream.destroy();
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}

let tb: TestBroker | undefined;
let proxy: ReplyEater | undefined;
afterEach(async () => {
  await tb?.close();
  await proxy?.close();
  tb = proxy = undefined;
});

describe('a read whose reply is lost', () => {
  it.each([
    ['a blocking read', 2_000, false],
    ['a non-blocking read', 0, false],
    ['a read fenced by a lease (MULTI/EXEC)', 2_000, true],
  ])('%s: the delivered messages are re-read next, before new ones', async (_, blockMs, fenced) => {
    const target = new URL(REDIS_URL);
    proxy = await ReplyEater.start(target.hostname, Number(target.port || 6379));
    tb = createTestBroker(['s'], { default: `redis://127.0.0.1:${proxy.port}/0` });
    const fence = { key: leaseKeyOf(tb.key('s'), 'g'), token: 'holder#1' };
    await tb.admin.set(fence.key, fence.token);
    const consumer = fenced
      ? await tb.broker.consumerLeased('s', { group: 'g', name: 'holder', fence })
      : await tb.broker.consumerSingle('s', { group: 'g' });
    const lost = await tb.broker.publish('s', { n: 1 });
    const handled: string[] = [];
    const handler = (events: { id: string }[]) => void handled.push(...events.map((e) => e.id));

    proxy.eatNextNewRead();
    // The read is sent again after the reconnect (nothing new: it waits, then resolves empty).
    await consumer.consume(10, blockMs, handler).catch(() => 0);
    expect(proxy.eaten).toBe(true);
    expect(handled).toEqual([]);
    const [pending] = (await tb.admin.xpending(tb.key('s'), 'g')) as [number];
    expect(pending).toBe(1); // delivered by the read whose reply was lost

    const fresh = await tb.broker.publish('s', { n: 2 });
    await waitFor(
      async () => {
        await consumer.consume(10, 0, handler);
        return handled.length >= 2;
      },
      10_000,
      'both messages handled',
    );
    expect(handled).toEqual([lost, fresh]);
    const [left] = (await tb.admin.xpending(tb.key('s'), 'g')) as [number];
    expect(left).toBe(0);
    await tb.admin.del(fence.key);
  });
});
