import type { CanActivate, ModuleMetadata, Type } from '@nestjs/common';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** A guard class (resolved by Nest inside the board module) or a guard instance. */
export type BoardGuard = CanActivate | Type<CanActivate>;

/** Options of `FluxBoardModule.forRoot`. */
export interface FluxBoardOptions {
  /** Route prefix of the page and its JSON API (`/<path>/api/…`); default `'flux'`. */
  path?: string;
  /** Guards applied to the page and every API route; a rejecting guard answers 403. */
  guards?: BoardGuard[];
  /** Modules exporting what guard classes inject (global providers are always available). */
  imports?: ModuleMetadata['imports'];
}

/** The options with defaults applied. */
export interface ResolvedBoardOptions {
  path: string;
  guards: BoardGuard[];
}

/** Applies defaults; an empty path would mount the board over the whole application. */
export function resolveBoardOptions(options: FluxBoardOptions = {}): ResolvedBoardOptions {
  const path = (options.path ?? 'flux').replace(/^\/+|\/+$/g, '');
  if (path === '') {
    throw new InvalidArgumentError('board path', "must not be empty; use e.g. 'flux'");
  }
  return { path, guards: options.guards ?? [] };
}
