import type { CanActivate, ModuleMetadata, Type } from '@nestjs/common';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** A guard class (resolved by Nest inside the board module) or a guard instance. */
export type BoardGuard = CanActivate | Type<CanActivate>;

/** Options of `FluxBoardModule.forRoot`. */
export interface FluxBoardOptions {
  /** Route prefix of the page and its JSON API (`/<path>/api/…`); default `'flux'`. */
  path?: string;
  /**
   * Guards applied to the page and every API route; a rejecting guard answers 403. Required:
   * without guards the bootstrap fails with `BoardNotGuardedError`, unless `public` is set.
   */
  guards?: BoardGuard[];
  /**
   * Serves the board without guards, to anyone who reaches the application (a warning is logged
   * at bootstrap). Only for networks you trust; default false.
   */
  public?: boolean;
  /** Modules exporting what guard classes inject (global providers are always available). */
  imports?: ModuleMetadata['imports'];
}

/**
 * The options with defaults applied.
 * @internal
 */
export interface ResolvedBoardOptions {
  path: string;
  guards: BoardGuard[];
  public: boolean;
}

/**
 * Applies defaults; an empty path would mount the board over the whole application.
 * @internal
 */
export function resolveBoardOptions(options: FluxBoardOptions = {}): ResolvedBoardOptions {
  const path = (options.path ?? 'flux').replace(/^\/+|\/+$/g, '');
  if (path === '') {
    throw new InvalidArgumentError('board path', "must not be empty; use e.g. 'flux'");
  }
  return { path, guards: options.guards ?? [], public: options.public === true };
}
