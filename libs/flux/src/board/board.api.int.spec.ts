import 'reflect-metadata';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BoardApp,
  seedDeadLetters,
  seedEvents,
  startBoardApp,
  XSS,
} from './board.spec-helpers.js';

const apps: BoardApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(...args: Parameters<typeof startBoardApp>) {
  const app = await startBoardApp(...args);
  apps.push(app);
  return app;
}

const mutating = { 'x-flux-board': '1' };

async function call(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    body: text.startsWith('{') ? JSON.parse(text) : text,
    headers: res.headers,
  };
}

describe('board API: streams', () => {
  it('reports length, groups with lag and pending, and consumers with idle times', async () => {
    const { broker, boardUrl } = await start();
    for (const n of [1, 2, 3]) await broker.publish('orders', { n }, { type: 'OrderPlaced' });
    const billing = await broker.consumerSingle('orders', { group: 'billing' });
    const failing = billing.consume(1, 100, () => Promise.reject(new Error('not yet')));
    await expect(failing).rejects.toThrow('not yet');
    await broker.consumerSingle('orders', { group: 'shipping' });

    const { status, body } = await call(`${boardUrl}/api/streams`);
    expect(status).toBe(200);
    expect(body.streams.map((s: { stream: string }) => s.stream)).toEqual(['orders', 'payments']);
    const [orders, payments] = body.streams;
    expect(orders).toMatchObject({ pool: 'default', exists: true, len: 3, deadLetters: 0 });
    // Just published: the oldest entry is seconds old, not hours (an unset value reads as 0 or NaN).
    expect(orders.oldestEventSeconds).toBeGreaterThanOrEqual(0);
    expect(orders.oldestEventSeconds).toBeLessThan(300);
    expect(orders.groups).toHaveLength(2);
    expect(orders.groups[0]).toMatchObject({ group: 'billing', lag: 2, pending: 1 });
    expect(orders.groups[0].consumers).toEqual([
      { name: 'consumer-single', pending: 1, idle: expect.any(Number) },
    ]);
    expect(orders.groups[1]).toMatchObject({
      group: 'shipping',
      lag: 3,
      pending: 0,
      consumers: [],
    });
    expect(payments).toMatchObject({ exists: false, len: 0, groups: [], deadLetters: 0 });
  });
});

