import type { Type } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';

/**
 * A provider as `DiscoveryService` returns it, typed without importing Nest's injector internals.
 * @internal
 */
export type DiscoveredProvider = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * The class behind a discovered provider. For a class provider it is the metatype; for
 * `useFactory` (the metatype is the factory, `inject` is set) and `useValue` (no metatype) it
 * is the constructor of the instance the provider produced, so those providers are not missed.
 * @internal
 */
export function getProviderClass(wrapper: DiscoveredProvider): Type | undefined {
  if (!wrapper.metatype || wrapper.inject) {
    const instance = wrapper.instance as object | null | undefined;
    return instance?.constructor as Type | undefined;
  }
  return wrapper.metatype as Type;
}
