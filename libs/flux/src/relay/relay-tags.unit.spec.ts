import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../event-store/event-store.types.js';
import { EVENT_VERSION_KEY } from '../event-sourcing/event-registry.js';
import { relayTags } from './relay-tags.js';

function stored(metadata: Record<string, unknown>): StoredEvent {
  return {
    eventId: '6f1c1f9e-0000-4000-8000-000000000001',
    aggregateId: 'a-7',
    aggregateName: 'account',
    version: 3,
    position: 42,
    type: 'Credited',
    data: { n: 1 },
    metadata,
    createdAt: new Date(1_700_000_000_123),
  };
}

describe('relayTags', () => {
  it('tags every relayed event with its identity, place in the log and creation time', () => {
    expect(relayTags(stored({}))).toEqual({
      type: 'Credited',
      event_id: '6f1c1f9e-0000-4000-8000-000000000001',
      aggregate_id: 'a-7',
      aggregate_name: 'account',
      version: '3',
      position: '42',
      created: '1700000000123',
    });
  });

  it('carries the schema version, correlation, causation and trace context from the metadata', () => {
    const tags = relayTags(
      stored({
        [EVENT_VERSION_KEY]: 2,
        correlationId: 'req-1',
        causationId: 'cmd-9',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      }),
    );
    expect(tags).toMatchObject({
      event_version: '2',
      correlation_id: 'req-1',
      causation_id: 'cmd-9',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
  });

  it('keeps a schema version of 0 and leaves out metadata that is absent or not a string', () => {
    const zero = relayTags(stored({ [EVENT_VERSION_KEY]: 0 }));
    expect(zero.event_version).toBe('0');
    const odd = relayTags(stored({ correlationId: 7, causationId: { id: 'x' }, traceparent: 1 }));
    for (const key of ['event_version', 'correlation_id', 'causation_id', 'traceparent'])
      expect(Object.keys(odd)).not.toContain(key);
  });
});
