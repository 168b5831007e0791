import type { DynamicModule, INestApplication, Provider, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { FluxModule, type FluxModuleOptions } from 'nestjs-flux';
import { CapturingLogger } from './logger.js';
import { createWorkerProviders, FluxFeedModule } from './unreleased.js';

export interface FaultAppOptions {
  flux: FluxModuleOptions;
  aggregates?: Type[];
  providers?: Provider[];
  /** Wire `@StreamConsumer` workers (until FluxModule does it itself). */
  workers?: boolean;
  /** Listen on a loopback port (needed for the feed). */
  http?: boolean;
  /** Feed server options beyond `flux.feed` (pollMs, heartbeatMs). */
  feed?: { pollMs?: number; heartbeatMs?: number };
}

export interface FaultApp {
  app: INestApplication;
  logger: CapturingLogger;
  /** `http://127.0.0.1:<port>` when `http` was set. */
  origin: string;
  close(): Promise<void>;
}

/**
 * A real Nest application with FluxModule. The parts FluxModule does not wire yet (the feed
 * controller, the stream workers) are added here when asked for and not already wired.
 */
export async function startFaultApp(options: FaultAppOptions): Promise<FaultApp> {
  const root = FluxModule.forRoot(options.flux);
  const imports: NonNullable<DynamicModule['imports']> = [root];
  if (options.aggregates?.length)
    imports.push(FluxModule.forFeature({ aggregates: options.aggregates }));
  const providers: Provider[] = [...(options.providers ?? [])];
  if (options.flux.feed) {
    const wired = root.imports?.some((m) => (m as DynamicModule)?.module === FluxFeedModule);
    if (!wired) imports.push(FluxFeedModule.forRoot({ ...options.flux.feed, ...options.feed }));
  }
  if (options.workers) {
    const rootProviders = [
      ...(root.providers ?? []),
      ...(Reflect.getMetadata('providers', FluxModule) ?? []),
    ];
    const wired = createWorkerProviders().every((p) => rootProviders.includes(p));
    if (!wired) {
      imports.push(DiscoveryModule);
      providers.push(...createWorkerProviders());
    }
  }
  const moduleRef = await Test.createTestingModule({ imports, providers }).compile();
  const logger = new CapturingLogger();
  const app = moduleRef.createNestApplication({ logger, forceCloseConnections: true });
  let origin = '';
  if (options.http) {
    await app.listen(0, '127.0.0.1');
    origin = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  } else {
    await app.init();
  }
  let closed: Promise<void> | undefined;
  return {
    app,
    logger,
    origin,
    close: () => (closed ??= app.close().catch(() => undefined)),
  };
}
