import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { SerializationError } from '../../errors/serialization.error.js';
import { BODY_FIELD } from '../broker.constants.js';
import type { MessageCodec } from '../codec/message-codec.js';

/**
 * Encodes a body for `stream`; failures become a `SerializationError` naming the stream.
 * @internal
 */
export function encodeBody(codec: MessageCodec, stream: string, body: unknown): Buffer {
  try {
    return codec.encode(body);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SerializationError(`body of stream "${stream}"`, reason, { cause });
  }
}

/**
 * Tags as flat `[key, value, …]` stream fields, or undefined when there are none. Values must
 * be strings: anything else is rejected now rather than stringified into a surprise later.
 * @internal
 */
export function tagFields(stream: string, meta: Record<string, string> | undefined) {
  if (meta === undefined || meta === null) return undefined;
  let fields: string[] | undefined;
  for (const key of Object.keys(meta)) {
    const value: unknown = meta[key];
    if (typeof value !== 'string') {
      throw new InvalidArgumentError(
        `tag "${key}" of stream "${stream}"`,
        `tag values must be strings, got ${value === null ? 'null' : typeof value}`,
      );
    }
    if (key === BODY_FIELD) {
      throw new InvalidArgumentError(
        `tag "${key}" of stream "${stream}"`,
        `"${BODY_FIELD}" is the field holding the message body; choose another tag name`,
      );
    }
    (fields ??= []).push(key, value);
  }
  return fields;
}
