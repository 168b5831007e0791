import 'reflect-metadata';
import { Injectable, Scope } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { StreamNotRegisteredError } from '../errors/stream-not-registered.error.js';
import { DomainEvent } from '../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../event-sourcing/event-handler.decorator.js';
import { EventRegistry } from '../event-sourcing/event-registry.js';
import { StreamConsumer } from './stream-consumer.decorator.js';
import { createWorkerApp, waitFor, type WorkerApp } from './workers.spec-helpers.js';

@DomainEvent('DiscoveryCredited')
class Credited {
  constructor(readonly amount: number) {}
}

@DomainEvent('DiscoveryOpened')
class Opened {
  constructor(readonly owner: string) {}
}

const opened: Array<[Opened, StreamEvent]> = [];
const credited: Credited[] = [];

@StreamConsumer('accounts', { group: 'typed', block: 200 })
class TypedConsumer {
  @EventHandler(Opened) onOpened(event: Opened, msg: StreamEvent) {
    opened.push([event, msg]);
  }
}

const rawBatches: string[][] = [];
@StreamConsumer('accounts', { group: 'raw', block: 200 })
class RawConsumer {
  async handle(events: StreamEvent[]) {
    rawBatches.push(events.map((e) => e.unserialize<{ owner?: string }>().owner ?? '?'));
  }
}

@StreamConsumer('accounts', { group: 'factory', block: 200 })
class FactoryConsumer {
  constructor(readonly tag: string) {}
  @EventHandler(Credited) onCredited(event: Credited) {
    credited.push(event);
  }
}

const apps: WorkerApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  opened.length = 0;
  credited.length = 0;
  rawBatches.length = 0;
});

async function start(...args: Parameters<typeof createWorkerApp>) {
  const app = await createWorkerApp(...args);
  apps.push(app);
  return app;
}

describe('@StreamConsumer discovery', () => {
  it('dispatches typed events to @EventHandler methods with the StreamEvent', async () => {
    const t = await start({ streams: ['accounts'], providers: [TypedConsumer] });
    expect(t.app.get(EventRegistry).classOf('DiscoveryOpened')).toBe(Opened);
    const id = await t.broker.publish(
      'accounts',
      { owner: 'ada' },
      { type: 'DiscoveryOpened', v: '1' },
    );
    // A type the app knows but this class does not handle is passed over, not dead-lettered.
    t.app.get(EventRegistry).register(Credited);
    await t.broker.publish('accounts', { amount: 5 }, { type: 'DiscoveryCredited' });
    await t.broker.publish('accounts', { owner: 'bob' }, { type: 'DiscoveryOpened' });
    await waitFor(() => opened.length === 2 && t.workers.status()[0].processed === 3);
    const [event, msg] = opened[0];
    expect(event).toBeInstanceOf(Opened);
    expect(event.owner).toBe('ada');
    expect(msg.id).toBe(id);
    expect(msg.tag('v')).toBe('1');
    expect(opened[1][0].owner).toBe('bob');
    expect(await t.admin.exists(t.key('accounts:dead'))).toBe(0);
    const [status] = t.workers.status();
    expect(status).toMatchObject({ consumer: 'TypedConsumer', group: 'typed', running: true });
    expect(status.lastReadAt).toBeInstanceOf(Date);
  });

  it('hands raw batches to handle(events)', async () => {
    const t = await start({ streams: ['accounts'], providers: [RawConsumer] });
    await t.broker.publish('accounts', { owner: 'ada' }, { type: 'Whatever' });
    await t.broker.publish('accounts', { owner: 'bob' });
    await waitFor(() => rawBatches.flat().length === 2);
    expect(rawBatches.flat()).toEqual(['ada', 'bob']);
  });

  it('finds a consumer provided with useFactory', async () => {
    const t = await start({
      streams: ['accounts'],
      providers: [{ provide: 'TOKEN', useFactory: () => new FactoryConsumer('made') }],
    });
    await t.broker.publish('accounts', { amount: 3 }, { type: 'DiscoveryCredited' });
    await waitFor(() => credited.length === 1);
    expect(credited[0]).toBeInstanceOf(Credited);
    expect(t.workers.status().map((s) => s.consumer)).toEqual(['FactoryConsumer']);
  });

  it('fails the bootstrap on an unregistered stream, naming it', async () => {
    const t = await start({ streams: ['other'], providers: [TypedConsumer], init: false });
    const error = await t.app.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamNotRegisteredError);
    expect((error as Error).message).toContain('"accounts"');
  });

  it('rejects a request-scoped consumer, naming the class', async () => {
    @Injectable({ scope: Scope.REQUEST })
    @StreamConsumer('accounts')
    class PerRequest {
      handle() {}
    }
    const t = await start({ streams: ['accounts'], providers: [PerRequest], init: false });
    await expect(t.app.init()).rejects.toThrow(/PerRequest.*request-scoped/);
  });

  it('rejects a class with neither @EventHandler methods nor handle(events)', async () => {
    @StreamConsumer('accounts')
    class Empty {}
    const t = await start({ streams: ['accounts'], providers: [Empty], init: false });
    await expect(t.app.init()).rejects.toThrow(/Empty.*no @EventHandler/);
  });

  it('rejects two consumers of the same stream and group', async () => {
    @StreamConsumer('accounts', { group: 'raw' })
    class Twin {
      handle() {}
    }
    const t = await start({ streams: ['accounts'], providers: [RawConsumer, Twin], init: false });
    await expect(t.app.init()).rejects.toThrow(/group "raw"/);
  });

  it('rejects malformed options', async () => {
    @StreamConsumer('accounts', { mode: 'single', consumers: 3 })
    class TooMany {
      handle() {}
    }
    const t = await start({ streams: ['accounts'], providers: [TooMany], init: false });
    await expect(t.app.init()).rejects.toThrow(/consumers.*TooMany/);
  });
});
