import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createPool, type Pool } from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryOffsetStore } from './memory-offset-store.js';
import { MysqlOffsetStore } from './mysql-offset-store.js';
import type { LeasingOffsetStore } from './offset-store.js';
import { PostgresOffsetStore } from './postgres-offset-store.js';
import { RedisOffsetStore } from './redis-offset-store.js';

const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const POSTGRES_URL = process.env.FLUX_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const suffix = () => randomUUID().replace(/-/g, '').slice(0, 12);

/** The contract every offset store keeps. */
function behavesAsOffsetStore(create: () => LeasingOffsetStore) {
  it('returns 0 for an unknown name, then what was saved last, per name', async () => {
    const store = create();
    expect(await store.get('never-saved')).toBe(0);
    await store.save('a', 5);
    await store.save('b', 7);
    await store.save('a', 12);
    expect(await store.get('a')).toBe(12);
    expect(await store.get('b')).toBe(7);
  });

  it('keeps positions beyond 32 bits and rejects malformed ones', async () => {
    const store = create();
    await store.save('big', 2 ** 40 + 3);
    expect(await store.get('big')).toBe(2 ** 40 + 3);
    await expect(store.save('bad', -1)).rejects.toThrow(/offset of "bad"/);
    await expect(store.save('bad', Number.NaN)).rejects.toThrow(/non-negative integer/);
    for (const bad of [
      1.5,
      -0.5,
      Infinity,
      Number.MAX_SAFE_INTEGER + 1,
      '3' as unknown as number,
    ]) {
      await expect(store.save('bad', bad), String(bad)).rejects.toMatchObject({
        field: 'offset of "bad"',
      });
    }
    expect(await store.get('bad')).toBe(0);
  });

  it('saves 0 and the largest safe integer', async () => {
    const store = create();
    await store.save('edge', 0);
    expect(await store.get('edge')).toBe(0);
    await store.save('edge', Number.MAX_SAFE_INTEGER);
    expect(await store.get('edge')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('never moves an offset back (a stale replica cannot rewind its successor)', async () => {
    const store = create();
    await store.save('mono', 40);
    await store.save('mono', 25);
    expect(await store.get('mono')).toBe(40);
    await store.save('mono', 41);
    expect(await store.get('mono')).toBe(41);
  });

  it('leases a name to one holder at a time, renewable by it alone, free after expiry or release', async () => {
    const store = create();
    expect(await store.leaseToken('feed')).toBeNull();
    expect(await store.acquireLease('feed', 'a#1', 10_000)).toBe(true);
    expect(await store.acquireLease('feed', 'b#1', 10_000)).toBe(false);
    expect(await store.renewLease('feed', 'b#1', 10_000)).toBe(false);
    expect(await store.renewLease('feed', 'a#1', 10_000)).toBe(true);
    expect(await store.leaseToken('feed')).toBe('a#1');
    await store.releaseLease('feed', 'b#1'); // not b's: kept
    expect(await store.leaseToken('feed')).toBe('a#1');
    await store.releaseLease('feed', 'a#1');
    expect(await store.acquireLease('feed', 'b#1', 300)).toBe(true);
    const deadline = Date.now() + 10_000;
    while (!(await store.acquireLease('feed', 'c#1', 10_000))) {
      if (Date.now() > deadline) throw new Error('the lease of b never expired');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await store.renewLease('feed', 'b#1', 10_000)).toBe(false);
    expect(await store.leaseToken('feed')).toBe('c#1');
    await store.releaseLease('feed', 'c#1');
  });
}

describe('MemoryOffsetStore', () => {
  behavesAsOffsetStore(() => new MemoryOffsetStore());
});

describe('MysqlOffsetStore (MariaDB)', () => {
  let pool: Pool;
  const table = `flux_test_offsets_${suffix()}`;
  beforeAll(() => void (pool = createPool(MYSQL_URL)));
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS \`${table}\`, \`${table}_leases\``);
    await pool.end();
  });

  behavesAsOffsetStore(() => new MysqlOffsetStore(pool, table));

  it('creates its table, and opens (and closes) its own pool from a URL', async () => {
    const own = new MysqlOffsetStore(MYSQL_URL, table);
    await own.save('from-url', 3);
    expect(await new MysqlOffsetStore(pool, table).get('from-url')).toBe(3);
    await own.close();
    // Its own pool is ended: nothing more goes through it.
    await expect(own.get('from-url')).rejects.toThrow(/closed/i);
    const [rows] = await pool.query(`SHOW TABLES LIKE '${table}'`);
    expect(rows).toHaveLength(1);
  });

  it('rejects table names that are not plain identifiers', () => {
    expect(() => new MysqlOffsetStore(pool, 'x; DROP TABLE y')).toThrow(
      'Invalid offset table: "x; DROP TABLE y" must be 1 to 64 letters, digits or underscores',
    );
    expect(new MysqlOffsetStore(pool).table).toBe('flux_feed_offsets');
    expect(() => new MysqlOffsetStore(pool, '')).toThrow(/offset table/);
    expect(() => new MysqlOffsetStore(pool, 'x'.repeat(65))).toThrow(/offset table/);
    expect(new MysqlOffsetStore(pool, 'x'.repeat(64)).table).toBe('x'.repeat(64));
  });

  it('keeps names apart by case and refuses empty or over-long names', async () => {
    const store = new MysqlOffsetStore(pool, table);
    await store.save('Case', 1);
    await store.save('case', 2);
    expect(await store.get('Case')).toBe(1);
    expect(await store.get('case')).toBe(2);
    const long = 'n'.repeat(255);
    await store.save(long, 9);
    expect(await store.get(long)).toBe(9);
    await expect(store.get('')).rejects.toThrow(
      'Invalid consumer name: expected 1 to 255 characters',
    );
    for (const name of ['', 'n'.repeat(256), 7 as unknown as string]) {
      await expect(store.get(name)).rejects.toMatchObject({ field: 'consumer name' });
      await expect(store.save(name, 1)).rejects.toMatchObject({ field: 'consumer name' });
    }
  });

  it('leaves a pool it was given open on close()', async () => {
    const store = new MysqlOffsetStore(pool, table);
    await store.save('shared-pool', 4);
    await store.close();
    const [rows] = await pool.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('retries creating its table after a failed first attempt', async () => {
    const database = `flux_test_offsets_db_${suffix()}`;
    const store = new MysqlOffsetStore(
      `${MYSQL_URL.replace(/\/test$/, '')}/${database}`,
      'offsets',
    );
    try {
      await expect(store.save('late', 1)).rejects.toThrow(/Unknown database/);
      await pool.query(`CREATE DATABASE \`${database}\``);
      await store.save('late', 2);
      expect(await store.get('late')).toBe(2);
    } finally {
      await store.close();
      await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
    }
  });
});

describe('PostgresOffsetStore', () => {
  let pool: pg.Pool;
  const schema = `flux_test_offsets_${suffix()}`;
  const table = `${schema}.offsets`;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: POSTGRES_URL });
    await pool.query(`CREATE SCHEMA "${schema}"`);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  behavesAsOffsetStore(() => new PostgresOffsetStore(pool, table));

  it('creates its table, and opens (and closes) its own pool from a URL', async () => {
    const own = new PostgresOffsetStore(POSTGRES_URL, table);
    await own.save('from-url', 3);
    expect(await new PostgresOffsetStore(pool, table).get('from-url')).toBe(3);
    await own.close();
    const { rows } = await pool.query('SELECT to_regclass($1) AS found', [table]);
    expect(rows[0].found).not.toBeNull();
  });

  it('rejects table names that are not plain identifiers', () => {
    expect(() => new PostgresOffsetStore(pool, 'x; DROP TABLE y')).toThrow(/offset table/);
    expect(() => new PostgresOffsetStore(pool, 'a.b.c')).toThrow(/offset table/);
  });
});

