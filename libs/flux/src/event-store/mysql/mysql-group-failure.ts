import type { GroupMember } from './mysql-group-member.js';

/**
 * True when the server answered the group's packet with an error: it stops at the failing
 * statement, which comes before the COMMIT, so nothing was stored. A lost connection or a
 * timeout (no server error) leaves that unknown.
 * @internal
 */
export function nothingCommitted(error: unknown): boolean {
  const sqlState = (error as { sqlState?: unknown })?.sqlState;
  return typeof sqlState === 'string' && sqlState.length > 0;
}

/**
 * The member whose row the unique (aggregate_id, version) key refused, read from the server's
 * message (`Duplicate entry '<aggregate id>-<version>' for key …`). Undefined when the message
 * does not name exactly one member (a truncated entry, say): the caller then tries each alone.
 * @internal
 */
export function conflictingMember<T extends GroupMember>(
  group: readonly T[],
  error: unknown,
): T | undefined {
  const entry = /Duplicate entry '(.*)' for key/s.exec(String((error as Error)?.message))?.[1];
  if (entry === undefined) return undefined;
  const dash = entry.lastIndexOf('-');
  const aggregateId = entry.slice(0, dash);
  const version = Number(entry.slice(dash + 1));
  const matches = group.filter(
    (member) =>
      member.aggregateId === aggregateId &&
      version >= member.firstVersion &&
      version < member.firstVersion + member.count,
  );
  return matches.length === 1 ? matches[0] : undefined;
}
