import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { runLanes, splitByKey } from './key-lanes.js';

/** Just what the lanes look at: an id and the tags. */
const msg = (id: string, tags: Record<string, string>) => ({ id, tags }) as unknown as StreamEvent;
const ids = (lanes: StreamEvent[][]) => lanes.map((lane) => lane.map((m) => m.id));

describe('splitByKey', () => {
  it('keeps stream order within a key, lanes in order of first appearance, untagged together', () => {
    const events = [
      msg('1', { k: 'b' }),
      msg('2', { k: 'a' }),
      msg('3', {}),
      msg('4', { k: 'b' }),
      msg('5', { other: 'x' }),
      msg('6', { k: 'a' }),
    ];
    expect(ids(splitByKey(events, 'k'))).toEqual([
      ['1', '4'],
      ['2', '6'],
      ['3', '5'],
    ]);
  });
});

describe('runLanes', () => {
  const lanes = (n: number) => Array.from({ length: n }, (_, i) => [msg(String(i), {})]);

  it('runs at most `concurrency` lanes at once and returns results in lane order', async () => {
    let running = 0;
    let most = 0;
    const results = await runLanes(lanes(7), 3, async ([m]) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 2 + (Number(m.id) % 3)));
      running--;
      return m.id;
    });
    expect(results).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(most).toBe(3);
  });

  it('after a lane throws, starts no new lane, lets running ones finish, then rethrows', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const run = runLanes(lanes(6), 2, async ([m]) => {
      started.push(m.id);
      if (m.id === '0') throw new Error('redis down');
      await new Promise((resolve) => setTimeout(resolve, 5));
      finished.push(m.id);
    });
    // The error itself (`rejects.toThrow` would also pass on an undefined rejection).
    expect(await run.catch((error: unknown) => error)).toMatchObject({ message: 'redis down' });
    expect(started).toEqual(['0', '1']);
    expect(finished).toEqual(['1']);
  });

  it('rethrows the first error when several lanes throw', async () => {
    const run = runLanes(lanes(2), 2, async ([m]) => {
      if (m.id === '1') await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error(`lane ${m.id} failed`);
    });
    expect(await run.catch((error: unknown) => error)).toMatchObject({ message: 'lane 0 failed' });
  });
});
