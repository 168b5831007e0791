import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule as CommandAppModule } from '../../bank-command/src/app.module.js';
import { waitFor } from '../../demo/src/http-client.js';
import { AppModule } from './app.module.js';
import { loadReadConfig } from './read.config.js';

/** Both services in one process, embedded defaults: memory stores, the read side on the feed. */
describe('bank-read following the feed of bank-command', () => {
  let commandApp: INestApplication;
  let readApp: INestApplication;
  const command = () => request(commandApp.getHttpServer());
  const read = () => request(readApp.getHttpServer());

  beforeAll(async () => {
    const commandRef = await Test.createTestingModule({
      imports: [CommandAppModule.forRoot({ port: 0, host: '127.0.0.1' })],
    }).compile();
    commandApp = commandRef.createNestApplication();
    await commandApp.listen(0, '127.0.0.1');
    const { port } = commandApp.getHttpServer().address() as AddressInfo;
    const config = loadReadConfig({
      COMMAND_URL: `http://127.0.0.1:${port}`,
      FEED_INTERVAL_MS: '50',
    });
    const readRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config)],
    }).compile();
    readApp = await readRef.createNestApplication().init();
  });

  afterAll(async () => {
    await readApp?.close();
    await commandApp?.close();
  });

  it('projects balances, lists the top ones and reports its position', async () => {
    await command().post('/accounts').send({ id: 'r1', owner: 'ann' }).expect(201);
    await command().post('/accounts').send({ id: 'r2', owner: 'bob' }).expect(201);
    await command().post('/accounts/r1/credit').send({ amount: 700 }).expect(200);
    await command().post('/accounts/r2/credit').send({ amount: 900 }).expect(200);
    await command().post('/accounts/r2/debit').send({ amount: 100 }).expect(200);

    await waitFor(
      'r2 at version 3',
      async () => (await read().get('/balances/r2')).body.version === 3,
    );
    expect((await read().get('/balances/r1')).body).toMatchObject({
      owner: 'ann',
      balance: 700,
      version: 2,
    });
    expect((await read().get('/balances?top=2')).body.map((b: { id: string }) => b.id)).toEqual([
      'r2',
      'r1',
    ]);
    expect((await read().get('/health')).body).toMatchObject({
      status: 'ok',
      mode: 'feed',
      accounts: 2,
      lastPosition: 5,
    });
  });

  it('answers 404 for an account it has not seen and 400 for a bad top', async () => {
    await read().get('/balances/nobody').expect(404);
    await read().get('/balances?top=0').expect(400);
    await read().get('/balances?top=abc').expect(400);
  });
});
