import { BadRequestException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

const ACCOUNT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_OWNER_LENGTH = 200;

export interface OpenAccountRequest {
  id: string;
  owner: string;
}

/** `{ owner, id? }`: a missing id gets a random one. */
export function parseOpenAccount(body: unknown): OpenAccountRequest {
  const { owner, id } = (body ?? {}) as Record<string, unknown>;
  if (typeof owner !== 'string' || owner.trim() === '' || owner.length > MAX_OWNER_LENGTH) {
    throw new BadRequestException(
      `owner must be a non-empty string of at most ${MAX_OWNER_LENGTH} characters`,
    );
  }
  if (id !== undefined && (typeof id !== 'string' || !ACCOUNT_ID.test(id))) {
    throw new BadRequestException('id must be 1 to 64 letters, digits, ".", "_" or "-"');
  }
  return { id: id ?? randomUUID(), owner: owner.trim() };
}

/** Amounts are integer cents; a JSON string or a fraction is refused rather than guessed at. */
export function parseAmount(body: unknown): number {
  const amount = ((body ?? {}) as Record<string, unknown>).amount;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
    throw new BadRequestException('amount must be a positive integer number of cents');
  }
  return amount;
}

/**
 * The version the client requires: `If-Match: "3"` (an ETag from GET; `W/` and bare numbers are
 * accepted too) or `expectedVersion` in the body. Undefined when it sent neither.
 */
export function parseExpectedVersion(
  ifMatch: string | undefined,
  body: unknown,
): number | undefined {
  const fromBody = ((body ?? {}) as Record<string, unknown>).expectedVersion;
  const fromHeader =
    ifMatch === undefined
      ? undefined
      : ifMatch
          .trim()
          .replace(/^W\//, '')
          .replace(/^"(.*)"$/, '$1');
  const versions = [fromHeader, fromBody].filter((v) => v !== undefined).map(toVersion);
  if (versions.length === 2 && versions[0] !== versions[1]) {
    throw new BadRequestException('If-Match and expectedVersion disagree');
  }
  return versions[0];
}

function toVersion(raw: unknown): number {
  const value = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new BadRequestException(
      'If-Match / expectedVersion must be a version number (a non-negative integer)',
    );
  }
  return value;
}
