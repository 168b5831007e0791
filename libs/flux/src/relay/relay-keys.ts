/** The Redis keys of one relay. */
export interface RelayKeys {
  /** Leadership lock: a token string with a TTL. */
  lock: string;
  /** Hash `{ position, event_id }`: the last event of the global log published (or passed over). */
  checkpoint: string;
  /** List of `<position>:<eventId>` earlier checkpoints, newest first, thinned to a log scale. */
  history: string;
}

/**
 * `<keyPrefix>flux:relay:{<storeId>}:<name>:lock|checkpoint|history`. The store id makes the
 * checkpoint belong to the store it describes (another store behind the same Redis has other
 * keys); as a hash tag it keeps the three keys one script touches in one Redis Cluster slot.
 * @internal
 */
export function relayKeys(keyPrefix: string, storeId: string, name: string): RelayKeys {
  const base = `${keyPrefix}flux:relay:{${storeId}}:${name}`;
  return { lock: `${base}:lock`, checkpoint: `${base}:checkpoint`, history: `${base}:history` };
}
