import type { StreamEvent } from '../broker/consume/stream-event.js';

/**
 * A batch split into lanes by the value of the tag `keyTag` (in single mode: the stream's
 * partition key, `aggregate_id` by default). Each lane keeps the stream order of its messages;
 * lanes come in the order of their first message. Messages without the tag share one lane, so
 * nothing is reordered that could not be told apart.
 * @internal
 */
export function splitByKey(events: StreamEvent[], keyTag: string): StreamEvent[][] {
  const lanes = new Map<string | undefined, StreamEvent[]>();
  for (const msg of events) {
    const key = msg.tags[keyTag];
    const lane = lanes.get(key);
    if (lane) lane.push(msg);
    else lanes.set(key, [msg]);
  }
  return [...lanes.values()];
}

/**
 * Runs `run` on every lane, at most `concurrency` lanes at a time, and resolves when all have
 * settled. `run` reports a handler's failure in its result; should it throw (Redis failing under
 * a dead-letter write), no new lane starts, the running ones finish, and the first error is
 * rethrown — so no handler is left running when the batch ends.
 * @internal
 */
export async function runLanes<T>(
  lanes: StreamEvent[][],
  concurrency: number,
  run: (lane: StreamEvent[]) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(lanes.length);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const runner = async () => {
    while (next < lanes.length && !failed) {
      const index = next++;
      try {
        results[index] = await run(lanes[index]);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, lanes.length) }, runner));
  if (failed) throw failure;
  return results;
}
