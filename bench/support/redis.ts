import { Redis } from 'ioredis';
import { config } from './config.js';

/** A plain ioredis client for baselines and cleanup (RESP3 is ioredis 6's default). */
export function rawRedis(): Redis {
  const client = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  return client;
}

/** Deletes every key starting with `prefix` (SCAN + UNLINK; never KEYS or FLUSHDB). */
export async function deleteKeys(prefix: string): Promise<number> {
  const client = rawRedis();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

export async function redisVersion(): Promise<string> {
  const client = rawRedis();
  try {
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}

/** Used memory of the Redis server in bytes. */
export async function redisUsedMemory(client: Redis): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/**
 * Fills `key` with `total` benchmark events (msgpack body + `type` tag, the library's wire
 * format), pipelined in batches of 1000. Build it once and `COPY` it for every round.
 */
export async function fillStream(
  client: Redis,
  key: string,
  total: number,
  body: (seq: number) => Buffer,
  tags: Record<string, string>,
): Promise<void> {
  const tagArgs = Object.entries(tags).flat();
  for (let i = 0; i < total; i += 1000) {
    const pipeline = client.pipeline();
    for (let seq = i; seq < Math.min(total, i + 1000); seq++)
      pipeline.xadd(key, '*', 'body', body(seq), ...tagArgs);
    const results = await pipeline.exec();
    for (const [error] of results ?? []) if (error) throw error;
  }
}

/** Copies the backlog `template` to `key` (server side), replacing `key`. */
export async function copyStream(client: Redis, template: string, key: string): Promise<void> {
  await client.del(key);
  const copied = await client.copy(template, key);
  if (copied !== 1) throw new Error(`COPY ${template} ${key} failed`);
}

/** Polls until XLEN key is 0; throws after `ms`. */
export async function waitEmpty(client: Redis, key: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const len = await client.xlen(key);
    if (len === 0) return;
    if (Date.now() > deadline) throw new Error(`${key} still holds ${len} entries after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
