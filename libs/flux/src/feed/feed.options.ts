import type { CanActivate, ModuleMetadata, Type } from '@nestjs/common';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** Flux's own feed options: where the feed is mounted and its page size. */
export interface FeedOptions {
  /** Route prefix of the feed; default `'events'`. */
  path?: string;
  /** Default page size of `GET /events`; default 100, at most 1000. */
  pageSize?: number;
}

/** Largest `limit` (and `pageSize`) the feed accepts. */
export const MAX_FEED_LIMIT = 1000;

/**
 * Injection token of the resolved feed options, inside `FluxFeedModule`.
 * @internal
 */
export const FLUX_FEED_OPTIONS = 'flux:feed_options';

/** A guard class (resolved by Nest in the feed module) or a guard instance. */
export type FeedGuard = CanActivate | Type<CanActivate>;

/** Everything `feed: { … }` accepts: Flux's `path` and `pageSize`, plus the server's knobs. */
export interface FeedServerOptions extends FeedOptions {
  /** Guards applied to every feed route (`@UseGuards` on the generated controller). */
  guards?: FeedGuard[];
  /** Modules exporting what guard classes inject (global providers are always available). */
  imports?: ModuleMetadata['imports'];
  /** Comment line sent on idle SSE connections so proxies keep them open; default 15000 ms. */
  heartbeatMs?: number;
  /** How often an SSE connection re-reads the store for other processes' appends; default 1000 ms. */
  pollMs?: number;
  /**
   * Absolute URL the feed is reachable at from outside (`https://api.example.com/events`), used
   * for `url` and `next`. Default: built from the request (protocol, Host header, path).
   */
  publicUrl?: string;
}

/** @internal */
export interface ResolvedFeedOptions {
  path: string;
  pageSize: number;
  guards: FeedGuard[];
  heartbeatMs: number;
  pollMs: number;
  publicUrl?: string;
}

/**
 * Applies defaults and rejects values that would only fail later, per request.
 * @internal
 */
export function resolveFeedOptions(options: FeedServerOptions = {}): ResolvedFeedOptions {
  const pageSize = options.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_FEED_LIMIT) {
    throw new InvalidArgumentError(
      'feed.pageSize',
      `expected an integer from 1 to ${MAX_FEED_LIMIT}, got ${pageSize}`,
    );
  }
  return {
    path: (options.path ?? 'events').replace(/^\/+|\/+$/g, ''),
    pageSize,
    guards: options.guards ?? [],
    heartbeatMs: positive('feed.heartbeatMs', options.heartbeatMs ?? 15_000),
    pollMs: positive('feed.pollMs', options.pollMs ?? 1_000),
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
  };
}

function positive(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(
      field,
      `expected a positive number of milliseconds, got ${value}`,
    );
  }
  return value;
}
