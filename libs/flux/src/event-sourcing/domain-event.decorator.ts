import { DOMAIN_EVENT_METADATA } from '../metadata.constants.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** Converts the data of an event stored at schema version N into version N + 1. */
export type Upcaster = (data: any) => any;

export interface DomainEventOptions {
  /** Schema version of the class's current shape; default 1. */
  version?: number;
  /** `upcast[n]` turns stored data of version n into version n + 1, for every n below `version`. */
  upcast?: Record<number, Upcaster>;
}

/** @internal */
export interface DomainEventMetadata {
  type: string;
  version: number;
  upcast: Record<number, Upcaster>;
}

/**
 * Marks a class as a domain event stored under an explicit type name (default: the class name).
 * The name, not the class, identifies the event across processes, so renaming the class is safe
 * once the name is given explicitly.
 */
export function DomainEvent(type?: string, options: DomainEventOptions = {}): ClassDecorator {
  return (target) => {
    const version = options.version ?? 1;
    if (!Number.isInteger(version) || version < 1) {
      throw new InvalidArgumentError(
        `@DomainEvent(${target.name}) version`,
        `version must be an integer ≥ 1, got ${version}`,
      );
    }
    for (let v = 1; v < version; v++) {
      if (typeof options.upcast?.[v] !== 'function') {
        throw new InvalidArgumentError(
          `@DomainEvent(${target.name}) upcast`,
          `version ${version} needs an upcaster from version ${v}`,
        );
      }
    }
    const metadata: DomainEventMetadata = {
      type: type ?? target.name,
      version,
      upcast: options.upcast ?? {},
    };
    Reflect.defineMetadata(DOMAIN_EVENT_METADATA, metadata, target);
  };
}

/** @internal */
export function getDomainEventMetadata(target: Function): DomainEventMetadata | undefined {
  return Reflect.getOwnMetadata(DOMAIN_EVENT_METADATA, target);
}
