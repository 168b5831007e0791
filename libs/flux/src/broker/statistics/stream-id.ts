/**
 * Milliseconds part of a stream id (`<ms>-<seq>`); 0 for `0-0` or a malformed id.
 * @internal
 */
export function streamIdTime(id: string): number {
  const dash = id.indexOf('-');
  const ms = Number(dash < 0 ? id : id.slice(0, dash));
  return Number.isFinite(ms) ? ms : 0;
}

/**
 * Milliseconds from the time in `id` to `now`, never negative; 0 when `id` carries no time.
 * @internal
 */
export function ageOf(id: string | null | undefined, now: number): number {
  const ms = id ? streamIdTime(id) : 0;
  return ms === 0 ? 0 : Math.max(0, now - ms);
}
