import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from './app.module.js';

describe('AccountsController (memory store)', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  let n = 0;
  const open = async (owner = 'ann') => {
    const id = `acc-${++n}`;
    await http().post('/accounts').send({ id, owner }).expect(201);
    return id;
  };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot({ port: 0, host: '127.0.0.1' })],
    }).compile();
    app = await moduleRef.createNestApplication().init();
  });
  afterAll(() => app?.close());

  it('opens an account with a given or a generated id', async () => {
    const res = await http().post('/accounts').send({ id: 'given-1', owner: 'ann' }).expect(201);
    expect(res.body).toEqual({ id: 'given-1', owner: 'ann', balance: 0, version: 1 });
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe('/accounts/given-1');
    const generated = await http().post('/accounts').send({ owner: 'bob' }).expect(201);
    expect(generated.body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a second account with the same id (409) and a bad body (400)', async () => {
    const id = await open();
    const res = await http().post('/accounts').send({ id, owner: 'x' }).expect(409);
    expect(res.body.message).toBe(`Account "${id}" already exists.`);
    await http().post('/accounts').send({ owner: '' }).expect(400);
    await http().post('/accounts').send({ owner: 'x', id: 'no spaces' }).expect(400);
  });

  it('credits and debits in integer cents, refusing other amounts (400)', async () => {
    const id = await open();
    await http().post(`/accounts/${id}/credit`).send({ amount: 1000 }).expect(200);
    const res = await http().post(`/accounts/${id}/debit`).send({ amount: 300 }).expect(200);
    expect(res.body).toMatchObject({ balance: 700, version: 3 });
    for (const amount of [0, -1, 1.5, '10', null, 2 ** 60]) {
      await http().post(`/accounts/${id}/credit`).send({ amount }).expect(400);
    }
    await http().post(`/accounts/${id}/debit`).send({}).expect(400);
  });

  it('refuses an overdraft with 422 and says why', async () => {
    const id = await open();
    await http().post(`/accounts/${id}/credit`).send({ amount: 100 }).expect(200);
    const res = await http().post(`/accounts/${id}/debit`).send({ amount: 101 }).expect(422);
    expect(res.body.message).toMatch(/Insufficient funds.*balance of 100 cents.*101 cents/);
    expect((await http().get(`/accounts/${id}`)).body.balance).toBe(100);
  });

  it('answers 404 for an unknown account', async () => {
    const res = await http().get('/accounts/nobody').expect(404);
    expect(res.body.message).toBe('Account "nobody" does not exist.');
    await http().post('/accounts/nobody/credit').send({ amount: 1 }).expect(404);
  });

  it('serves the version as ETag and honours If-None-Match', async () => {
    const id = await open();
    const res = await http().get(`/accounts/${id}`).expect(200);
    expect(res.headers.etag).toBe('"1"');
    await http().get(`/accounts/${id}`).set('If-None-Match', '"1"').expect(304);
  });

  it('applies a command with a matching If-Match or expectedVersion, else 409', async () => {
    const id = await open();
    await http()
      .post(`/accounts/${id}/credit`)
      .set('If-Match', '"1"')
      .send({ amount: 5 })
      .expect(200);
    const stale = await http()
      .post(`/accounts/${id}/credit`)
      .set('If-Match', '"1"')
      .send({ amount: 5 });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/version 2, not the expected 1/);
    await http().post(`/accounts/${id}/debit`).send({ amount: 5, expectedVersion: 1 }).expect(409);
    await http().post(`/accounts/${id}/debit`).send({ amount: 5, expectedVersion: 2 }).expect(200);
    await http()
      .post(`/accounts/${id}/debit`)
      .set('If-Match', 'abc')
      .send({ amount: 1 })
      .expect(400);
  });

  it('retries conflicts of concurrent commands without If-Match', async () => {
    const id = await open();
    const replies = await Promise.all(
      Array.from({ length: 25 }, () => http().post(`/accounts/${id}/credit`).send({ amount: 10 })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(25).fill(200));
    expect((await http().get(`/accounts/${id}`)).body).toMatchObject({ balance: 250, version: 26 });
  });

  it('mounts the event feed', async () => {
    const id = await open('feed');
    const res = await http().get('/events?limit=1000').expect(200);
    const mine = res.body.events.filter((e: { aggregate_id: string }) => e.aggregate_id === id);
    expect(mine).toMatchObject([
      {
        event_type: 'AccountOpened',
        aggregate_name: 'account',
        aggregate_version: 1,
        data: { owner: 'feed' },
      },
    ]);
  });
});
