export interface RelayOptions {
  /** Set `false` on instances that must never publish (e.g. read-only replicas). Default true. */
  enabled?: boolean;
  /** Events read from the global log and published per round trip; default 500. */
  batchSize?: number;
  /** How often to look for events appended by other processes, in ms; default 200. */
  pollInterval?: number;
  /** Leadership lock time-to-live in ms, renewed at a third of it; default 10000. */
  lockTtl?: number;
  /**
   * Names the relay's checkpoint and lock within the event store's keys
   * (`flux:relay:{<storeId>}:<name>:…`). Default: the relayed aggregate names, so instances of
   * one service share a relay; services with different stores never share keys.
   */
  name?: string;
}

/** @internal */
export const RELAY_DEFAULTS = { batchSize: 500, pollInterval: 200, lockTtl: 10_000 } as const;

/**
 * What `RelayService` reads of the module's options, provided under `RELAY_OPTIONS` by the module
 * that wires it (so the relay never imports that module).
 * @internal
 */
export interface RelayServiceOptions extends RelayOptions {
  /** Prefix of every Redis key (the module's `keyPrefix`). */
  keyPrefix?: string;
}

/** Injection token of `RelayServiceOptions`. @internal */
export const RELAY_OPTIONS = Symbol('flux:relay-options');
