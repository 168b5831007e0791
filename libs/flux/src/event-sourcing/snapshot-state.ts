import type { AggregateRoot } from './aggregate-root.js';

const OWN_KEYS = new Set(['id', 'version']);

/**
 * The aggregate's own state: every enumerable field but `id` and `version`, as JSON data.
 * @internal
 */
export function takeSnapshot(aggregate: AggregateRoot): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(aggregate)) if (!OWN_KEYS.has(key)) state[key] = value;
  return JSON.parse(JSON.stringify(state));
}

/** @internal */
export function restoreSnapshot(aggregate: AggregateRoot, state: Record<string, unknown>): void {
  for (const key of Object.keys(state)) {
    if (OWN_KEYS.has(key)) continue;
    Object.defineProperty(aggregate, key, {
      value: state[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}
