import type { EventBroker } from '../broker/event-broker.js';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { describeError } from '../errors/describe-error.js';

/** Name of the dead-letter stream of `stream`; registered on the same pool by the workers. */
export function deadLetterStreamOf(stream: string): string {
  return `${stream}:dead`;
}

/** Tags a dead letter carries besides the original message's own tags. */
export interface DeadLetterTags {
  error: string;
  original_id: string;
  original_stream: string;
  group: string;
  consumer: string;
  /** ISO 8601. */
  failed_at: string;
  /** The partition it was read from, on a partitioned stream (its key tag is kept as well). */
  partition?: string;
}

export { describeError } from '../errors/describe-error.js';

/**
 * Copies a message to `<stream>:dead` with why it failed. The body is the original decoded body
 * (`null` when it could not be decoded: the reason is in `error`); the original tags are kept.
 * @internal
 */
export async function publishDeadLetter(
  broker: EventBroker,
  msg: StreamEvent,
  error: unknown,
): Promise<string> {
  let body: unknown = null;
  try {
    body = msg.unserialize();
  } catch {
    // An undecodable body is itself the reason; the tags still identify the original message.
  }
  const tags: DeadLetterTags = {
    error: describeError(error),
    original_id: msg.id,
    original_stream: msg.stream,
    group: msg.group,
    consumer: msg.consumer,
    failed_at: new Date().toISOString(),
  };
  if (msg.partition !== undefined) tags.partition = String(msg.partition);
  return broker.publish(deadLetterStreamOf(msg.stream), body, { ...msg.tags, ...tags });
}
