import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module.js';

describe('command service operations endpoints', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    delete process.env.ADMIN_TOKEN;
    await close?.();
  });

  async function start() {
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot({ port: 0, host: '127.0.0.1' })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    close = () => app.close();
    return app.getHttpServer();
  }

  it('serves health, Prometheus metrics with the library timings, and the board', async () => {
    const server = await start();
    await request(server).post('/accounts').send({ id: 'ops-1', owner: 'Ops' }).expect(201);
    await request(server).get('/accounts/ops-1').expect(200);
    const health = await request(server).get('/health').expect(200);
    expect(health.body.info.flux_event_store.status).toBe('up');
    const metrics = await request(server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /flux_event_store_append_duration_seconds_count\{aggregate="account"\} 1/,
    );
    const board = await request(server).get('/flux').expect(200);
    expect(board.text).toContain('<html');
  });

  it('guards the board and the metrics with ADMIN_TOKEN when it is set', async () => {
    process.env.ADMIN_TOKEN = 'let-me-in';
    const server = await start();
    await request(server).get('/metrics').expect(403);
    await request(server).get('/flux').expect(403);
    await request(server).get('/metrics').set('Authorization', 'Bearer let-me-in').expect(200);
  });
});
