import type { Logger } from '@nestjs/common';
import type { EventRegistry } from '../event-sourcing/event-registry.js';
import { UnknownEventTypeError } from '../errors/unknown-event-type.error.js';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { PoisonMessageError } from '../errors/poison-message.error.js';

/**
 * Event type name → names of the `@EventHandler` methods handling it, in declaration order.
 * @internal
 */
export type EventRoutes = ReadonlyMap<string, ReadonlyArray<string | symbol>>;

export { PoisonMessageError } from '../errors/poison-message.error.js';

/**
 * Typed dispatch of one message: the `type` tag names the event, the body is the event's data.
 * Types the application knows but this class does not handle are passed over (a stream carries
 * many event types); types the application does not know at all are poison, or are passed over
 * with a warning when `ignoreUnknown` is set.
 * @internal
 */
export class TypedMessageHandler {
  private readonly warnedTypes = new Set<string>();

  constructor(
    private readonly instance: Record<string | symbol, unknown>,
    private readonly routes: EventRoutes,
    private readonly registry: EventRegistry,
    private readonly ignoreUnknown: boolean,
    private readonly logger: Logger,
  ) {}

  async handle(msg: StreamEvent): Promise<void> {
    const type = msg.tag('type');
    if (type === undefined || type === '') {
      throw new PoisonMessageError(`message ${msg.id} of stream "${msg.stream}" has no "type" tag`);
    }
    const methods = this.routes.get(type);
    if (!methods) {
      if (this.registry.has(type)) return;
      const unknown = new UnknownEventTypeError(type, `stream "${msg.stream}" message ${msg.id}`);
      if (!this.ignoreUnknown) throw new PoisonMessageError(unknown.message, { cause: unknown });
      this.warnOnce(type, msg);
      return;
    }
    let data: unknown;
    try {
      data = msg.unserialize();
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new PoisonMessageError(`undecodable body of message ${msg.id}: ${why}`, {
        cause: error,
      });
    }
    const context = `stream "${msg.stream}" message ${msg.id}`;
    const event = this.registry.instantiate(type, data, msg.tag('event_version'), context);
    for (const method of methods) {
      await (this.instance[method] as (e: unknown, m: StreamEvent) => unknown).call(
        this.instance,
        event,
        msg,
      );
    }
  }

  private warnOnce(type: string, msg: StreamEvent): void {
    if (this.warnedTypes.has(type)) return;
    this.warnedTypes.add(type);
    this.logger.warn(
      `Unknown event type "${type}" on stream "${msg.stream}" (first: message ${msg.id}): ` +
        `acknowledged without handling (ignoreUnknown). Further messages of this type are not logged.`,
    );
  }
}
