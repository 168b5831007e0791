import { describe, expect, it } from 'vitest';
import type { GroupMember } from './mysql-group-commit.js';
import { conflictingMember, nothingCommitted } from './mysql-group-failure.js';

const member = (aggregateId: string, firstVersion: number, count = 1): GroupMember => ({
  aggregateId,
  firstVersion,
  count,
  values: [],
  bytes: 0,
});
const duplicate = (entry: string) =>
  Object.assign(new Error(`Duplicate entry '${entry}' for key 'uq_aggregate_version'`), {
    code: 'ER_DUP_ENTRY',
    sqlState: '23000',
  });

describe('conflictingMember', () => {
  const group = [member('a', 1), member('a-1', 4, 3), member('b', 7)];

  it('names the member whose version range holds the refused entry', () => {
    expect(conflictingMember(group, duplicate('a-1-5'))).toBe(group[1]);
    expect(conflictingMember(group, duplicate('a-1'))).toBe(group[0]);
    expect(conflictingMember(group, duplicate('b-7'))).toBe(group[2]);
  });

  it('names nobody when the entry matches no member or cannot be read', () => {
    expect(conflictingMember(group, duplicate('a-1-7'))).toBeUndefined();
    expect(conflictingMember(group, duplicate('b-6'))).toBeUndefined();
    expect(conflictingMember(group, duplicate('a-1-...'))).toBeUndefined();
    expect(conflictingMember(group, new Error('something else'))).toBeUndefined();
  });
});

describe('nothingCommitted', () => {
  it('is true only for an error the server answered with', () => {
    expect(nothingCommitted(duplicate('a-1'))).toBe(true);
    expect(nothingCommitted(Object.assign(new Error('lost'), { code: 'ECONNRESET' }))).toBe(false);
    expect(nothingCommitted(undefined)).toBe(false);
  });
});
