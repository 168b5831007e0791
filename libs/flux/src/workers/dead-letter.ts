import type { EventBroker } from '../broker/event-broker.js';
import type { StreamEvent } from '../broker/stream-event.js';

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
}

const MAX_ERROR_LENGTH = 2000;

/** Short, single-line description of an error for a dead letter's `error` tag. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

/**
 * Copies a message to `<stream>:dead` with why it failed. The body is the original decoded body
 * (`null` when it could not be decoded: the reason is in `error`); the original tags are kept.
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
  return broker.publish(deadLetterStreamOf(msg.stream), body, { ...msg.tags, ...tags });
}
