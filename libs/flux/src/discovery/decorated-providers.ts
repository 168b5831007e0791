import type { Type } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { type DiscoveredProvider, getProviderClass } from './provider-class.js';

/**
 * A provider whose class carries a decorator's metadata.
 * @internal
 */
export interface DecoratedProvider<M> {
  wrapper: DiscoveredProvider;
  cls: Type;
  metadata: M;
}

/**
 * The application's providers whose class `metadataOf` finds metadata on, in discovery order.
 * Lazy, so an explorer that validates each one as it comes fails on the first bad provider.
 * @internal
 */
export function* decoratedProviders<M>(
  discovery: DiscoveryService,
  metadataOf: (cls: Type) => M | undefined,
): Generator<DecoratedProvider<M>> {
  for (const wrapper of discovery.getProviders()) {
    const cls = getProviderClass(wrapper);
    const metadata = cls && metadataOf(cls);
    if (cls && metadata) yield { wrapper, cls, metadata };
  }
}

/**
 * Rejects a request-scoped or transient provider: decorated handlers run outside any request,
 * from one instance resolved at bootstrap. `decorator` names it (`@StreamConsumer`), `kind` says
 * what such classes are (`Stream consumers`).
 * @internal
 */
export function assertSingleton(
  { wrapper, cls }: Pick<DecoratedProvider<unknown>, 'wrapper' | 'cls'>,
  decorator: string,
  kind: string,
): void {
  if (wrapper.isDependencyTreeStatic() && !wrapper.isTransient) return;
  throw new InvalidArgumentError(
    `${decorator} ${cls.name}`,
    `it is request-scoped or transient (or depends on such a provider). ${kind} run ` +
      'outside any request: make it a default-scoped (singleton) provider.',
  );
}

/** The instance Nest resolved for a singleton provider. @internal */
export function instanceOf(provider: DecoratedProvider<unknown>): Record<string | symbol, unknown> {
  return provider.wrapper.instance as Record<string | symbol, unknown>;
}
