import { BODY_FIELD } from '../broker/broker.constants.js';
import type { MessageCodec } from '../broker/codec/message-codec.js';
import { DEAD_LETTER_TAG_NAMES } from './dead-letter-replay.lua.js';
import { toJsonValue } from './json-value.js';

/** A dead letter as the board's API returns it. */
export interface DeadLetterView {
  /** Id in `<stream>:dead`. */
  id: string;
  error: string;
  originalId: string;
  originalStream: string;
  group: string;
  consumer: string;
  /** ISO 8601. */
  failedAt: string;
  /** The original message's own tags (`type`, `aggregate_id`, …). */
  tags: Record<string, string>;
  /** The decoded body as JSON (binary as `{ $binary }`); null when it could not be decoded. */
  body: unknown;
  /** Why the body could not be decoded, when it could not. */
  bodyError?: string;
}

const DEAD_TAGS: ReadonlySet<string> = new Set(DEAD_LETTER_TAG_NAMES);

/**
 * Decodes one raw dead-letter entry; a broken body is reported, never thrown.
 * @internal
 */
export function toDeadLetterView(
  id: string,
  fields: Buffer[],
  codec: MessageCodec,
): DeadLetterView {
  const dead: Record<string, string> = Object.create(null);
  const tags: Record<string, string> = Object.create(null);
  let raw: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const key = fields[i].toString();
    if (key === BODY_FIELD) raw = fields[i + 1];
    else if (DEAD_TAGS.has(key)) dead[key] = fields[i + 1].toString();
    else tags[key] = fields[i + 1].toString();
  }
  const view: DeadLetterView = {
    id,
    error: dead.error ?? '',
    originalId: dead.original_id ?? '',
    originalStream: dead.original_stream ?? '',
    group: dead.group ?? '',
    consumer: dead.consumer ?? '',
    failedAt: dead.failed_at ?? '',
    tags,
    body: null,
  };
  if (raw === undefined) return { ...view, bodyError: `no "${BODY_FIELD}" field` };
  try {
    return { ...view, body: toJsonValue(codec.decode(raw)) };
  } catch (error) {
    return { ...view, bodyError: error instanceof Error ? error.message : String(error) };
  }
}
