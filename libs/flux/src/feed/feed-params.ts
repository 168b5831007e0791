import { BadRequestException } from '@nestjs/common';
import { MAX_ID_LENGTH } from '../event-store/append-validation.js';
import { MAX_FEED_LIMIT } from './feed.options.js';

/**
 * A 400 whose JSON body names the parameter at fault, so clients can tell what to fix.
 * @internal
 */
export function badParameter(parameter: string, reason: string): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    parameter,
    message: `Invalid ${parameter}: ${reason}`,
  });
}

/**
 * `after` (or `Last-Event-ID`): a non-negative safe integer; absent means 0.
 * @internal
 */
export function parsePosition(parameter: string, raw: unknown): number {
  if (raw === undefined || raw === '') return 0;
  return parseInteger(parameter, raw, 0, Number.MAX_SAFE_INTEGER);
}

/**
 * `limit`: 1..1000; absent means the configured page size.
 * @internal
 */
export function parseLimit(raw: unknown, pageSize: number): number {
  if (raw === undefined) return pageSize;
  return parseInteger('limit', raw, 1, MAX_FEED_LIMIT);
}

/**
 * An event id as the store accepts them; longer ids cannot exist, so they are a client error.
 * @internal
 */
export function parseEventId(raw: string): string {
  if (raw.length === 0 || raw.length > MAX_ID_LENGTH) {
    throw badParameter('event_id', `expected 1 to ${MAX_ID_LENGTH} characters, got ${raw.length}`);
  }
  return raw;
}

function parseInteger(parameter: string, raw: unknown, min: number, max: number): number {
  // Express turns `?after=1&after=2` into an array and `?after[x]=1` into an object.
  if (typeof raw !== 'string') throw badParameter(parameter, 'expected a single value');
  if (!/^\d{1,16}$/.test(raw)) {
    throw badParameter(
      parameter,
      `expected an integer from ${min} to ${max}, got "${raw.slice(0, 40)}"`,
    );
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw badParameter(parameter, `expected an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