describe('RedisOffsetStore', () => {
  let redis: Redis;
  const prefix = `flux-test:${suffix()}:offset:`;
  beforeAll(() => void (redis = new Redis(REDIS_URL)));
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  behavesAsOffsetStore(() => new RedisOffsetStore(redis, prefix));

  it('writes one plain string key per name under the prefix', async () => {
    await new RedisOffsetStore(redis, prefix).save('plain', 42);
    expect(await redis.get(`${prefix}plain`)).toBe('42');
  });

  it("uses 'flux:feed-offset:' as the default key prefix", async () => {
    const name = `default-prefix-${suffix()}`;
    try {
      await new RedisOffsetStore(redis).save(name, 8);
      expect(await redis.get(`flux:feed-offset:${name}`)).toBe('8');
    } finally {
      await redis.del(`flux:feed-offset:${name}`);
    }
  });

  it('reports a stored value that is not an offset instead of guessing', async () => {
    const store = new RedisOffsetStore(redis, prefix);
    for (const raw of ['abc', '-3', '1.5', '', ' 7', '0x10', '1e3', '9007199254740993']) {
      await redis.set(`${prefix}corrupt`, raw);
      await expect(store.get('corrupt'), raw).rejects.toMatchObject({
        field: 'offset of "corrupt"',
      });
    }
  });
});
