import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from 'nestjs-flux';
import { startFaultApp, type FaultApp } from './support/app.js';
import { FUZZ_RUNS, MYSQL_URL } from './support/env.js';
import { dropTables, tablePrefix } from './support/mysql.js';
import { assertPrototypesClean } from './support/prototype.js';
import { report } from './support/tally.js';

/**
 * Bad input to the HTTP feed of a real server (MySQL store): query parameters, event ids and
 * SSE `Last-Event-ID`. Every request is answered 200, 400 or 404 — never 500, never a hang —
 * and the server keeps answering.
 */
describe('fuzz: the HTTP feed', () => {
  const prefix = tablePrefix('fuzzfeed');
  let fault: FaultApp;
  const statuses = new Map<string, number>();
  const failures: string[] = [];

  beforeAll(async () => {
    fault = await startFaultApp({
      flux: {
        eventStore: { type: 'mysql', url: MYSQL_URL, tablePrefix: prefix, synchronize: true },
        feed: { pageSize: 50 },
      },
      feed: { pollMs: 200, heartbeatMs: 1_000 },
      http: true,
    });
    const store = fault.app.get(EventStore);
    for (let i = 0; i < 5; i++) {
      await store.append(`feed-${i}`, [{ type: 'Seeded', data: { i } }], {
        expectedVersion: 0,
        aggregateName: 'seed',
      });
    }
  });

  afterAll(async () => {
    report('fuzz feed', {
      ...Object.fromEntries(statuses),
      serverErrors: failures.length,
      firstServerErrors: failures.slice(0, 3).join(' | '),
    });
    await fault?.close();
    await dropTables(prefix);
  });

  async function get(
    path: string,
    headers: Record<string, string> = {},
    sse = false,
  ): Promise<number> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5_000);
    try {
      const response = await fetch(`${fault.origin}${path}`, { headers, signal: abort.signal });
      if (sse && response.status === 200) {
        // A stream that answers: SSE headers and its first frame (the retry hint) within 5 s.
        expect(response.headers.get('content-type'), path).toMatch(/^text\/event-stream/);
        const first = await response.body!.getReader().read();
        expect(new TextDecoder().decode(first.value), path).toMatch(/^retry: \d+\n\n/);
      } else {
        await response.arrayBuffer();
      }
      const key = String(response.status);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (response.status >= 500)
        failures.push(`${response.status} ${path} ${JSON.stringify(headers)}`);
      return response.status;
    } catch (error) {
      if (!abort.signal.aborted) throw error;
      throw new Error(`${path}: no answer within 5 s (${(error as Error).message})`);
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }

  const param = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.integer({ min: -10, max: 2_000 }).map(String),
    fc.constantFrom(
      '',
      '0',
      '1000',
      '1001',
      '9007199254740991',
      '9007199254740992',
      '1e3',
      '0x10',
      ' 1',
      '1.0',
      '-0',
      '%00',
      'NaN',
      'Infinity',
      '9'.repeat(400),
    ),
  );

  it('GET /events with arbitrary after and limit: 200 or 400, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        param,
        param,
        fc.constantFrom('plain', 'repeated', 'bracket', 'missing'),
        async (after, limit, shape) => {
          const q = (name: string, value: string) => `${name}=${encodeURIComponent(value)}`;
          const query =
            shape === 'plain'
              ? `${q('after', after)}&${q('limit', limit)}`
              : shape === 'repeated'
                ? `${q('after', after)}&${q('after', limit)}`
                : shape === 'bracket'
                  ? `after[${encodeURIComponent(after)}]=1&limit[]=${encodeURIComponent(limit)}`
                  : q('limit', limit);
          const status = await get(`/events?${query}`);
          expect([200, 400]).toContain(status);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
    assertPrototypesClean();
  });

  it('GET /events/<id> with arbitrary ids: 200, 400 or 404, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
          fc.uuid(),
          fc.constantFrom('x'.repeat(256), '..', '%2e%2e', 'stream', '__proto__', 'constructor'),
        ),
        async (id) => {
          // `/events/stream` is the SSE route, not an id: it answers 200 and streams.
          const status = await get(`/events/${encodeURIComponent(id)}`, {}, id === 'stream');
          expect([200, 400, 404]).toContain(status);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('GET /events/<non-ASCII id> answers 404, not 500', async () => {
    for (const id of ['é', '日本', '🎉']) {
      expect(await get(`/events/${encodeURIComponent(id)}`), id).toBe(404);
    }
  });

  it('GET /events/<broken percent-encoding> answers 400, not 500', async () => {
    for (const path of ['/events/%', '/events/%E0%A4%A', '/events/%C0%AF', '/events?after=%']) {
      expect([400, 404], path).toContain(await get(path));
    }
  });

  it('SSE with arbitrary Last-Event-ID and after: a stream (200) or 400, never 500', async () => {
    const header = fc.oneof(
      fc.stringMatching(/^[\x20-\x7e]{0,30}$/),
      fc.integer({ min: -5, max: 100 }).map(String),
      fc.constantFrom('9007199254740992', '1e2', ' 3', '3 ', '0'),
    );
    await fc.assert(
      fc.asyncProperty(header, param, async (lastEventId, after) => {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (lastEventId !== '') headers['last-event-id'] = lastEventId;
        const status = await get(
          `/events/stream?after=${encodeURIComponent(after)}`,
          headers,
          true,
        );
        expect([200, 400]).toContain(status);
      }),
      { numRuns: Math.max(20, Math.floor(FUZZ_RUNS / 2)) },
    );
    // Still serving after all of it.
    expect(await get('/events?after=0&limit=1')).toBe(200);
    assertPrototypesClean();
  });
});
