import type { FeedEvent, StreamEvent } from 'nestjs-flux';
import type { EventOrigin } from '../balances/balances.projection.js';

/** The relay's tags name the event's place in the command service's log. */
export function streamOrigin(msg: StreamEvent): EventOrigin {
  const number = (tag: string): number => {
    const value = Number(msg.tag(tag));
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`message ${msg.id} of "${msg.stream}" lacks a valid "${tag}" tag`);
    }
    return value;
  };
  const accountId = msg.tag('aggregate_id');
  if (!accountId)
    throw new Error(`message ${msg.id} of "${msg.stream}" lacks an "aggregate_id" tag`);
  return { accountId, version: number('version'), position: number('position') };
}

export function feedOrigin(event: FeedEvent): EventOrigin {
  return {
    accountId: event.aggregate_id,
    version: event.aggregate_version,
    position: event.position,
  };
}
