import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createPool, type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryOffsetStore } from './memory-offset-store.js';
import { MysqlOffsetStore } from './mysql-offset-store.js';
import type { OffsetStore } from './offset-store.js';
import { RedisOffsetStore } from './redis-offset-store.js';

const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const suffix = () => randomUUID().replace(/-/g, '').slice(0, 12);

/** The contract every offset store keeps. */
function behavesAsOffsetStore(create: () => OffsetStore) {
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
    await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
    await pool.end();
  });

  behavesAsOffsetStore(() => new MysqlOffsetStore(pool, table));

  it('creates its table, and opens (and closes) its own pool from a URL', async () => {
    const own = new MysqlOffsetStore(MYSQL_URL, table);
    await own.save('from-url', 3);
    expect(await new MysqlOffsetStore(pool, table).get('from-url')).toBe(3);
    await own.close();
    const [rows] = await pool.query(`SHOW TABLES LIKE '${table}'`);
    expect(rows).toHaveLength(1);
  });

  it('rejects table names that are not plain identifiers', () => {
    expect(() => new MysqlOffsetStore(pool, 'x; DROP TABLE y')).toThrow(/offset table/);
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
});
