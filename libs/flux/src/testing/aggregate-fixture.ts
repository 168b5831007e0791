import { AssertionError, deepStrictEqual } from 'node:assert';
import { aggregateMetadataOf } from '../event-sourcing/aggregate-metadata.js';
import type { AggregateRoot } from '../event-sourcing/aggregate-root.js';

type ErrorClass = abstract new (...args: any[]) => Error;

/**
 * Given-when-then for aggregates, without a store: `given` events are replayed as history,
 * `when` runs a command, `then` compares the new events (class and data), `thenThrows` the error.
 * @internal
 */
export function aggregateFixture<T extends AggregateRoot>(
  aggregate: new () => T,
  id = 'fixture-id',
) {
  aggregateMetadataOf(aggregate);
  return {
    given: (...history: object[]) => ({
      when: (command: (aggregate: T) => void | Promise<void>) => {
        const run = async (): Promise<{ instance: T; error?: unknown }> => {
          const instance = new aggregate();
          instance.id = id;
          history.forEach((event) => instance.replay(event));
          instance.markCommitted(history.length);
          try {
            await command(instance);
            return { instance };
          } catch (error) {
            return { instance, error };
          }
        };
        return {
          /** Resolves with the aggregate when exactly these events were applied. */
          async then(...expected: object[]): Promise<T> {
            const { instance, error } = await run();
            if (error)
              throw new AssertionError({
                message: `expected events, but the command threw: ${String(error)}`,
              });
            deepStrictEqual(
              instance.getUncommittedEvents(),
              expected,
              'the command applied other events than expected',
            );
            return instance;
          },
          /** Resolves when the command threw an instance of `errorClass` and applied nothing. */
          async thenThrows(errorClass: ErrorClass, message?: RegExp): Promise<void> {
            const { instance, error } = await run();
            if (!(error instanceof errorClass)) {
              throw new AssertionError({
                message: `expected ${errorClass.name}, got ${error ? String(error) : 'no error'}`,
              });
            }
            if (message && !message.test(error.message)) {
              throw new AssertionError({
                message: `expected the message to match ${message}, got "${error.message}"`,
              });
            }
            deepStrictEqual(
              instance.getUncommittedEvents(),
              [],
              'a failing command must apply no events',
            );
          },
        };
      },
    }),
  };
}
