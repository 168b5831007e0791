/**
 * One append waiting for a group: its rows' values, in the INSERT's column order.
 * @internal
 */
export interface GroupMember {
  aggregateId: string;
  /** Version of the member's first row; the others follow one by one. */
  firstVersion: number;
  count: number;
  values: unknown[];
  /** Approximate size on the wire, to keep a group's packet bounded. */
  bytes: number;
  /** Called as the member joins a group: an `expectedVersion: 'any'` append rebases itself. */
  refresh?: () => void;
}
