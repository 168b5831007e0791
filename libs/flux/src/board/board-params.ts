import { BadRequestException } from '@nestjs/common';

/**
 * Largest page the board's API returns.
 * @internal
 */
export const MAX_BOARD_LIMIT = 200;

/**
 * Default page size of lists.
 * @internal
 */
export const DEFAULT_BOARD_LIMIT = 20;

/**
 * A 400 whose JSON names the parameter at fault.
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
 * An integer query parameter in `[min, max]`; `fallback` when absent.
 * @internal
 */
export function parseIntParam(
  parameter: string,
  raw: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (raw === undefined || raw === '') return fallback;
  // Express turns `?a=1&a=2` into an array and `?a[x]=1` into an object.
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw)) {
    throw badParameter(parameter, `expected an integer from ${min} to ${max}`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw badParameter(parameter, `expected an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/**
 * `limit`: 1..MAX_BOARD_LIMIT, default DEFAULT_BOARD_LIMIT.
 * @internal
 */
export function parseLimit(raw: unknown): number {
  return parseIntParam('limit', raw, DEFAULT_BOARD_LIMIT, 1, MAX_BOARD_LIMIT);
}

/**
 * A full Redis stream id (`<ms>-<seq>`), as the API hands them out.
 * @internal
 */
export function parseStreamId(parameter: string, raw: unknown): string {
  if (typeof raw !== 'string' || !/^\d{1,20}-\d{1,20}$/.test(raw)) {
    throw badParameter(parameter, 'expected a stream id such as 1709136000000-0');
  }
  return raw;
}

/**
 * A free-form path parameter (stream name, aggregate id) of sane length.
 * @internal
 */
export function parseName(parameter: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 512) {
    throw badParameter(parameter, 'expected 1 to 512 characters');
  }
  return raw;
}