describe('board API: dead letters', () => {
  it('peeks with decoded bodies, pages, replays with the original body and tags, deletes', async () => {
    const { broker, boardUrl, admin, prefix } = await start();
    const [first, second, third] = await seedDeadLetters(broker, [
      { amount: 5, note: XSS },
      { amount: 6 },
      { amount: 7 },
    ]);
    const dead = `${boardUrl}/api/streams/payments/dead`;

    const page1 = await call(`${dead}?limit=2`);
    expect(page1.body).toMatchObject({ stream: 'payments', total: 3, next: second });
    expect(page1.body.letters[0]).toMatchObject({
      id: first,
      error: `Error: card declined ${XSS}`,
      originalStream: 'payments',
      group: 'ledger',
      consumer: 'consumer-single',
      tags: { type: 'PaymentFailed', aggregate_id: 'pay-1' },
      body: { amount: 5, note: XSS },
    });
    expect(page1.body.letters[0].originalId).toMatch(/^\d+-\d+$/);
    const page2 = await call(`${dead}?after=${page1.body.next}&limit=2`);
    expect(page2.body.letters.map((l: { id: string }) => l.id)).toEqual([third]);
    expect(page2.body.next).toBeNull();
    expect((await call(`${boardUrl}/api/streams`)).body.streams[1].deadLetters).toBe(3);

    const replayed = await call(`${dead}/${first}/replay`, { method: 'POST', headers: mutating });
    expect(replayed.status).toBe(200);
    expect(replayed.body.id).toMatch(/^\d+-\d+$/);
    // Read back through the group that dead-lettered it: the replay must land on `payments`.
    const back = await broker.consumerSingle('payments', { group: 'ledger' });
    const delivered: { id: string; body: unknown; tags: Record<string, string> }[] = [];
    const handled = await back.consume(10, 100, (events) => {
      for (const event of events) {
        delivered.push({ id: event.id, body: event.unserialize(), tags: { ...event.tags } });
      }
    });
    expect(handled).toBe(1);
    expect(delivered).toEqual([
      {
        id: replayed.body.id,
        body: { amount: 5, note: XSS },
        tags: { type: 'PaymentFailed', aggregate_id: 'pay-1' },
      },
    ]);
    expect(await admin.xlen(`${prefix}payments:dead`)).toBe(2);
    const again = await call(`${dead}/${first}/replay`, { method: 'POST', headers: mutating });
    expect(again.status).toBe(404);

    expect((await call(`${dead}/${second}`, { method: 'DELETE', headers: mutating })).status).toBe(
      200,
    );
    expect((await call(`${dead}/${second}`, { method: 'DELETE', headers: mutating })).status).toBe(
      404,
    );
    expect((await call(dead)).body.letters.map((l: { id: string }) => l.id)).toEqual([third]);
  });

  it('refuses mutations without the board header, GET for mutations, bad ids and unknown streams', async () => {
    const { broker, boardUrl, admin, prefix } = await start();
    const [id] = await seedDeadLetters(broker, [{ amount: 1 }]);
    const dead = `${boardUrl}/api/streams/payments/dead`;
    expect((await call(`${dead}/${id}/replay`, { method: 'POST' })).status).toBe(403);
    expect((await call(`${dead}/${id}`, { method: 'DELETE' })).status).toBe(403);
    expect((await call(`${dead}/${id}/replay`)).status).toBe(404);
    expect(await admin.xlen(`${prefix}payments:dead`)).toBe(1);
    expect((await call(`${dead}/nope/replay`, { method: 'POST', headers: mutating })).status).toBe(
      400,
    );
    expect((await call(`${dead}?limit=0`)).status).toBe(400);
    const unknown = await call(`${boardUrl}/api/streams/ghost/dead`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('"ghost" is not registered');
  });
});

describe('board API: events', () => {
  it('pages the global log newest first by position', async () => {
    const { store, boardUrl } = await start();
    await seedEvents(store);
    const latest = await call(`${boardUrl}/api/events?limit=2`);
    expect(latest.body.lastPosition).toBe(5);
    expect(latest.body.events.map((e: { position: number }) => e.position)).toEqual([5, 4]);
    expect(latest.body.events[0]).toMatchObject({
      aggregateId: 'acc-1',
      aggregateName: 'account',
      version: 3,
      type: 'AccountDebited',
      data: { amount: 120 },
    });
    const older = await call(`${boardUrl}/api/events?limit=2&before=${latest.body.older}`);
    expect(older.body.events.map((e: { position: number }) => e.position)).toEqual([3, 2]);
    const oldest = await call(`${boardUrl}/api/events?limit=2&before=${older.body.older}`);
    expect(oldest.body.events.map((e: { position: number }) => e.position)).toEqual([1]);
    expect(oldest.body.older).toBeNull();
    expect((await call(`${boardUrl}/api/events?before=abc`)).status).toBe(400);
  });

  it("shows one aggregate's history oldest first, paged by version", async () => {
    const { store, boardUrl } = await start();
    await seedEvents(store);
    const page = await call(`${boardUrl}/api/aggregates/acc-1/events?limit=2`);
    expect(page.body.events.map((e: { type: string }) => e.type)).toEqual([
      'AccountOpened',
      'AccountCredited',
    ]);
    expect(page.body.next).toBe(3);
    const rest = await call(`${boardUrl}/api/aggregates/acc-1/events?fromVersion=3`);
    expect(rest.body.events.map((e: { version: number }) => e.version)).toEqual([3]);
    expect(rest.body.next).toBeNull();
  });
});

@Injectable()
class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

describe('board guards', () => {
  it('a rejecting guard class answers 403 on the page and every route', async () => {
    const { boardUrl } = await start({ guards: [DenyAll] });
    for (const path of ['', '/api/streams', '/api/events', '/api/aggregates/a/events']) {
      expect((await call(`${boardUrl}${path}`)).status).toBe(403);
    }
    const post = await call(`${boardUrl}/api/streams/payments/dead/1-0/replay`, {
      method: 'POST',
      headers: mutating,
    });
    expect(post.status).toBe(403);
  });

  it('a guard instance lets authorised requests through', async () => {
    const token: CanActivate = {
      canActivate: (ctx: ExecutionContext) =>
        ctx.switchToHttp().getRequest().headers.authorization === 'Bearer s3cret',
    };
    const { boardUrl } = await start({ guards: [token], path: 'ops/board' });
    expect((await call(`${boardUrl}/api/streams`)).status).toBe(403);
    const ok = await call(`${boardUrl}/api/streams`, {
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(ok.status).toBe(200);
  });

  it('serves the page with a strict Content-Security-Policy', async () => {
    const { boardUrl } = await start();
    const page = await call(boardUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(
      /default-src 'none'; script-src 'sha256-/,
    );
    expect(page.body).toContain('<title>Flux board</title>');
  });
});
